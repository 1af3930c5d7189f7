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
	"github.com/lotse-project/lotse/internal/service"
)

// referralIn returns a fresh referral from Housing to the job center in state st, brought
// there along the life cycle (expired and revoked through their system paths).
func (w *cwWorld) referralIn(st model.ReferralStatus) *model.Referral {
	w.t.Helper()
	ref, c := w.coveredReferral(w.jobcenter)
	var err error
	step := func(f func() (*model.Referral, error)) {
		if err == nil {
			ref, err = f()
		}
	}
	accept := func() (*model.Referral, error) {
		return w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version)
	}
	switch st {
	case model.ReferralSent:
	case model.ReferralAccepted:
		step(accept)
	case model.ReferralDeclined:
		step(func() (*model.Referral, error) {
			return w.svc.Referrals.Decline(w.ctx, w.jobcenterWorker, ref.ID, ref.Version, "keine Kapazität")
		})
	case model.ReferralInProgress:
		step(accept)
		step(func() (*model.Referral, error) {
			return w.svc.Referrals.Start(w.ctx, w.jobcenterWorker, ref.ID, ref.Version)
		})
	case model.ReferralCompleted:
		step(accept)
		step(func() (*model.Referral, error) {
			return w.svc.Referrals.Complete(w.ctx, w.jobcenterWorker, ref.ID, ref.Version, "in Maßnahme vermittelt")
		})
	case model.ReferralWithdrawn:
		step(func() (*model.Referral, error) {
			return w.svc.Referrals.Withdraw(w.ctx, w.housingWorker, ref.ID, ref.Version)
		})
	case model.ReferralExpired:
		w.db.Gorm.Exec(`UPDATE referrals SET reply_due = reply_due - 100 WHERE id = ?`, ref.ID)
		var n int
		n, err = w.svc.Referrals.ExpireOverdue(w.ctx)
		if err == nil && n != 1 {
			w.t.Fatalf("expired %d referrals, want 1", n)
		}
		step(func() (*model.Referral, error) { return w.svc.Referrals.Get(w.ctx, w.housingWorker, ref.ID) })
	case model.ReferralRevoked:
		_, err = w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, c.Version)
		step(func() (*model.Referral, error) { return w.svc.Referrals.Get(w.ctx, w.housingWorker, ref.ID) })
	default:
		w.t.Fatalf("no way to %s", st)
	}
	if err != nil {
		w.t.Fatalf("bring referral to %s: %v", st, err)
	}
	if ref.Status != st {
		w.t.Fatalf("referral is %s, want %s", ref.Status, st)
	}
	return ref
}

