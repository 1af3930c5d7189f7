package service_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestConsentCreate: a consent is recorded by the lead organisation with every field the
// form has; bad input names the field and changes nothing.
func TestConsentCreate(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	otherCase := w.newCase(w.housing)
	migrationCase := w.newCase(w.migration)
	person := w.newPerson(caseID)
	stranger := w.newPerson(otherCase)
	today := w.today()

	t.Run("valid", func(t *testing.T) {
		in := w.consentInput([]uuid.UUID{w.jobcenter, w.caritas, w.jobcenter}, "work", "language")
		in.PersonID = &person
		in.DataCategories = []model.DataCategory{model.CategoryIdentity, model.CategoryContact}
		in.ValidFrom = today.AddDate(0, -11, 0)
		in.Language = " UK "
		before := w.auditCount("consent.create")
		c, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.RecordedBy == nil || *c.RecordedBy != w.housingWorker.UserID || c.RecordedOrgID != w.housing || c.Version != 1 || c.RevokedAt != nil {
			t.Errorf("server-owned fields: %+v", c)
		}
		if c.Language != "uk" || len(c.Recipients) != 2 || *c.PersonID != person {
			t.Errorf("consent %+v", c)
		}
		if n := w.auditCount("consent.create") - before; n != 1 {
			t.Errorf("%d audit events", n)
		}
		list, err := w.svc.Consents.List(w.ctx, w.housingWorker, caseID)
		if err != nil || len(list) != 1 || list[0].ID != c.ID || len(list[0].Recipients) != 2 ||
			!slices.Equal([]string(list[0].DataCategories), []string{"identity", "contact"}) || list[0].Evidence != in.Evidence {
			t.Errorf("List = %+v, %v", list, err)
		}
	})

	for _, tc := range []struct {
		name  string
		mod   func(in *model.ConsentCreate)
		field string
	}{
		{"no recipient", func(in *model.ConsentCreate) { in.Recipients = nil }, "recipients"},
		{"unknown recipient", func(in *model.ConsentCreate) { in.Recipients = []uuid.UUID{model.NewID()} }, "recipients"},
		{"no area", func(in *model.ConsentCreate) { in.Areas = nil }, "areas"},
		{"unknown area", func(in *model.ConsentCreate) { in.Areas = []string{"work", "magic"} }, "areas"},
		{"unknown data category", func(in *model.ConsentCreate) { in.DataCategories = []model.DataCategory{"religion"} }, "data_categories"},
		{"no purpose", func(in *model.ConsentCreate) { in.Purpose = " " }, "purpose"},
		{"purpose too long", func(in *model.ConsentCreate) { in.Purpose = strings.Repeat("p", 1001) }, "purpose"},
		{"no evidence", func(in *model.ConsentCreate) { in.Evidence = "" }, "evidence"},
		{"no language", func(in *model.ConsentCreate) { in.Language = "" }, "language"},
		{"language by name", func(in *model.ConsentCreate) { in.Language = "Arabisch" }, "language"},
		{"no start", func(in *model.ConsentCreate) { in.ValidFrom = time.Time{} }, "valid_from"},
		{"start over a year ago", func(in *model.ConsentCreate) { in.ValidFrom = today.AddDate(-1, 0, -1) }, "valid_from"},
		{"start over a year ahead", func(in *model.ConsentCreate) {
			in.ValidFrom, in.ValidUntil = today.AddDate(1, 0, 1), today.AddDate(2, 0, 0)
		}, "valid_from"},
		{"no end", func(in *model.ConsentCreate) { in.ValidUntil = time.Time{} }, "valid_until"},
		{"end before start", func(in *model.ConsentCreate) { in.ValidUntil = today.AddDate(0, 0, -1) }, "valid_until"},
		{"longer than five years", func(in *model.ConsentCreate) { in.ValidUntil = today.AddDate(5, 0, 1) }, "valid_until"},
		{"person of another case", func(in *model.ConsentCreate) { in.PersonID = &stranger }, "person_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := w.consentInput([]uuid.UUID{w.jobcenter}, "work")
			tc.mod(&in)
			var err error
			w.unchanged("create", func() { _, err = w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, in) })
			cwErr(t, err, model.ErrInvalid, tc.field)
		})
	}

	for _, tc := range []struct {
		name   string
		a      model.Actor
		caseID uuid.UUID
	}{
		{"case of another department", w.housingWorker, migrationCase},
		{"missing case", w.housingWorker, model.NewID()},
		{"a partner", w.jobcenterWorker, caseID},
		{"a department head", w.housingLead, caseID},
		{"the system administrator", w.sysadmin, caseID},
	} {
		t.Run(tc.name+" is not found", func(t *testing.T) {
			var err error
			w.unchanged("create", func() {
				_, err = w.svc.Consents.Create(w.ctx, tc.a, tc.caseID, w.consentInput([]uuid.UUID{w.jobcenter}, "work"))
			})
			cwErr(t, err, model.ErrNotFound, "")
			_, err = w.svc.Consents.List(w.ctx, tc.a, tc.caseID)
			cwErr(t, err, model.ErrNotFound, "")
		})
	}
}

