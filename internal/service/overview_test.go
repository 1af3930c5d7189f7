package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The read models of the case page and the referral form (overview.go): what each viewer
// sees and may do, one audit event per page listing what was shown, and a number of SQL
// statements that does not grow with the members of the organisation.

// auditOf returns the audit events of one actor, oldest first.
func auditOf(t *testing.T, w *world.World, u *world.User) []model.AuditEvent {
	t.Helper()
	var out []model.AuditEvent
	if err := w.DB.Gorm.Where("actor_id = ?", u.ID).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// onePageEvent runs page as u and returns the one audit event it wrote; it fails when the
// page wrote none or more than one.
func onePageEvent(t *testing.T, w *world.World, u *world.User, page func() error) model.AuditEvent {
	t.Helper()
	before := len(auditOf(t, w, u))
	if err := page(); err != nil {
		t.Fatal(err)
	}
	evs := auditOf(t, w, u)[before:]
	if len(evs) != 1 {
		t.Fatalf("the page wrote %d audit events, want 1: %+v", len(evs), evs)
	}
	return evs[0]
}

// shownIDs reads the ids of one kind that an overview's audit event lists.
func shownIDs(t *testing.T, ev model.AuditEvent, kind string) []string {
	t.Helper()
	shown, ok := ev.Details["shown"].(map[string]any)
	if !ok {
		t.Fatalf("audit event without shown: %+v", ev.Details)
	}
	var out []string
	list, _ := shown[kind].([]any)
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func timelineKinds(o *model.CaseOverview) []model.TimelineKind {
	var out []model.TimelineKind
	for _, e := range o.Timeline {
		out = append(out, e.Kind)
	}
	return out
}

func TestCaseOverview(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	id := cw.Case.ID

	t.Run("the lead caseworker sees everything and may do the caseworker's work", func(t *testing.T) {
		var o *model.CaseOverview
		ev := onePageEvent(t, w, w.HousingWorker, func() (err error) {
			o, err = svc.Cases.Overview(ctx, w.Actor(t, w.HousingWorker), id)
			return err
		})
		if ev.Action != "case.read" || ev.CaseID == nil || *ev.CaseID != id || ev.Details["page"] != "overview" || ev.Details["access"] != "full" {
			t.Errorf("audit event %+v", ev)
		}
		for kind, want := range map[string][]string{
			"persons": {cw.Person.ID.String()}, "consents": {cw.Consent.ID.String()}, "referrals": {cw.Referral.ID.String()},
			"tasks": {cw.Task.ID.String()}, "notes": {cw.SharedNote.ID.String(), cw.OrgNote.ID.String()},
		} {
			got := shownIDs(t, ev, kind)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("audit event lists %s %v, want %v", kind, got, want)
			}
		}
		if !o.Case.Access.Full || len(o.Case.Persons) != 1 || o.Case.Persons[0].Phone != cw.Person.Phone || len(o.Case.Plan) != len(o.Areas) {
			t.Errorf("case %+v", o.Case)
		}
		m := o.May
		if !m.Update || !m.EditPlan || !m.AddNote || !m.AddTask || !m.ReadConsents || !m.RecordConsent || !m.RevokeConsent || !m.Refer ||
			m.NoteAreaRequired || len(m.NoteAreas) != len(o.Areas) || !slices.Equal(m.StatusNext, []string{"paused", "closed"}) {
			t.Errorf("the lead may %+v", m)
		}
		if len(o.Consents) != 1 || !o.Consents[0].Valid || !o.Consents[0].MayRevoke {
			t.Errorf("consents %+v", o.Consents)
		}
		if len(o.Referrals) != 1 || o.Referrals[0].MayAnswer || !o.Referrals[0].MayWithdraw {
			t.Errorf("referrals %+v", o.Referrals)
		}
		if len(o.Tasks) != 1 || len(o.Notes) != 2 {
			t.Errorf("%d tasks, %d notes", len(o.Tasks), len(o.Notes))
		}
		kinds := timelineKinds(o)
		for _, k := range []model.TimelineKind{model.TimelineOpened, model.TimelineReferral, model.TimelineNote, model.TimelineTask} {
			if !slices.Contains(kinds, k) {
				t.Errorf("timeline %v lacks %s", kinds, k)
			}
		}
		if kinds[len(kinds)-1] != model.TimelineOpened {
			t.Errorf("timeline %v does not end with the opening", kinds)
		}
		for i := 1; i < len(o.Timeline); i++ {
			if o.Timeline[i].At.After(o.Timeline[i-1].At) {
				t.Errorf("timeline out of order at %d", i)
			}
		}
		// A caseworker reads the names of colleagues in the own organisation (staff.read), no
		// other member data.
		if len(o.People) != 1 || o.People[w.HousingWorker.ID] != "Wiebke Wohnen" {
			t.Errorf("a caseworker reads names %v, want the colleague's only", o.People)
		}
	})
	t.Run("the department head reads names of the team, and no forms", func(t *testing.T) {
		o, err := svc.Cases.Overview(ctx, w.Actor(t, w.HousingLead), id)
		if err != nil {
			t.Fatal(err)
		}
		if o.People[w.HousingWorker.ID] != "Wiebke Wohnen" {
			t.Errorf("names %v", o.People)
		}
		for uid := range o.People {
			if uid != w.HousingWorker.ID {
				t.Errorf("names %s, who is not mentioned on the page", uid)
			}
		}
		if m := o.May; m.Update || m.EditPlan || m.Refer || m.RecordConsent || m.RevokeConsent || len(m.StatusNext) > 0 {
			t.Errorf("the head may %+v", m)
		}
		for _, co := range o.Consents {
			if co.MayRevoke {
				t.Error("the head may revoke a consent")
			}
		}
	})
	t.Run("the partner sees the referred area and may answer", func(t *testing.T) {
		var o *model.CaseOverview
		ev := onePageEvent(t, w, w.JobcenterWorker, func() (err error) {
			o, err = svc.Cases.Overview(ctx, w.Actor(t, w.JobcenterWorker), id)
			return err
		})
		if ev.Details["access"] != "referred" || len(shownIDs(t, ev, "consents")) != 0 || len(shownIDs(t, ev, "tasks")) != 0 {
			t.Errorf("audit event %+v", ev.Details)
		}
		if o.Case.Access.Full || len(o.Consents) != 0 || len(o.Tasks) != 0 {
			t.Errorf("the partner sees %+v, %d consents, %d tasks", o.Case.Access, len(o.Consents), len(o.Tasks))
		}
		for _, n := range o.Notes {
			if n.ID == cw.OrgNote.ID {
				t.Error("the partner reads the lead's own note")
			}
		}
		m := o.May
		if m.Update || m.Refer || m.ReadConsents || m.RecordConsent || !m.AddNote || !m.NoteAreaRequired || !slices.Equal(m.NoteAreas, []string{"work"}) {
			t.Errorf("the partner may %+v", m)
		}
		if len(o.Referrals) != 1 || !o.Referrals[0].MayAnswer || o.Referrals[0].MayWithdraw {
			t.Errorf("the partner's referrals %+v", o.Referrals)
		}
	})
	t.Run("an answered referral is on the timeline", func(t *testing.T) {
		if _, err := svc.Referrals.Accept(ctx, w.Actor(t, w.JobcenterWorker), cw.Referral.ID, cw.Referral.Version); err != nil {
			t.Fatal(err)
		}
		o, err := svc.Cases.Overview(ctx, w.Actor(t, w.HousingWorker), id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(timelineKinds(o), model.TimelineAnswered) {
			t.Errorf("timeline %v", timelineKinds(o))
		}
		if o.Referrals[0].MayAnswer {
			t.Error("an accepted referral may be answered again")
		}
	})
	t.Run("others get not found, and nothing is logged", func(t *testing.T) {
		for _, u := range []*world.User{w.CaritasWorker, w.Sysadmin, w.DPO} {
			before := len(auditOf(t, w, u))
			if _, err := svc.Cases.Overview(ctx, w.Actor(t, u), id); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("%s: %v", u.Name, err)
			}
			if n := len(auditOf(t, w, u)) - before; n != 0 {
				t.Errorf("%s: %d audit events for a refused page", u.Name, n)
			}
		}
	})
}

// statementCounter counts the SQL statements GORM runs for contexts that carry it.
type statementCounter struct{ n atomic.Int64 }

type counterKey struct{}

func countStatements(t *testing.T, db *gorm.DB) {
	t.Helper()
	count := func(g *gorm.DB) {
		if c, ok := g.Statement.Context.Value(counterKey{}).(*statementCounter); ok {
			c.n.Add(1)
		}
	}
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", count),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", count),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", count),
		"create": cb.Create().After("gorm:create").Register("test:count_create", count),
		"update": cb.Update().After("gorm:update").Register("test:count_update", count),
		"delete": cb.Delete().After("gorm:delete").Register("test:count_delete", count),
	} {
		if err != nil {
			t.Fatalf("register %s callback: %v", name, err)
		}
	}
}