// TestReferralTransitions walks every state against every life-cycle method: the allowed
// transitions (model.AllowedTransitions) succeed with one audit event; every other one is
// a refused transition (model.TransitionError) and changes nothing, not even the version.
func TestReferralTransitions(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	type method struct {
		name   string
		to     model.ReferralStatus
		action string
		call   func(ref *model.Referral) (*model.Referral, error)
	}
	methods := []method{
		{"accept", model.ReferralAccepted, "referral.accept", func(r *model.Referral) (*model.Referral, error) {
			return w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, r.ID, r.Version)
		}},
		{"decline", model.ReferralDeclined, "referral.decline", func(r *model.Referral) (*model.Referral, error) {
			return w.svc.Referrals.Decline(w.ctx, w.jobcenterWorker, r.ID, r.Version, "keine Plätze frei")
		}},
		{"start", model.ReferralInProgress, "referral.start", func(r *model.Referral) (*model.Referral, error) {
			return w.svc.Referrals.Start(w.ctx, w.jobcenterWorker, r.ID, r.Version)
		}},
		{"complete", model.ReferralCompleted, "referral.complete", func(r *model.Referral) (*model.Referral, error) {
			return w.svc.Referrals.Complete(w.ctx, w.jobcenterWorker, r.ID, r.Version, "Arbeitsvertrag ab 1.3.")
		}},
		{"withdraw", model.ReferralWithdrawn, "referral.withdraw", func(r *model.Referral) (*model.Referral, error) {
			return w.svc.Referrals.Withdraw(w.ctx, w.housingWorker, r.ID, r.Version)
		}},
	}
	for _, from := range model.ReferralStatuses {
		for _, m := range methods {
			allowed := slices.Contains(model.AllowedTransitions("referral", string(from)), string(m.to))
			verdict := "forbidden"
			if allowed {
				verdict = "allowed"
			}
			t.Run(string(from)+" "+m.name+" "+verdict, func(t *testing.T) {
				ref := w.referralIn(from)
				if !allowed {
					var err error
					w.unchanged(m.name, func() { _, err = m.call(ref) })
					refused(t, err, "referral", string(from), string(m.to))
					if !strings.Contains(err.Error(), string(from)) {
						t.Errorf("error %q does not name the current state %s", err, from)
					}
					return
				}
				before := w.auditCount(m.action)
				got, err := m.call(ref)
				if err != nil {
					t.Fatalf("%s from %s: %v", m.name, from, err)
				}
				if got.Status != m.to || got.Version != ref.Version+1 {
					t.Errorf("after %s: status %s version %d, want %s version %d", m.name, got.Status, got.Version, m.to, ref.Version+1)
				}
				if terminal := !m.to.Active(); terminal != (got.ClosedAt != nil) {
					t.Errorf("closed_at = %v for %s", got.ClosedAt, m.to)
				}
				if n := w.auditCount(m.action) - before; n != 1 {
					t.Errorf("%d %s audit events, want 1", n, m.action)
				}
				stored, err := w.svc.Referrals.Get(w.ctx, w.housingWorker, ref.ID)
				if err != nil || stored.Status != m.to || stored.Version != got.Version {
					t.Errorf("stored referral %+v, %v", stored, err)
				}
			})
		}
	}
}

// TestReferralAnswers: the texts of the answers are required, kept and shown to the sender.
func TestReferralAnswers(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	t.Run("decline needs a reason", func(t *testing.T) {
		ref := w.referralIn(model.ReferralSent)
		var err error
		w.unchanged("decline", func() { _, err = w.svc.Referrals.Decline(w.ctx, w.jobcenterWorker, ref.ID, ref.Version, "  ") })
		cwErr(t, err, model.ErrInvalid, "reason")
	})
	t.Run("complete needs an outcome", func(t *testing.T) {
		ref := w.referralIn(model.ReferralAccepted)
		var err error
		w.unchanged("complete", func() { _, err = w.svc.Referrals.Complete(w.ctx, w.jobcenterWorker, ref.ID, ref.Version, "") })
		cwErr(t, err, model.ErrInvalid, "outcome")
	})
	t.Run("the sender sees reply and outcome", func(t *testing.T) {
		declined := w.referralIn(model.ReferralDeclined)
		completed := w.referralIn(model.ReferralCompleted)
		got, err := w.svc.Referrals.Get(w.ctx, w.housingWorker, declined.ID)
		if err != nil || got.Reply != "keine Kapazität" || got.AnsweredBy == nil || *got.AnsweredBy != w.jobcenterWorker.UserID || got.AnsweredAt == nil {
			t.Errorf("declined referral as the sender sees it: %+v, %v", got, err)
		}
		got, err = w.svc.Referrals.Get(w.ctx, w.housingWorker, completed.ID)
		if err != nil || got.Outcome != "in Maßnahme vermittelt" || got.ClosedAt == nil {
			t.Errorf("completed referral as the sender sees it: %+v, %v", got, err)
		}
	})
	t.Run("stale version is a conflict", func(t *testing.T) {
		ref := w.referralIn(model.ReferralSent)
		var err error
		w.unchanged("accept", func() { _, err = w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version+1) })
		cwErr(t, err, model.ErrConflict, "")
	})
}