// TestConsentRevoke: revoking a consent revokes, in the same transaction, every active
// referral it covered (one audit event each); the recipient's next read is ErrNotFound,
// while the sender still sees the referral, now revoked. Closed referrals and referrals of
// other consents stay as they are.
func TestConsentRevoke(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	c := w.consent(caseID, []uuid.UUID{w.jobcenter, w.caritas}, "work", "housing")
	other := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
	sent := w.referral(caseID, w.jobcenter, c, "work")
	accepted := w.referral(caseID, w.caritas, c, "housing")
	accepted, err := w.svc.Referrals.Accept(w.ctx, w.caritasWorker, accepted.ID, accepted.Version)
	if err != nil {
		t.Fatal(err)
	}
	running := w.referral(caseID, w.jobcenter, c, "work")
	if running, err = w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, running.ID, running.Version); err == nil {
		running, err = w.svc.Referrals.Start(w.ctx, w.jobcenterWorker, running.ID, running.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	declined := w.referral(caseID, w.jobcenter, c, "work")
	if declined, err = w.svc.Referrals.Decline(w.ctx, w.jobcenterWorker, declined.ID, declined.Version, "nicht zuständig"); err != nil {
		t.Fatal(err)
	}
	untouched := w.referral(caseID, w.jobcenter, other, "work")

	if _, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, sent.ID); err != nil {
		t.Fatalf("before: the recipient cannot read the referral: %v", err)
	}
	t.Run("stale version", func(t *testing.T) {
		var err error
		w.unchanged("revoke", func() { _, err = w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, c.Version+1) })
		cwErr(t, err, model.ErrConflict, "")
	})
	t.Run("only the lead organisation revokes", func(t *testing.T) {
		for _, a := range []model.Actor{w.jobcenterWorker, w.migrationWorker, w.housingLead, w.sysadmin} {
			var err error
			w.unchanged("revoke", func() { _, err = w.svc.Consents.Revoke(w.ctx, a, c.ID, c.Version) })
			cwErr(t, err, model.ErrNotFound, "")
		}
	})

	revokeEvents, referralEvents, all := w.auditCount("consent.revoke"), w.auditCount("referral.revoke"), w.auditCount("")
	got, err := w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got.RevokedAt == nil || got.RevokedBy == nil || *got.RevokedBy != w.housingWorker.UserID || got.Version != c.Version+1 {
		t.Errorf("revoked consent %+v", got)
	}
	if n := w.auditCount("consent.revoke") - revokeEvents; n != 1 {
		t.Errorf("%d consent.revoke events, want 1", n)
	}
	if n := w.auditCount("referral.revoke") - referralEvents; n != 3 {
		t.Errorf("%d referral.revoke events, want 3 (one per active referral)", n)
	}
	if n := w.auditCount("") - all; n != 4 {
		t.Errorf("%d audit events in all, want 4", n)
	}
	for _, tc := range []struct {
		name      string
		ref       *model.Referral
		recipient model.Actor
		want      model.ReferralStatus
	}{
		{"sent", sent, w.jobcenterWorker, model.ReferralRevoked},
		{"accepted", accepted, w.caritasWorker, model.ReferralRevoked},
		{"in progress", running, w.jobcenterWorker, model.ReferralRevoked},
		{"declined", declined, w.jobcenterWorker, model.ReferralDeclined},
		{"of another consent", untouched, w.jobcenterWorker, model.ReferralSent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen, err := w.svc.Referrals.Get(w.ctx, w.housingWorker, tc.ref.ID)
			if err != nil || seen.Status != tc.want {
				t.Fatalf("the sender sees %+v, %v; want %s", seen, err, tc.want)
			}
			if tc.want == model.ReferralRevoked && (seen.ClosedAt == nil || seen.Version != tc.ref.Version+1) {
				t.Errorf("revoked referral: closed_at %v, version %d", seen.ClosedAt, seen.Version)
			}
			_, err = w.svc.Referrals.Get(w.ctx, tc.recipient, tc.ref.ID)
			if tc.want.Active() {
				if err != nil {
					t.Errorf("the recipient lost a referral of another consent: %v", err)
				}
				return
			}
			cwErr(t, err, model.ErrNotFound, "")
			// A late answer names the state instead of pretending the referral never was.
			if tc.want == model.ReferralRevoked {
				var err error
				w.unchanged("late accept", func() { _, err = w.svc.Referrals.Accept(w.ctx, tc.recipient, tc.ref.ID, seen.Version) })
				refused(t, err, "referral", string(model.ReferralRevoked), string(model.ReferralAccepted))
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		var err error
		w.unchanged("revoke", func() { _, err = w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, got.Version) })
		refused(t, err, "consent", "revoked", "revoked")
	})
	t.Run("no new referral under it", func(t *testing.T) {
		var err error
		w.unchanged("create", func() {
			_, err = w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, ConsentID: &c.ID})
		})
		cwErr(t, err, model.ErrInvalid, "consent_id")
	})
}

