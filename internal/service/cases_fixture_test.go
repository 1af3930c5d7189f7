package service_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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

// caseFixture is the test city (testutil/world, without the app) seen by the case tests:
//
//	City (municipal) ── Housing (municipal) ── HousingNorth (municipal)
//	Jobcenter, Caritas, Diakonie (partners)
//
// with the users per role that the tests need. Referrals, consents and tasks are inserted as
// rows (their services are not under test here).
type caseFixture struct {
	t   *testing.T
	ctx context.Context
	db  *db.DB
	own *db.DB // the same database as its owner, for set-up no application does (exec)
	st  *store.Store
	svc *service.Services

	city, housing, north, jobcenter, caritas, diakonie uuid.UUID

	housingWorker, housingWorker2, housingLead, northWorker uuid.UUID
	jobcenterWorker, caritasWorker, diakonieWorker          uuid.UUID
	sysadmin, dpo                                           uuid.UUID

	seq atomic.Int64
}

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	c := world.NewCity(t)
	return &caseFixture{
		t: t, ctx: context.Background(), db: c.DB, own: testutil.Open(t, c.OwnerURL), st: c.Store, svc: c.Services(t),
		city: c.City.ID, housing: c.Housing.ID, north: c.HousingNorth.ID, jobcenter: c.Jobcenter.ID, caritas: c.Caritas.ID, diakonie: c.Diakonie.ID,
		housingWorker: c.HousingWorker.ID, housingWorker2: c.HousingWorker2.ID, housingLead: c.HousingLead.ID, northWorker: c.NorthWorker.ID,
		jobcenterWorker: c.JobcenterWorker.ID, caritasWorker: c.CaritasWorker.ID, diakonieWorker: c.DiakonieWorker.ID,
		sysadmin: c.Sysadmin.ID, dpo: c.DPO.ID,
	}
}

// as is the actor of user acting in org, with a fresh request id.
func (f *caseFixture) as(user, org uuid.UUID) model.Actor {
	f.t.Helper()
	a, _, err := f.svc.Access.Actor(f.ctx, service.ActorRequest{UserID: user, OrgID: &org, RequestID: fmt.Sprintf("req-%d", f.seq.Add(1))})
	if err != nil {
		f.t.Fatalf("actor: %v", err)
	}
	a.Purpose = "test"
	return a
}

func (f *caseFixture) worker() model.Actor { return f.as(f.housingWorker, f.housing) }

func cfDate(y int, m time.Month, d int) *model.Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// person is a complete person input.
func cfPerson(family, given string, variants ...string) model.PersonInput {
	return model.PersonInput{
		FamilyName: family, GivenNames: given, NameVariants: variants,
		BirthDate: cfDate(1990, 5, 17), Languages: []string{"ar", "de"}, ArrivalDate: cfDate(2023, 3, 1),
		ResidenceStatus: "Aufenthaltserlaubnis", District: "Schinkel", Phone: "+49 541 123456",
		Email: "person@example.org", Address: "Musterstraße 1, 49074 Osnabrück",
	}
}

// newCase opens a case as the actor with a primary person and optional members.
func (f *caseFixture) newCase(a model.Actor, primary model.PersonInput, members ...model.PersonInput) *model.CaseView {
	f.t.Helper()
	v, err := f.svc.Cases.Create(f.ctx, a, model.CaseCreate{Primary: primary, Members: members})
	if err != nil {
		f.t.Fatalf("create case: %v", err)
	}
	return v
}

// referral describes a referral row with its consent.
type cfReferral struct {
	from, to   uuid.UUID
	areas      []string
	status     model.ReferralStatus
	categories []string   // consent data categories; nil with legalBasis: no consent at all
	legalBasis string     // recorded legal basis
	personID   *uuid.UUID // consent given for this person only
}