// TestReferralVisibility: the sender and the case's lead (and its department head) see a
// referral at every step; the recipient only while it is active; anyone else never.
func TestReferralVisibility(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	states := []model.ReferralStatus{model.ReferralSent, model.ReferralAccepted, model.ReferralInProgress, model.ReferralDeclined, model.ReferralCompleted, model.ReferralWithdrawn, model.ReferralExpired, model.ReferralRevoked}
	for _, st := range states {
		ref := w.referralIn(st)
		for _, tc := range []struct {
			who  string
			a    model.Actor
			sees bool
		}{
			{"sender", w.housingWorker, true},
			{"sender's colleague", w.housingWorker2, true},
			{"department head", w.housingLead, true},
			{"recipient", w.jobcenterWorker, st.Active()},
			{"other partner", w.caritasWorker, false},
			{"other department", w.migrationWorker, false},
			{"unit below the sender", w.northWorker, false},
			{"system administrator", w.sysadmin, false},
		} {
			t.Run(string(st)+" "+tc.who, func(t *testing.T) {
				got, err := w.svc.Referrals.Get(w.ctx, tc.a, ref.ID)
				if tc.sees {
					if err != nil || got.Status != st {
						t.Fatalf("Get = %+v, %v; want the referral in state %s", got, err, st)
					}
					return
				}
				cwErr(t, err, model.ErrNotFound, "")
				page, err := w.svc.Referrals.List(w.ctx, tc.a, model.ReferralFilter{})
				if err == nil {
					for _, r := range page.Items {
						if r.ID == ref.ID {
							t.Errorf("the list shows a referral Get hides")
						}
					}
				}
			})
		}
	}
}

// TestReferralCover: no referral without cover. A consent must be of the case, name the
// recipient and every area, be valid today and not revoked; or a legal basis from the list.
func TestReferralCover(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	otherCase := w.newCase(w.housing)
	today := w.today()
	mk := func(mod func(in *model.ConsentCreate)) *model.Consent {
		in := w.consentInput([]uuid.UUID{w.jobcenter}, "work", "language")
		mod(&in)
		c, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, in)
		if err != nil {
			t.Fatalf("consent: %v", err)
		}
		return c
	}
	good := mk(func(*model.ConsentCreate) {})
	forCaritas := mk(func(in *model.ConsentCreate) { in.Recipients = []uuid.UUID{w.caritas} })
	forHousing := mk(func(in *model.ConsentCreate) { in.Areas = []string{"housing"} })
	expired := mk(func(in *model.ConsentCreate) {
		in.ValidFrom, in.ValidUntil = today.AddDate(0, -2, 0), today.AddDate(0, 0, -1)
	})
	future := mk(func(in *model.ConsentCreate) {
		in.ValidFrom, in.ValidUntil = today.AddDate(0, 0, 3), today.AddDate(1, 0, 0)
	})
	revoked := mk(func(*model.ConsentCreate) {})
	if _, err := w.svc.Consents.Revoke(w.ctx, w.housingWorker, revoked.ID, revoked.Version); err != nil {
		t.Fatal(err)
	}
	ofOtherCase := w.consent(otherCase, []uuid.UUID{w.jobcenter}, "work")
	missing := model.NewID()

	for _, tc := range []struct {
		name       string
		consent    *uuid.UUID
		legalBasis string
		areas      []string
		field      string // empty: sent
	}{
		{"covering consent", &good.ID, "", []string{"work"}, ""},
		{"covering consent, two areas", &good.ID, "", []string{"work", "language"}, ""},
		{"no consent and no legal basis", nil, "", []string{"work"}, "consent_id"},
		{"consent for another organisation", &forCaritas.ID, "", []string{"work"}, "consent_id"},
		{"consent for another area", &forHousing.ID, "", []string{"work"}, "consent_id"},
		{"consent covers only some areas", &good.ID, "", []string{"work", "housing"}, "consent_id"},
		{"expired consent", &expired.ID, "", []string{"work"}, "consent_id"},
		{"consent not yet valid", &future.ID, "", []string{"work"}, "consent_id"},
		{"revoked consent", &revoked.ID, "", []string{"work"}, "consent_id"},
		{"consent of another case", &ofOtherCase.ID, "", []string{"work"}, "consent_id"},
		{"unknown consent", &missing, "", []string{"work"}, "consent_id"},
		{"legal basis from the list", nil, "SGB II § 50", []string{"work", "housing"}, ""},
		{"every listed legal basis", nil, model.LegalBasisNames(model.DefaultLegalBases())[len(model.LegalBasisNames(model.DefaultLegalBases()))-1], []string{"work"}, ""},
		{"unknown legal basis", nil, "BGB § 823", []string{"work"}, "legal_basis"},
		{"legal basis, differently spelled", nil, "SGB II §50", []string{"work"}, "legal_basis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := model.ReferralCreate{ToOrgID: w.jobcenter, Areas: tc.areas, ConsentID: tc.consent, LegalBasis: tc.legalBasis}
			if tc.field != "" {
				var err error
				w.unchanged("create", func() { _, err = w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, in) })
				cwErr(t, err, model.ErrInvalid, tc.field)
				return
			}
			ref, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, in)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if ref.Status != model.ReferralSent || ref.FromOrgID != w.housing || ref.Version != 1 {
				t.Errorf("new referral %+v", ref)
			}
			if _, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, ref.ID); err != nil {
				t.Errorf("the recipient cannot see the covered referral: %v", err)
			}
		})
	}

	t.Run("accept needs cover again", func(t *testing.T) {
		c := mk(func(*model.ConsentCreate) {})
		ref := w.referral(caseID, w.jobcenter, c, "work")
		// The consent is narrowed behind the service's back (as a data fix would): the
		// referral stays visible (recipient and date still match) but no longer covered.
		w.db.Gorm.Exec(`UPDATE consents SET areas = '{language}' WHERE id = ?`, c.ID)
		var err error
		w.unchanged("accept", func() { _, err = w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version) })
		cwErr(t, err, model.ErrInvalid, "consent_id")
	})
}

