package service_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// cwWorld is the test city (testutil/world, without the app) seen by the consent, referral
// and task tests:
//
//	City ─┬─ Housing ── HousingNorth      (municipal)
//	      └─ Migration                    (municipal)
//	Jobcenter (jobcenter), Caritas, Diakonie (welfare)
//
// with the actors these tests use: caseworkers in every organisation (two in Housing), a
// lead (department head) of Housing and a system administrator. Cases are made through the
// store (the cases service is not what these tests test); everything else goes through the
// services, the world's builder services on a clock of the test's own.
type cwWorld struct {
	t   *testing.T
	ctx context.Context
	db  *db.DB
	st  *store.Store
	svc *service.Services
	// ownerURL reaches the test database as its owner (for tests that break a table).
	ownerURL string

	city, housing, north, migration, jobcenter, caritas uuid.UUID

	housingWorker, housingWorker2, northWorker, housingLead, migrationWorker model.Actor
	jobcenterWorker, caritasWorker, sysadmin                                 model.Actor

	// clock is what the services see as now; tests of expiry move it.
	mu    sync.Mutex
	clock time.Time
}

func newCW(t *testing.T) *cwWorld {
	t.Helper()
	ctx := context.Background()
	c := world.NewCity(t)
	w := &cwWorld{
		t: t, ctx: ctx, db: c.DB, st: c.Store, clock: time.Now(), ownerURL: c.OwnerURL,
		city: c.City.ID, housing: c.Housing.ID, north: c.HousingNorth.ID, migration: c.Migration.ID, jobcenter: c.Jobcenter.ID, caritas: c.Caritas.ID,
	}
	w.svc = c.Services(t)
	w.svc.SetClock(w.now)
	for _, u := range []struct {
		dst  *model.Actor
		user *world.User
	}{
		{&w.housingWorker, c.HousingWorker}, {&w.housingWorker2, c.HousingWorker2}, {&w.northWorker, c.NorthWorker},
		{&w.housingLead, c.HousingLead}, {&w.migrationWorker, c.MigrationWorker}, {&w.jobcenterWorker, c.JobcenterWorker},
		{&w.caritasWorker, c.CaritasWorker}, {&w.sysadmin, c.Sysadmin},
	} {
		org := u.user.Grants[0].OrgID
		a, _, err := w.svc.Access.Actor(ctx, service.ActorRequest{UserID: u.user.ID, OrgID: &org, RequestID: "req-" + u.user.Name})
		if err != nil {
			t.Fatalf("actor %s: %v", u.user.Name, err)
		}
		*u.dst = a
	}
	return w
}

func (w *cwWorld) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock
}

// setClock moves the services' clock.
func (w *cwWorld) setClock(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clock = t
}

// today is the services' calendar day (Europe/Berlin) as midnight UTC.
func (w *cwWorld) today() time.Time {
	loc, _ := time.LoadLocation("Europe/Berlin")
	y, m, d := w.now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// newCase creates an open case led by org, with a primary person, and returns its id.
func (w *cwWorld) newCase(lead uuid.UUID) uuid.UUID {
	w.t.Helper()
	c := &model.Case{LeadOrgID: lead, Status: model.CaseOpen, OpenedAt: time.Now().UTC()}
	err := w.st.Tx(w.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		var err error
		if c.Reference, err = tx.NextReference(w.ctx, "F", time.Now().Year()); err != nil {
			return err
		}
		return tx.Cases().Create(w.ctx, c)
	})
	if err != nil {
		w.t.Fatalf("create case: %v", err)
	}
	w.newPerson(c.ID)
	return c.ID
}

// newPerson adds a person to a case with plain SQL and returns its id.
func (w *cwWorld) newPerson(caseID uuid.UUID) uuid.UUID {
	w.t.Helper()
	id := model.NewID()
	var primary bool
	if err := w.db.SQL.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM persons WHERE case_id = $1)`, caseID).Scan(&primary); err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.Gorm.Exec(`INSERT INTO persons (id, case_id, is_primary, family_name) VALUES (?, ?, ?, ?)`, id, caseID, primary, "Test").Error; err != nil {
		w.t.Fatalf("create person: %v", err)
	}
	return id
}

// consentInput is a valid consent for recipients and areas, valid from today for a year.
func (w *cwWorld) consentInput(recipients []uuid.UUID, areas ...string) model.ConsentCreate {
	return model.ConsentCreate{
		Recipients: recipients, Areas: areas, DataCategories: []model.DataCategory{model.CategoryIdentity},
		Purpose: "Vermittlung in Arbeit", ValidFrom: w.today(), ValidUntil: w.today().AddDate(1, 0, 0),
		Evidence: "Akte 4711, Blatt 3", Language: "ar",
	}
}

// consent records a consent on caseID (led by Housing) as the Housing caseworker.
func (w *cwWorld) consent(caseID uuid.UUID, recipients []uuid.UUID, areas ...string) *model.Consent {
	w.t.Helper()
	c, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, w.consentInput(recipients, areas...))
	if err != nil {
		w.t.Fatalf("create consent: %v", err)
	}
	return c
}

// referral sends a referral of caseID from Housing to `to` for areas under consent.
func (w *cwWorld) referral(caseID, to uuid.UUID, consent *model.Consent, areas ...string) *model.Referral {
	w.t.Helper()
	in := model.ReferralCreate{ToOrgID: to, Areas: areas, Message: "Bitte um Unterstützung"}
	if consent != nil {
		in.ConsentID = &consent.ID
	} else {
		in.LegalBasis = model.LegalBasisNames(model.DefaultLegalBases())[0]
	}
	r, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, in)
	if err != nil {
		w.t.Fatalf("create referral: %v", err)
	}
	return r
}

// coveredReferral makes a fresh case led by Housing, a consent for `to` on work, and a
// referral of it from Housing to `to`.
func (w *cwWorld) coveredReferral(to uuid.UUID) (*model.Referral, *model.Consent) {
	w.t.Helper()
	caseID := w.newCase(w.housing)
	c := w.consent(caseID, []uuid.UUID{to}, "work")
	return w.referral(caseID, to, c, "work"), c
}

// count runs a counting query.
func (w *cwWorld) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.SQL.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// auditCount counts the audit events with action (all when empty).
func (w *cwWorld) auditCount(action string) int {
	w.t.Helper()
	if action == "" {
		return w.count(`SELECT count(*) FROM audit_events`)
	}
	return w.count(`SELECT count(*) FROM audit_events WHERE action = $1`, action)
}

// fingerprint summarises every row of the case-work tables and the audit trail, for
// before/after comparisons that catch any write.
func (w *cwWorld) fingerprint() string {
	w.t.Helper()
	return testutil.Fingerprint(w.t, w.db.SQL, "consents", "consent_recipients", "referrals", "tasks", "task_comments", "audit_events", "reference_counters")
}

// unchanged fails the test when fn changed any row.
func (w *cwWorld) unchanged(what string, fn func()) {
	w.t.Helper()
	before := w.fingerprint()
	fn()
	if after := w.fingerprint(); after != before {
		w.t.Errorf("%s changed the database:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// cwErr checks that err is of category want; for ErrInvalid also that it names field.
func cwErr(t *testing.T, err, want error, field string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	if field == "" {
		return
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v carries no field errors, want one for %s", err, field)
	}
	for _, f := range ve.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v names no field %s", err, field)
}

func cwPtr[T any](v T) *T { return &v }