// refer inserts a referral (and, unless it rests on a legal basis only, its consent naming
// the recipient, valid from yesterday for a year) and returns the ids.
func (f *caseFixture) refer(caseID uuid.UUID, r cfReferral) (refID, consentID uuid.UUID) {
	f.t.Helper()
	refID = model.NewID()
	var consent *uuid.UUID
	if r.legalBasis == "" || r.categories != nil {
		consentID = model.NewID()
		consent = &consentID
		cats := r.categories
		if cats == nil {
			cats = []string{}
		}
		f.exec(`INSERT INTO consents (id, case_id, person_id, areas, data_categories, purpose, valid_from, valid_until, evidence, recorded_org_id)
			VALUES ($1, $2, $3, $4, $5, 'Vermittlung', current_date - 1, current_date + 365, 'Formular vom Vortag', $6)`,
			consentID, caseID, r.personID, model.StringList(r.areas), model.StringList(cats), r.from)
		f.exec(`INSERT INTO consent_recipients (consent_id, org_id) VALUES ($1, $2)`, consentID, r.to)
	}
	status := r.status
	if status == "" {
		status = model.ReferralAccepted
	}
	basisCats := model.StringList{}
	if r.legalBasis != "" {
		basisCats = model.StringList{string(model.CategoryIdentity)} // the configured default
	}
	f.exec(`INSERT INTO referrals (id, reference, case_id, from_org_id, to_org_id, areas, reply_due, status, consent_id, legal_basis, legal_basis_categories)
		VALUES ($1, $2, $3, $4, $5, $6, current_date + 10, $7, $8, $9, $10)`,
		refID, fmt.Sprintf("V-TEST-%05d", f.seq.Add(1)), caseID, r.from, r.to, model.StringList(r.areas), string(status), consent, r.legalBasis, basisCats)
	return refID, consentID
}

// task inserts a task of org on the case.
func (f *caseFixture) task(caseID, org uuid.UUID, status model.TaskStatus) uuid.UUID {
	f.t.Helper()
	id := model.NewID()
	f.exec(`INSERT INTO tasks (id, org_id, case_id, title, status) VALUES ($1, $2, $3, 'Termin vereinbaren', $4)`, id, org, caseID, string(status))
	return id
}

// exec runs set-up SQL as the owner: tests may shape data in ways the application's role
// may not (delete a referral, change reference data).
func (f *caseFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.own.SQL.ExecContext(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *caseFixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.SQL.QueryRowContext(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// fingerprint summarises every table a case operation may write; equal fingerprints mean
// nothing changed and nothing was recorded.
func (f *caseFixture) fingerprint() string {
	f.t.Helper()
	return testutil.Fingerprint(f.t, f.db.SQL, "cases", "persons", "area_statuses", "notes", "reference_counters")
}

// wantErr checks err against want (nil: no error).
func cfWantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// invalidField checks that err is a validation error naming field.
func cfInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	for _, fe := range ve.Fields {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("validation error %v does not name %s", ve, field)
}

// allCaseIDs lists every case in the database.
func (f *caseFixture) allCaseIDs() []uuid.UUID {
	f.t.Helper()
	rows, err := f.db.SQL.QueryContext(f.ctx, `SELECT id FROM cases ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// listAll pages through the list of f with a small page size and returns every item and
// the total of the first page.
func (f *caseFixture) listAll(a model.Actor, filter model.CaseFilter) ([]model.CaseView, int64) {
	f.t.Helper()
	var items []model.CaseView
	var total int64 = -1
	filter.Limit = 3
	for page := 0; page < 1000; page++ {
		p, err := f.svc.Cases.List(f.ctx, a, filter)
		if err != nil {
			f.t.Fatalf("list: %v", err)
		}
		if total < 0 {
			total = p.Total
		} else if p.Total != total {
			f.t.Fatalf("total changed between pages: %d, then %d", total, p.Total)
		}
		items = append(items, p.Items...)
		if p.NextCursor == "" {
			return items, total
		}
		filter.Cursor = p.NextCursor
	}
	f.t.Fatal("list does not end")
	return nil, 0
}
