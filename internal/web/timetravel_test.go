package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// travelClock is the wall clock moved by an offset that the test changes between requests.
type travelClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *travelClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *travelClock) travel(days int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Duration(days) * 24 * time.Hour
}

// TestTimeTravelAgreesEverywhere: with the app's one clock set into the past or the future,
// the services (deadlines, a consent's expiry as the case page shows it), the store (the
// consent validity of the scopes' SQL, the times it writes into records and the audit
// trail) and the pages all live on the clock's day, never on the wall clock's or the
// database's.
func TestTimeTravelAgreesEverywhere(t *testing.T) {
	t.Parallel()
	clock := &travelClock{}
	w := world.New(t, world.WithClock(clock.now))
	// Built today (the builders' wall clock is the app's clock at offset 0): a consent valid
	// from yesterday for a year, with a referral to the job center that it accepted, and one
	// to Caritas that waits for an answer.
	accepted := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	sent := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})
	casePage := "/faelle/" + accepted.Case.ID.String()

	// onTheClock checks that every audit event written since id, and every time in times,
	// lies on the clock's moment (within a minute), not the wall clock's.
	onTheClock := func(t *testing.T, what string, since int64, times ...time.Time) {
		t.Helper()
		now := clock.now()
		evs := w.AuditAfter(t, since)
		if len(evs) == 0 {
			t.Errorf("%s: no audit event", what)
		}
		for _, ev := range evs {
			times = append(times, ev.At)
		}
		for _, at := range times {
			if d := at.Sub(now); d < -time.Minute || d > time.Minute {
				t.Errorf("%s: a time written is %s, the clock says %s", what, at.UTC(), now.UTC())
			}
		}
	}

	t.Run("today", func(t *testing.T) {
		clock.travel(0)
		since := w.LastAuditID(t)
		if body := getPage(t, w, w.JobcenterWorker, casePage, http.StatusOK); !strings.Contains(body, accepted.Case.Reference) {
			t.Errorf("the job center does not see case %s under its consent", accepted.Case.Reference)
		}
		if body := getPage(t, w, w.HousingWorker, casePage, http.StatusOK); !strings.Contains(body, ">Gültig<") {
			t.Error("the lead's case page does not show the consent as valid")
		}
		onTheClock(t, "today", since)
	})

	t.Run("three days ago, before the consent", func(t *testing.T) {
		clock.travel(-3)
		since := w.LastAuditID(t)
		// The consent is valid from yesterday: three days ago it covered nothing, so the
		// scopes' SQL hides the case from the job center.
		getPage(t, w, w.JobcenterWorker, casePage, http.StatusNotFound)
		if body := getPage(t, w, w.JobcenterWorker, "/faelle", http.StatusOK); strings.Contains(body, accepted.Case.Reference) {
			t.Errorf("the job center lists case %s before its consent", accepted.Case.Reference)
		}
		getPage(t, w, w.HousingWorker, casePage, http.StatusOK)
		onTheClock(t, "three days ago", since)
	})

	t.Run("forty days on, past the reply deadline", func(t *testing.T) {
		clock.travel(40)
		body := getPage(t, w, w.CaritasWorker, "/eingang", http.StatusOK)
		i, j := strings.Index(body, `id="gruppe-overdue"`), strings.Index(body, `id="gruppe-due_soon"`)
		if i < 0 || j < i || !strings.Contains(body[i:j], sent.Referral.Reference) {
			t.Errorf("the referral %s is not overdue in Caritas's inbox", sent.Referral.Reference)
		}
		// The expiry job of the app decides by the same day and writes the clock's time.
		since := w.LastAuditID(t)
		n, err := w.App.Referrals.ExpireOverdue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expired %d referrals (%v), want the one sent", n, err)
		}
		var ref model.Referral
		if err := w.DB.Gorm.Where("id = ?", sent.Referral.ID).Take(&ref).Error; err != nil {
			t.Fatal(err)
		}
		if ref.Status != model.ReferralExpired {
			t.Errorf("referral is %s, want expired", ref.Status)
		}
		onTheClock(t, "expiry", since, ref.UpdatedAt)
	})

	t.Run("a year and two days on, after the consent", func(t *testing.T) {
		clock.travel(367)
		since := w.LastAuditID(t)
		getPage(t, w, w.JobcenterWorker, casePage, http.StatusNotFound)
		if body := getPage(t, w, w.JobcenterWorker, "/faelle", http.StatusOK); strings.Contains(body, accepted.Case.Reference) {
			t.Errorf("the job center lists case %s after its consent ran out", accepted.Case.Reference)
		}
		if body := getPage(t, w, w.HousingWorker, casePage, http.StatusOK); !strings.Contains(body, ">Abgelaufen<") {
			t.Error("the lead's case page does not show the consent as expired")
		}
		onTheClock(t, "a year on", since)
	})
}