// TestReferralCreateInput: bad input is a field error and changes nothing; cases the actor
// does not lead are not found.
func TestReferralCreateInput(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	closed := w.newCase(w.housing)
	w.db.Gorm.Exec(`UPDATE cases SET status = 'closed', closed_at = now() WHERE id = ?`, closed)
	migrationCase := w.newCase(w.migration)
	var inactive uuid.UUID
	if err := w.db.SQL.QueryRow(`INSERT INTO organisations (id, kind, name, short_name, active) VALUES ($1, 'welfare', 'Alt', 'ALT', false) RETURNING id`, model.NewID()).Scan(&inactive); err != nil {
		t.Fatal(err)
	}
	basis := model.LegalBasisNames(model.DefaultLegalBases())[0]
	long := strings.Repeat("x", 4001)
	for _, tc := range []struct {
		name   string
		a      model.Actor
		caseID uuid.UUID
		in     model.ReferralCreate
		want   error
		field  string
	}{
		{"to itself", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.housing, Areas: []string{"work"}, LegalBasis: basis}, model.ErrInvalid, "to_org_id"},
		{"no recipient", w.housingWorker, caseID, model.ReferralCreate{Areas: []string{"work"}, LegalBasis: basis}, model.ErrInvalid, "to_org_id"},
		{"unknown recipient", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: model.NewID(), Areas: []string{"work"}, LegalBasis: basis}, model.ErrInvalid, "to_org_id"},
		{"inactive recipient", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: inactive, Areas: []string{"work"}, LegalBasis: basis}, model.ErrInvalid, "to_org_id"},
		{"no area", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, LegalBasis: basis}, model.ErrInvalid, "areas"},
		{"unknown area", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work", "astrology"}, LegalBasis: basis}, model.ErrInvalid, "areas"},
		{"message too long", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis, Message: long}, model.ErrInvalid, "message"},
		{"no working days", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis, ReplyDays: cwPtr(0)}, model.ErrInvalid, "reply_days"},
		{"too many working days", w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis, ReplyDays: cwPtr(61)}, model.ErrInvalid, "reply_days"},
		{"closed case", w.housingWorker, closed, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis}, model.ErrInvalid, "case_id"},
		{"case of another department", w.housingWorker, migrationCase, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis}, model.ErrNotFound, ""},
		{"missing case", w.housingWorker, model.NewID(), model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis}, model.ErrNotFound, ""},
		{"a partner cannot refer", w.jobcenterWorker, caseID, model.ReferralCreate{ToOrgID: w.caritas, Areas: []string{"work"}, LegalBasis: basis}, model.ErrNotFound, ""},
		{"a department head cannot refer", w.housingLead, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis}, model.ErrNotFound, ""},
		{"the system administrator cannot refer", w.sysadmin, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: basis}, model.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.unchanged("create", func() { _, err = w.svc.Referrals.Create(w.ctx, tc.a, tc.caseID, tc.in) })
			cwErr(t, err, tc.want, tc.field)
		})
	}

	t.Run("municipal recipients need cover too", func(t *testing.T) {
		var err error
		in := model.ReferralCreate{ToOrgID: w.migration, Areas: []string{"residence"}}
		w.unchanged("create", func() { _, err = w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, in) })
		cwErr(t, err, model.ErrInvalid, "consent_id")
	})
	t.Run("reference and server-owned fields", func(t *testing.T) {
		ref := w.referral(caseID, w.migration, nil, "residence")
		if !strings.HasPrefix(ref.Reference, "V-") || len(ref.Reference) != len("V-2026-00001") {
			t.Errorf("reference %q", ref.Reference)
		}
		if ref.SentBy == nil || *ref.SentBy != w.housingWorker.UserID || ref.FromOrgID != w.housing || ref.Status != model.ReferralSent {
			t.Errorf("server-owned fields: %+v", ref)
		}
	})
}