// TestCaseOverviewStatements: the case page runs a fixed number of statements; a hundred
// more members in the organisation add none (the names come from the accounts the page
// mentions, not from every member in scope).
func TestCaseOverviewStatements(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	countStatements(t, w.DB.Gorm)
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	statements := func(u *world.User) int64 {
		t.Helper()
		c := &statementCounter{}
		ctx := context.WithValue(context.Background(), counterKey{}, c)
		o, err := svc.Cases.Overview(ctx, w.Actor(t, u), cw.Case.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u == w.HousingLead && o.People[w.HousingWorker.ID] == "" {
			t.Fatalf("the head reads no names: %v", o.People)
		}
		return c.n.Load()
	}
	users := []*world.User{w.HousingWorker, w.HousingLead, w.JobcenterWorker}
	before := map[*world.User]int64{}
	for _, u := range users {
		before[u] = statements(u)
		t.Logf("%s: %d statements", u.Name, before[u])
		if before[u] > 20 {
			t.Errorf("%s: the case page runs %d statements", u.Name, before[u])
		}
	}
	err := w.Store.Tx(context.Background(), model.Actor{System: true, Name: "test"}, func(tx *store.Tx) error {
		for i := range 100 {
			sub := fmt.Sprintf("extra-%d-%s", i, uuid.NewString())
			u := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: sub + "@stadt.test", DisplayName: sub, Active: true}
			if err := tx.Users().Create(context.Background(), u); err != nil {
				return err
			}
			if err := tx.Grants().Create(context.Background(), &model.Grant{UserID: u.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if after := statements(u); after != before[u] {
			t.Errorf("%s: %d statements with 100 more members, %d before", u.Name, after, before[u])
		}
	}
}

func TestConsentsCovering(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker}) // consent for the job center, work
	id := cw.Case.ID
	lead := w.Actor(t, w.HousingWorker)
	jobcenter := w.Jobcenter.ID

	var cov *model.ConsentCovering
	ev := onePageEvent(t, w, w.HousingWorker, func() (err error) {
		cov, err = svc.Consents.Covering(ctx, lead, id, &jobcenter, []string{"work"})
		return err
	})
	if ev.Action != "consent.list" || ev.CaseID == nil || *ev.CaseID != id {
		t.Errorf("audit event %+v", ev)
	}
	if cov.Reference != cw.Case.Reference || !cov.Ready || len(cov.Covering()) != 1 || cov.Covering()[0].ID != cw.Consent.ID ||
		len(cov.LegalBases) == 0 || len(cov.Areas) == 0 {
		t.Errorf("covering %+v", cov)
	}
	for _, o := range cov.Organisations {
		if o.ID == w.Housing.ID || !o.Active {
			t.Errorf("the form offers %s", o.Name)
		}
	}
	for name, c := range map[string]struct {
		org   *uuid.UUID
		areas []string
		ready bool
	}{
		"another area":         {&jobcenter, []string{"work", "housing"}, true},
		"another organisation": {&w.Caritas.ID, []string{"work"}, true},
		"nothing chosen":       {nil, nil, false},
		"no area":              {&jobcenter, nil, false},
		"the own organisation": {&w.Housing.ID, []string{"work"}, false},
	} {
		cov, err := svc.Consents.Covering(ctx, lead, id, c.org, c.areas)
		if err != nil {
			t.Fatal(err)
		}
		if cov.Ready != c.ready || len(cov.Covering()) != 0 || len(cov.Consents) != 1 {
			t.Errorf("%s: ready %v, %d covering of %d", name, cov.Ready, len(cov.Covering()), len(cov.Consents))
		}
	}
	// A revoked consent is not offered at all.
	if _, err := svc.Consents.Revoke(ctx, lead, cw.Consent.ID, cw.Consent.Version); err != nil {
		t.Fatal(err)
	}
	if cov, err := svc.Consents.Covering(ctx, lead, id, &jobcenter, []string{"work"}); err != nil || len(cov.Consents) != 0 {
		t.Errorf("after revoking: %v, %+v", err, cov)
	}
	// Only the lead organisation reads it.
	for _, u := range []*world.User{w.JobcenterWorker, w.CaritasWorker, w.Sysadmin} {
		if _, err := svc.Consents.Covering(ctx, w.Actor(t, u), id, &jobcenter, []string{"work"}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: %v", u.Name, err)
		}
	}
}
