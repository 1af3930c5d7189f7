package world_test

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestWorld(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	if len(w.Users()) < 14 || w.HousingNorth.ParentID == nil || *w.HousingNorth.ParentID != w.Housing.ID {
		t.Fatalf("world not seeded as documented")
	}

	t.Run("acts as the user of the header", func(t *testing.T) {
		res := w.Do(t, world.Request{As: w.Sysadmin, Method: "GET", URL: "/api/v1/organisations"})
		if res.Status != 200 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		res = w.Do(t, world.Request{Method: "GET", URL: "/api/v1/organisations"})
		if res.Status != 401 {
			t.Fatalf("anonymous: status %d", res.Status)
		}
	})

	t.Run("identifier", func(t *testing.T) {
		for _, h := range []string{"", "not-a-uuid"} {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set(world.UserHeader, h)
			if _, err := world.Identify(r); err == nil || !strings.Contains(err.Error(), model.ErrUnauthenticated.Error()) {
				t.Errorf("header %q: %v, want unauthenticated", h, err)
			}
		}
	})

	t.Run("fingerprint sees changes and audit events", func(t *testing.T) {
		before := w.Fingerprint(t)
		if w.Fingerprint(t) != before {
			t.Fatal("fingerprint is not stable")
		}
		err := w.Store.Tx(context.Background(), model.Actor{System: true}, func(tx *store.Tx) error {
			return tx.Audit().Record(context.Background(), &model.AuditEvent{Action: "test.touch", ObjectType: "test"})
		})
		if err != nil {
			t.Fatal(err)
		}
		after := w.Fingerprint(t)
		if after == before {
			t.Fatal("fingerprint missed an audit event")
		}
		res := w.Do(t, world.Request{As: w.Sysadmin, Method: "PATCH", URL: "/api/v1/organisations/" + w.Jobcenter.ID.String(),
			Headers: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"contact_phone": "0541 1"}})
		if res.Status != 200 {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		if w.Fingerprint(t) == after {
			t.Fatal("fingerprint missed a changed organisation")
		}
	})
}

// TestTestIdentifierIsNotInProduction: the X-Test-User identifier lives in this package;
// the lotse binary must not link it.
func TestTestIdentifierIsNotInProduction(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/lotse-project/lotse/cmd/lotse").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "/internal/testutil") {
		t.Fatal("cmd/lotse depends on internal/testutil")
	}
}

// TestCaseWorkBuilders: the builders bring a referral into every state they promise, and
// the fingerprint notices case work.
func TestCaseWorkBuilders(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	before := w.Fingerprint(t)
	for _, st := range []model.ReferralStatus{"", model.ReferralSent, model.ReferralAccepted, model.ReferralInProgress,
		model.ReferralDeclined, model.ReferralCompleted, model.ReferralWithdrawn, model.ReferralRevoked} {
		cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: st})
		if cw.Case.LeadOrgID != w.Housing.ID || cw.Person.FamilyName == "" || cw.Consent == nil || cw.Task == nil || cw.SharedNote.Area == nil {
			t.Fatalf("%q: incomplete case work %+v", st, cw)
		}
		if got := cw.Referral; (st == "") != (got == nil) || (got != nil && got.Status != st) {
			t.Fatalf("%q: referral %+v", st, got)
		}
		if st == model.ReferralRevoked && cw.Consent.RevokedAt == nil {
			t.Fatal("the consent of a revoked referral is not revoked")
		}
	}
	if w.Fingerprint(t) == before {
		t.Fatal("the fingerprint does not see case work")
	}
	if n := len(w.AuditAfter(t, 0)); n == 0 {
		t.Fatal("the builders wrote no audit events")
	}
}
