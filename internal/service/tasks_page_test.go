package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestTaskPage: the page of a task carries the task, its comments and its history (created,
// changed fields, status changes, reassignments, comments), names colleagues only, says who
// may edit it, and writes one task.read event; whoever may not read the task gets
// ErrNotFound and no event.
func TestTaskPage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	lead := w.Actor(t, w.HousingWorker)
	due := w.Services(t).Today().AddDate(0, 0, 3)
	task, err := svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.Housing.ID, AssigneeID: &w.HousingWorker2.ID, CaseID: &cw.Case.ID,
		Title: "Besichtigung", Description: "mit Dolmetscher", DueDate: &due, Priority: model.PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	title, area := "Besichtigung vereinbaren", "housing"
	task, err = svc.Tasks.Update(ctx, lead, task.ID, task.Version, model.TaskPatch{Title: &title, Area: &area})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Tasks.AddComment(ctx, w.Actor(t, w.HousingWorker2), task.ID, "Termin steht am Dienstag"); err != nil {
		t.Fatal(err)
	}
	done := model.TaskDone
	if task, err = svc.Tasks.Update(ctx, lead, task.ID, task.Version, model.TaskPatch{Status: &done}); err != nil {
		t.Fatal(err)
	}

	var page *model.TaskPage
	ev := onePageEvent(t, w, w.HousingWorker, func() error {
		var err error
		page, err = svc.Tasks.Page(ctx, lead, task.ID)
		return err
	})
	if ev.Action != "task.read" || ev.ObjectID != task.ID.String() || ev.CaseID == nil || *ev.CaseID != cw.Case.ID {
		t.Errorf("audit event %s %s case %v", ev.Action, ev.ObjectID, ev.CaseID)
	}
	if page.Task.Title != title || deref(page.Task.Area) != "housing" || page.Task.Status != model.TaskDone || page.Task.Case == nil || page.Task.Case.Name == "" {
		t.Errorf("task %+v case %+v", page.Task, page.Task.Case)
	}
	if len(page.Comments) != 1 || page.Comments[0].Body != "Termin steht am Dienstag" {
		t.Errorf("comments %+v", page.Comments)
	}
	var kinds []model.TaskHistoryKind
	for _, e := range page.History {
		kinds = append(kinds, e.Kind)
	}
	want := []model.TaskHistoryKind{model.TaskHistoryCreated, model.TaskHistoryChanged, model.TaskHistoryComment, model.TaskHistoryStatus}
	if !slices.Equal(kinds, want) {
		t.Fatalf("history %v, want %v", kinds, want)
	}
	if f := page.History[1].Fields; !slices.Equal(f, []string{"title", "area"}) {
		t.Errorf("changed fields %v", f)
	}
	if page.History[3].Status != model.TaskDone || page.History[0].AssigneeID == nil || *page.History[0].AssigneeID != w.HousingWorker2.ID {
		t.Errorf("history %+v", page.History)
	}
	if page.People[w.HousingWorker2.ID] != "Willi Wohnen" || page.People[w.HousingWorker.ID] != "Wiebke Wohnen" {
		t.Errorf("colleagues unnamed: %v", page.People)
	}
	if !page.May.Edit || !page.May.Comment || !slices.Equal(page.May.StatusNext, []string{"open"}) {
		t.Errorf("may %+v", page.May)
	}
	if page.OrgName != w.Housing.Name {
		t.Errorf("organisation %q", page.OrgName)
	}

	t.Run("a department head reads it, without editing", func(t *testing.T) {
		p, err := svc.Tasks.Page(ctx, w.Actor(t, w.HousingLead), task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.May.Edit || p.May.Comment {
			t.Errorf("the head may %+v", p.May)
		}
	})
	t.Run("a partner does not see the lead organisation's colleagues by name", func(t *testing.T) {
		jc := w.Actor(t, w.JobcenterWorker)
		qt, err := svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.Jobcenter.ID, CaseID: &cw.Case.ID, Title: "Profiling"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Tasks.Page(ctx, jc, qt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.People[w.HousingWorker.ID]; ok {
			t.Errorf("the partner reads the name of another organisation's caseworker: %v", p.People)
		}
		if !p.May.Edit || p.Task.AssigneeID != nil {
			t.Errorf("the queue task: may %+v assignee %v", p.May, p.Task.AssigneeID)
		}
	})
	t.Run("a head who is also a caseworker reads the unit's task, but works only the own organisation's", func(t *testing.T) {
		north, err := svc.Tasks.Create(ctx, w.Actor(t, w.NorthWorker), model.TaskCreate{OrgID: w.HousingNorth.ID, Title: "Aufgabe von Nord"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Directory.CreateGrant(ctx, w.Actor(t, w.Sysadmin), model.GrantCreate{UserID: w.HousingLead.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker}); err != nil {
			t.Fatal(err)
		}
		both := w.Actor(t, w.HousingLead)
		p, err := svc.Tasks.Page(ctx, both, north.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.May.Edit || p.May.Comment {
			t.Errorf("may %+v on the unit's task", p.May)
		}
		if own, err := svc.Tasks.Page(ctx, both, task.ID); err != nil || !own.May.Edit {
			t.Errorf("own organisation's task: %+v, %v", own, err)
		}
	})
	for _, u := range []*world.User{w.CaritasWorker, w.MigrationWorker, w.NorthWorker, w.Sysadmin, w.DPO, w.Coordinator, w.HousingAdmin} {
		t.Run("hidden from "+u.Name, func(t *testing.T) {
			before := len(auditOf(t, w, u))
			if _, err := svc.Tasks.Page(ctx, w.Actor(t, u), task.ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("%s: %v, want not found", u.Name, err)
			}
			if n := len(auditOf(t, w, u)) - before; n != 0 {
				t.Errorf("%s: %d audit events for a refused page", u.Name, n)
			}
		})
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestTaskPageStatements: the task page runs a fixed number of statements; fifty more
// comments add none.
func TestTaskPageStatements(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	countStatements(t, w.DB.Gorm)
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	a := w.Actor(t, w.HousingWorker)
	statements := func() int64 {
		t.Helper()
		c := &statementCounter{}
		if _, err := svc.Tasks.Page(context.WithValue(context.Background(), counterKey{}, c), a, cw.Task.ID); err != nil {
			t.Fatal(err)
		}
		return c.n.Load()
	}
	before := statements()
	t.Logf("%d statements", before)
	if before > 20 {
		t.Errorf("the task page runs %d statements", before)
	}
	for i := range 50 {
		u := w.HousingWorker
		if i%2 == 1 {
			u = w.HousingWorker2
		}
		if _, err := svc.Tasks.AddComment(context.Background(), w.Actor(t, u), cw.Task.ID, fmt.Sprintf("Kommentar %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if after := statements(); after != before {
		t.Errorf("%d statements with 50 comments, %d before", after, before)
	}
}

// TestTaskForm: the form offers the task workers of the own organisation (caseworkers and
// the head, not its administrator, not another organisation's people) and, on a led case, the queues of the
// organisations it is referred to; the assignee rule holds in Create.
func TestTaskForm(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	lead := w.Actor(t, w.HousingWorker)
	f, err := svc.Tasks.Form(ctx, lead, &cw.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, as := range f.Assignees {
		names = append(names, as.Name)
	}
	if !slices.Equal(names, []string{"Lea Leitung", "Wiebke Wohnen", "Willi Wohnen"}) {
		t.Errorf("assignees %v", names)
	}
	var queues []uuid.UUID
	for _, o := range f.Queues {
		queues = append(queues, o.ID)
	}
	if !slices.Equal(queues, []uuid.UUID{w.Housing.ID, w.Jobcenter.ID}) {
		t.Errorf("queues %v", queues)
	}
	if f.Case == nil || f.Case.Name == "" || len(f.Areas) == 0 {
		t.Errorf("case %+v areas %d", f.Case, len(f.Areas))
	}
	without, err := svc.Tasks.Form(ctx, lead, nil)
	if err != nil || len(without.Queues) != 1 || without.Case != nil {
		t.Errorf("form without a case: %+v, %v", without, err)
	}
	// A partner: only on a referred case; its queue is its own, no other organisation's.
	jc := w.Actor(t, w.JobcenterWorker)
	if _, err := svc.Tasks.Form(ctx, jc, nil); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("partner without a case: %v", err)
	}
	pf, err := svc.Tasks.Form(ctx, jc, &cw.Case.ID)
	if err != nil || len(pf.Queues) != 1 || pf.Queues[0].ID != w.Jobcenter.ID {
		t.Errorf("partner form: %+v, %v", pf, err)
	}
	if _, err := svc.Tasks.Form(ctx, w.Actor(t, w.CaritasWorker), &cw.Case.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a case not referred: %v", err)
	}
	if _, err := svc.Tasks.Form(ctx, w.Actor(t, w.HousingLead), nil); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("the head: %v", err)
	}

	for _, tc := range []struct {
		name     string
		org      uuid.UUID
		assignee uuid.UUID
		ok       bool
	}{
		{"a colleague", w.Housing.ID, w.HousingWorker2.ID, true},
		{"the own queue", w.Housing.ID, uuid.Nil, true},
		{"the referred organisation's queue", w.Jobcenter.ID, uuid.Nil, true},
		{"a person of the referred organisation", w.Jobcenter.ID, w.JobcenterWorker.ID, false},
		{"a person of another organisation in the own queue", w.Housing.ID, w.JobcenterWorker.ID, false},
		{"the own head", w.Housing.ID, w.HousingLead.ID, true},
		{"the own administrator", w.Housing.ID, w.HousingAdmin.ID, false},
		{"a deactivated colleague", w.Housing.ID, w.Inactive.ID, false},
		{"an organisation the case is not referred to", w.Caritas.ID, uuid.Nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := model.TaskCreate{OrgID: tc.org, CaseID: &cw.Case.ID, Title: "Anruf"}
			if tc.assignee != uuid.Nil {
				id := tc.assignee
				in.AssigneeID = &id
			}
			_, err := svc.Tasks.Create(ctx, lead, in)
			if tc.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, model.ErrInvalid) {
				t.Errorf("%v, want invalid", err)
			}
		})
	}
}