// TestReferralOwnCover: a referral whose own consent ran out disappears for the recipient,
// even when another referral of the same case to the same organisation is still covered.
func TestReferralOwnCover(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	ending := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
	lasting := w.consent(caseID, []uuid.UUID{w.jobcenter}, "language")
	a := w.referral(caseID, w.jobcenter, ending, "work")
	b := w.referral(caseID, w.jobcenter, lasting, "language")
	// The consent's validity ends (time passes; here the dates move instead).
	w.db.Gorm.Exec(`UPDATE consents SET valid_from = current_date - 30, valid_until = current_date - 1 WHERE id = ?`, ending.ID)
	if _, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, a.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the referral of the ended consent is still visible: %v", err)
	}
	if _, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, b.ID); err != nil {
		t.Errorf("the covered referral is hidden: %v", err)
	}
	p, err := w.svc.Referrals.List(w.ctx, w.jobcenterWorker, model.ReferralFilter{Box: model.ReferralsIncoming})
	if err != nil || p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != b.ID {
		t.Errorf("incoming list %+v, %v; want only the covered referral", p, err)
	}
}

// TestRevokeRacesReferrals: a revocation racing with new referrals and accepts under the
// same consent never leaves an active referral behind a revoked consent.
func TestRevokeRacesReferrals(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	for round := 0; round < 5; round++ {
		caseID := w.newCase(w.housing)
		c := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
		pending := w.referral(caseID, w.jobcenter, c, "work")
		var wg sync.WaitGroup
		start := make(chan struct{})
		run := func(f func() error, ok ...error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := f(); err != nil && !slices.ContainsFunc(ok, func(e error) bool { return errors.Is(err, e) }) {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		run(func() error { _, err := w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, c.Version); return err })
		for i := 0; i < 3; i++ {
			run(func() error {
				_, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, ConsentID: &c.ID})
				return err
			}, model.ErrInvalid)
		}
		run(func() error {
			_, err := w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, pending.ID, pending.Version)
			return err
		}, model.ErrConflict, model.ErrNotFound, model.ErrInvalid, model.ErrTransition)
		close(start)
		wg.Wait()
		if n := w.count(`SELECT count(*) FROM referrals WHERE consent_id = $1 AND status IN ('sent', 'accepted', 'in_progress')`, c.ID); n != 0 {
			t.Errorf("round %d: %d active referrals behind the revoked consent", round, n)
		}
	}
}