// TestReferralReplyDue: the deadline is N working days (default 10) from today in
// Europe/Berlin, with the holidays of Lower Saxony.
func TestReferralReplyDue(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name string
		now  time.Time
		days *int
		want string
	}{
		{"default ten days over christmas", time.Date(2026, 12, 23, 10, 0, 0, 0, berlin), nil, "2027-01-08"},
		{"one day before easter", time.Date(2027, 3, 25, 16, 0, 0, 0, berlin), cwPtr(1), "2027-03-30"},
		{"berlin's day, not UTC's", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), cwPtr(1), "2026-11-30"},
		{"sixty days", time.Date(2026, 11, 2, 9, 0, 0, 0, berlin), cwPtr(60), service.AddWorkingDays(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), 60).Format(time.DateOnly)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.setClock(tc.now)
			defer w.setClock(time.Now())
			ref, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.jobcenter, Areas: []string{"work"}, LegalBasis: model.LegalBasisNames(model.DefaultLegalBases())[0], ReplyDays: tc.days})
			if err != nil {
				t.Fatal(err)
			}
			if got := ref.ReplyDue.Format(time.DateOnly); got != tc.want {
				t.Errorf("reply due %s, want %s", got, tc.want)
			}
			var stored string
			if err := w.db.SQL.QueryRow(`SELECT reply_due::text FROM referrals WHERE id = $1`, ref.ID).Scan(&stored); err != nil || stored != tc.want {
				t.Errorf("stored reply due %s (%v), want %s", stored, err, tc.want)
			}
		})
	}
}

// TestExpireOverdue: sent referrals whose deadline has passed expire, with one audit event
// each; answered ones and those still in time stay.
func TestExpireOverdue(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	due := w.referralIn(model.ReferralSent)
	dueToday := w.referralIn(model.ReferralSent)
	accepted := w.referralIn(model.ReferralAccepted)
	w.db.Gorm.Exec(`UPDATE referrals SET reply_due = ?::date WHERE id IN (?, ?)`, w.today().AddDate(0, 0, -1).Format(time.DateOnly), due.ID, accepted.ID)
	w.db.Gorm.Exec(`UPDATE referrals SET reply_due = ?::date WHERE id = ?`, w.today().Format(time.DateOnly), dueToday.ID)

	before := w.auditCount("referral.expire")
	n, err := w.svc.Referrals.ExpireOverdue(w.ctx)
	if err != nil || n != 1 {
		t.Fatalf("ExpireOverdue = %d, %v; want 1", n, err)
	}
	if got := w.auditCount("referral.expire") - before; got != 1 {
		t.Errorf("%d expiry audit events, want 1", got)
	}
	for _, tc := range []struct {
		ref  *model.Referral
		want model.ReferralStatus
	}{{due, model.ReferralExpired}, {dueToday, model.ReferralSent}, {accepted, model.ReferralAccepted}} {
		got, err := w.svc.Referrals.Get(w.ctx, w.housingWorker, tc.ref.ID)
		if err != nil || got.Status != tc.want {
			t.Errorf("referral %s: %+v, %v; want %s", tc.ref.Reference, got, err, tc.want)
		}
	}
	if _, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, due.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the recipient still sees the expired referral: %v", err)
	}
	// A day later (the services' clock), the one due today expires too; running again is a no-op.
	w.setClock(time.Now().AddDate(0, 0, 1))
	defer w.setClock(time.Now())
	if n, err := w.svc.Referrals.ExpireOverdue(w.ctx); err != nil || n != 1 {
		t.Errorf("the next day: %d, %v; want 1", n, err)
	}
	if n, err := w.svc.Referrals.ExpireOverdue(w.ctx); err != nil || n != 0 {
		t.Errorf("again: %d, %v; want 0", n, err)
	}
}

// TestConcurrentAccepts: two accepts with the same version race; exactly one wins, the other
// gets ErrConflict, and exactly one audit event is written.
func TestConcurrentAccepts(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	for round := 0; round < 5; round++ {
		ref := w.referralIn(model.ReferralSent)
		before := w.auditCount("referral.accept")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version)
			}()
		}
		close(start)
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, model.ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Errorf("round %d: %d wins, %d conflicts; want 1 and 1", round, wins, conflicts)
		}
		if n := w.auditCount("referral.accept") - before; n != 1 {
			t.Errorf("round %d: %d accept events, want 1", round, n)
		}
		got, _ := w.svc.Referrals.Get(w.ctx, w.housingWorker, ref.ID)
		if got.Version != ref.Version+1 || got.Status != model.ReferralAccepted {
			t.Errorf("round %d: stored %s version %d", round, got.Status, got.Version)
		}
	}
}

// TestReferralLists: incoming and outgoing lists page with a keyset cursor and return every
// visible referral exactly once, while new referrals arrive between pages; totals count what
// the actor may see.
func TestReferralLists(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	send := func(to uuid.UUID, days int) *model.Referral {
		ref, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{
			ToOrgID: to, Areas: []string{"work"}, LegalBasis: model.LegalBasisNames(model.DefaultLegalBases())[0], ReplyDays: cwPtr(days)})
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	var toJobcenter, toCaritas []uuid.UUID
	for i := 0; i < 23; i++ {
		toJobcenter = append(toJobcenter, send(w.jobcenter, 1+i%4).ID) // many share a reply date
	}
	for i := 0; i < 5; i++ {
		toCaritas = append(toCaritas, send(w.caritas, 3).ID)
	}
	// One withdrawn referral: the sender still lists it, the recipient no longer.
	gone := send(w.jobcenter, 2)
	if _, err := w.svc.Referrals.Withdraw(w.ctx, w.housingWorker, gone.ID, gone.Version); err != nil {
		t.Fatal(err)
	}

	all := func(a model.Actor, f model.ReferralFilter, during func(page int)) ([]model.Referral, []int64) {
		t.Helper()
		var out []model.Referral
		var totals []int64
		for page := 0; ; page++ {
			p, err := w.svc.Referrals.List(w.ctx, a, f)
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			out = append(out, p.Items...)
			totals = append(totals, p.Total)
			if p.NextCursor == "" {
				return out, totals
			}
			if len(p.Items) != f.Limit {
				t.Fatalf("page %d has %d items before the end, want %d", page, len(p.Items), f.Limit)
			}
			f.Cursor = p.NextCursor
			if during != nil {
				during(page)
			}
		}
	}
	ids := func(rs []model.Referral) []uuid.UUID {
		out := make([]uuid.UUID, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return out
	}
	exactlyOnce := func(t *testing.T, got, want []uuid.UUID) {
		t.Helper()
		seen := map[uuid.UUID]int{}
		for _, id := range got {
			seen[id]++
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s listed %d times", id, n)
			}
		}
		for _, id := range want {
			if seen[id] != 1 {
				t.Errorf("%s listed %d times, want once", id, seen[id])
			}
		}
	}

	t.Run("incoming, by reply deadline, while referrals arrive", func(t *testing.T) {
		var added []uuid.UUID
		got, totals := all(w.jobcenterWorker, model.ReferralFilter{Box: model.ReferralsIncoming, Limit: 5}, func(int) {
			added = append(added, send(w.jobcenter, 1).ID, send(w.jobcenter, 60).ID)
		})
		exactlyOnce(t, ids(got), toJobcenter)
		for _, r := range got {
			if r.ToOrgID != w.jobcenter || !r.Status.Active() {
				t.Errorf("incoming list shows %+v", r)
			}
		}
		if !slices.IsSortedFunc(got, func(a, b model.Referral) int {
			if c := a.ReplyDue.Compare(b.ReplyDue); c != 0 {
				return c
			}
			return strings.Compare(a.ID.String(), b.ID.String())
		}) {
			t.Errorf("incoming list is not ordered by reply deadline and id")
		}
		if totals[0] != int64(len(toJobcenter)) {
			t.Errorf("first total %d, want %d", totals[0], len(toJobcenter))
		}
		// Every total counts what was visible when the page was read.
		for i, n := range totals {
			if want := int64(len(toJobcenter) + 2*i); n != want {
				t.Errorf("total on page %d = %d, want %d", i, n, want)
			}
		}
		_ = added
	})
	t.Run("outgoing, newest first, including closed ones", func(t *testing.T) {
		got, totals := all(w.housingWorker, model.ReferralFilter{Box: model.ReferralsOutgoing, Limit: 7}, func(int) { send(w.caritas, 5) })
		want := append(append(slices.Clone(toJobcenter), toCaritas...), gone.ID)
		exactlyOnce(t, ids(got), want)
		if totals[0] < int64(len(want)) {
			t.Errorf("total %d < %d", totals[0], len(want))
		}
		for i := 1; i < len(got); i++ {
			if got[i].CreatedAt.After(got[i-1].CreatedAt) {
				t.Errorf("outgoing list is not newest first at %d", i)
			}
		}
	})
	t.Run("by status", func(t *testing.T) {
		p, err := w.svc.Referrals.List(w.ctx, w.housingWorker, model.ReferralFilter{Box: model.ReferralsOutgoing, Status: []model.ReferralStatus{model.ReferralWithdrawn}})
		if err != nil || p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != gone.ID {
			t.Errorf("withdrawn outgoing: %+v, %v", p, err)
		}
	})
	t.Run("counts respect access", func(t *testing.T) {
		p, err := w.svc.Referrals.List(w.ctx, w.caritasWorker, model.ReferralFilter{Box: model.ReferralsIncoming, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			if r.ToOrgID != w.caritas {
				t.Errorf("caritas sees %+v", r)
			}
		}
		if p.Total != int64(len(p.Items)) {
			t.Errorf("total %d for %d items", p.Total, len(p.Items))
		}
		p, err = w.svc.Referrals.List(w.ctx, w.migrationWorker, model.ReferralFilter{})
		if err != nil || p.Total != 0 || len(p.Items) != 0 {
			t.Errorf("another department sees %+v, %v", p, err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, f := range []model.ReferralFilter{
			{Limit: 101}, {Limit: -1}, {Cursor: "not a cursor"}, {Box: "sideways"},
			{Status: []model.ReferralStatus{"lost"}},
		} {
			_, err := w.svc.Referrals.List(w.ctx, w.housingWorker, f)
			cwErr(t, err, model.ErrInvalid, "")
		}
		p, _ := w.svc.Referrals.List(w.ctx, w.housingWorker, model.ReferralFilter{Box: model.ReferralsOutgoing, Limit: 1})
		_, err := w.svc.Referrals.List(w.ctx, w.housingWorker, model.ReferralFilter{Box: model.ReferralsIncoming, Cursor: p.NextCursor})
		cwErr(t, err, model.ErrInvalid, "cursor")
	})
}
