package service_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// task creates a task of the actor's own organisation.
func (w *cwWorld) task(a model.Actor, mod func(in *model.TaskCreate)) *model.Task {
	w.t.Helper()
	in := model.TaskCreate{OrgID: a.OrgID, Title: "Wohnungsangebot prüfen"}
	if mod != nil {
		mod(&in)
	}
	t, err := w.svc.Tasks.Create(w.ctx, a, in)
	if err != nil {
		w.t.Fatalf("create task: %v", err)
	}
	return t
}

// TestTaskCreate: who may create which task, and bad input.
func TestTaskCreate(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	migrationCase := w.newCase(w.migration)
	c := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
	ref := w.referral(caseID, w.jobcenter, c, "work")
	done := w.referralIn(model.ReferralDeclined)
	today := w.today()

	type input = model.TaskCreate
	for _, tc := range []struct {
		name  string
		a     model.Actor
		in    input
		want  error
		field string
	}{
		{"own organisation, no links", w.housingWorker, input{OrgID: w.housing, Title: "Anruf"}, nil, ""},
		{"everything set", w.housingWorker, input{OrgID: w.housing, AssigneeID: &w.housingWorker2.UserID, CaseID: &caseID, Area: cwPtr("housing"),
			Title: "Besichtigung", Description: "mit Dolmetscher", DueDate: cwPtr(today.AddDate(0, 0, 7)), Priority: model.PriorityUrgent}, nil, ""},
		{"due date a year ago", w.housingWorker, input{OrgID: w.housing, Title: "Nachtrag", DueDate: cwPtr(today.AddDate(-1, 0, 0))}, nil, ""},
		{"for the recipient of an active referral of a led case", w.housingWorker, input{OrgID: w.jobcenter, CaseID: &caseID, Title: "Termin"}, nil, ""},
		{"for the recipient through the referral", w.housingWorker, input{OrgID: w.jobcenter, ReferralID: &ref.ID, Title: "Termin"}, nil, ""},
		{"partner, own organisation, through the referral", w.jobcenterWorker, input{OrgID: w.jobcenter, ReferralID: &ref.ID, Title: "Profiling"}, nil, ""},
		{"partner, own organisation, on the referred case", w.jobcenterWorker, input{OrgID: w.jobcenter, CaseID: &caseID, Area: cwPtr("work"), Title: "Profiling"}, nil, ""},
		{"partner, for the sender, through the referral", w.jobcenterWorker, input{OrgID: w.housing, ReferralID: &ref.ID, Title: "Unterlagen nachreichen"}, nil, ""},
		{"department head's unit", w.northWorker, input{OrgID: w.north, Title: "Anruf"}, nil, ""},

		{"no organisation", w.housingWorker, input{Title: "Anruf"}, model.ErrInvalid, "org_id"},
		{"an organisation not involved", w.housingWorker, input{OrgID: w.caritas, CaseID: &caseID, Title: "Anruf"}, model.ErrInvalid, "org_id"},
		{"another department without a link", w.housingWorker, input{OrgID: w.migration, Title: "Anruf"}, model.ErrInvalid, "org_id"},
		{"the recipient of a closed referral", w.housingWorker, input{OrgID: w.jobcenter, ReferralID: &done.ID, Title: "Anruf"}, model.ErrInvalid, "org_id"},
		{"partner without a case", w.jobcenterWorker, input{OrgID: w.jobcenter, Title: "Anruf"}, model.ErrInvalid, "case_id"},
		{"partner on a case not referred to it", w.caritasWorker, input{OrgID: w.caritas, CaseID: &caseID, Title: "Anruf"}, model.ErrInvalid, "case_id"},
		{"case of another department", w.housingWorker, input{OrgID: w.housing, CaseID: &migrationCase, Title: "Anruf"}, model.ErrInvalid, "case_id"},
		{"referral not visible", w.caritasWorker, input{OrgID: w.caritas, ReferralID: &ref.ID, Title: "Anruf"}, model.ErrInvalid, "referral_id"},
		{"referral of another case", w.housingWorker, input{OrgID: w.housing, ReferralID: &ref.ID, CaseID: &done.CaseID, Title: "Anruf"}, model.ErrInvalid, "case_id"},
		{"assignee of another organisation", w.housingWorker, input{OrgID: w.housing, AssigneeID: &w.northWorker.UserID, Title: "Anruf"}, model.ErrInvalid, "assignee_id"},
		{"unknown assignee", w.housingWorker, input{OrgID: w.housing, AssigneeID: cwPtr(model.NewID()), Title: "Anruf"}, model.ErrInvalid, "assignee_id"},
		{"unknown area", w.housingWorker, input{OrgID: w.housing, Area: cwPtr("magic"), Title: "Anruf"}, model.ErrInvalid, "area"},
		{"no title", w.housingWorker, input{OrgID: w.housing, Title: "  "}, model.ErrInvalid, "title"},
		{"title too long", w.housingWorker, input{OrgID: w.housing, Title: strings.Repeat("t", 201)}, model.ErrInvalid, "title"},
		{"description too long", w.housingWorker, input{OrgID: w.housing, Title: "Anruf", Description: strings.Repeat("d", 4001)}, model.ErrInvalid, "description"},
		{"due over a year ago", w.housingWorker, input{OrgID: w.housing, Title: "Anruf", DueDate: cwPtr(today.AddDate(-1, 0, -1))}, model.ErrInvalid, "due_date"},
		{"due over five years ahead", w.housingWorker, input{OrgID: w.housing, Title: "Anruf", DueDate: cwPtr(today.AddDate(5, 0, 1))}, model.ErrInvalid, "due_date"},
		{"unknown priority", w.housingWorker, input{OrgID: w.housing, Title: "Anruf", Priority: "asap"}, model.ErrInvalid, "priority"},
		{"the system administrator", w.sysadmin, input{OrgID: w.city, Title: "Anruf"}, model.ErrForbidden, ""},
		{"a department head without caseworker role", w.housingLead, input{OrgID: w.housing, Title: "Anruf"}, model.ErrForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want != nil {
				var err error
				w.unchanged("create", func() { _, err = w.svc.Tasks.Create(w.ctx, tc.a, tc.in) })
				cwErr(t, err, tc.want, tc.field)
				return
			}
			before := w.auditCount("task.create")
			got, err := w.svc.Tasks.Create(w.ctx, tc.a, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != model.TaskOpen || got.Version != 1 || got.CreatedBy == nil || *got.CreatedBy != tc.a.UserID || got.Priority == "" {
				t.Errorf("server-owned fields: %+v", got)
			}
			if tc.in.ReferralID != nil && (got.CaseID == nil || *got.CaseID != caseID) {
				t.Errorf("a task of a referral belongs to its case: %+v", got)
			}
			if n := w.auditCount("task.create") - before; n != 1 {
				t.Errorf("%d audit events", n)
			}
		})
	}
}

// TestTaskTransitions walks every pair of task states through Update: allowed ones succeed
// (done sets done_at, leaving done clears it) with one audit event; the others are ErrInvalid
// on status and change nothing.
func TestTaskTransitions(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	for _, from := range model.TaskStatuses {
		for _, to := range model.TaskStatuses {
			if from == to {
				continue
			}
			allowed := slices.Contains(model.AllowedTransitions("task", string(from)), string(to))
			name := fmt.Sprintf("%s to %s forbidden", from, to)
			if allowed {
				name = fmt.Sprintf("%s to %s allowed", from, to)
			}
			t.Run(name, func(t *testing.T) {
				task := w.task(w.housingWorker, nil)
				// Bring it to `from` along an allowed path (every state is one step from open).
				if from != model.TaskOpen {
					var err error
					if task, err = w.svc.Tasks.Update(w.ctx, w.housingWorker, task.ID, task.Version, model.TaskPatch{Status: cwPtr(from)}); err != nil {
						t.Fatal(err)
					}
				}
				if !allowed {
					var err error
					w.unchanged("update", func() {
						_, err = w.svc.Tasks.Update(w.ctx, w.housingWorker, task.ID, task.Version, model.TaskPatch{Status: cwPtr(to)})
					})
					refused(t, err, "task", string(from), string(to))
					return
				}
				before := w.auditCount("task.update")
				got, err := w.svc.Tasks.Update(w.ctx, w.housingWorker, task.ID, task.Version, model.TaskPatch{Status: cwPtr(to)})
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != to || got.Version != task.Version+1 || (to == model.TaskDone) != (got.DoneAt != nil) {
					t.Errorf("after update: %+v", got)
				}
				if n := w.auditCount("task.update") - before; n != 1 {
					t.Errorf("%d audit events", n)
				}
			})
		}
	}
}

// TestTaskUpdate: fields, versions and who may update.
func TestTaskUpdate(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	task := w.task(w.housingWorker, func(in *model.TaskCreate) { in.DueDate = cwPtr(w.today().AddDate(0, 0, 3)) })
	got, err := w.svc.Tasks.Update(w.ctx, w.housingWorker2, task.ID, task.Version, model.TaskPatch{
		Title: cwPtr("Neuer Titel"), Description: cwPtr("Text"), Priority: cwPtr(model.PriorityHigh), ClearDueDate: true,
	})
	if err != nil || got.Title != "Neuer Titel" || got.Description != "Text" || got.Priority != model.PriorityHigh || got.DueDate != nil || got.Version != 2 {
		t.Fatalf("update: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name    string
		a       model.Actor
		version int
		p       model.TaskPatch
		want    error
		field   string
	}{
		{"stale version", w.housingWorker, 1, model.TaskPatch{Title: cwPtr("x")}, model.ErrConflict, ""},
		{"nothing to change", w.housingWorker, 2, model.TaskPatch{}, model.ErrInvalid, "body"},
		{"empty title", w.housingWorker, 2, model.TaskPatch{Title: cwPtr("")}, model.ErrInvalid, "title"},
		{"unknown status", w.housingWorker, 2, model.TaskPatch{Status: cwPtr(model.TaskStatus("paused"))}, model.ErrInvalid, "status"},
		{"set and clear the due date", w.housingWorker, 2, model.TaskPatch{DueDate: cwPtr(w.today()), ClearDueDate: true}, model.ErrInvalid, "due_date"},
		{"due date far ahead", w.housingWorker, 2, model.TaskPatch{DueDate: cwPtr(w.today().AddDate(6, 0, 0))}, model.ErrInvalid, "due_date"},
		{"another organisation", w.migrationWorker, 2, model.TaskPatch{Title: cwPtr("x")}, model.ErrNotFound, ""},
		{"a partner", w.jobcenterWorker, 2, model.TaskPatch{Title: cwPtr("x")}, model.ErrNotFound, ""},
		{"the department head (reassigns, does not edit)", w.housingLead, 2, model.TaskPatch{Title: cwPtr("x")}, model.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.unchanged("update", func() { _, err = w.svc.Tasks.Update(w.ctx, tc.a, task.ID, tc.version, tc.p) })
			cwErr(t, err, tc.want, tc.field)
		})
	}
}

// TestConcurrentTaskUpdates: two updates with the same version: one wins, the other gets
// ErrConflict, and the winner's change is what is stored.
func TestConcurrentTaskUpdates(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	for round := 0; round < 5; round++ {
		task := w.task(w.housingWorker, nil)
		titles := []string{"A", "B"}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range titles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = w.svc.Tasks.Update(w.ctx, w.housingWorker, task.ID, task.Version, model.TaskPatch{Title: &titles[i]})
			}()
		}
		close(start)
		wg.Wait()
		var winner string
		for i, err := range errs {
			switch {
			case err == nil && winner == "":
				winner = titles[i]
			case errors.Is(err, model.ErrConflict):
			default:
				t.Errorf("round %d: %v", round, err)
			}
		}
		got, err := w.svc.Tasks.Get(w.ctx, w.housingWorker, task.ID)
		if err != nil || winner == "" || got.Title != winner || got.Version != 2 {
			t.Errorf("round %d: stored %+v (%v), winner %q", round, got, err, winner)
		}
	}
}

// TestTaskReassign: a department head moves tasks within the subtree; outside it the task is
// not found or the target invalid; a caseworker cannot reassign.
func TestTaskReassign(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	task := w.task(w.housingWorker, func(in *model.TaskCreate) { in.AssigneeID = &w.housingWorker.UserID })
	migrationTask := w.task(w.migrationWorker, nil)

	for _, tc := range []struct {
		name  string
		a     model.Actor
		task  *model.Task
		in    model.TaskReassign
		want  error
		field string
	}{
		{"a caseworker cannot reassign", w.housingWorker, task, model.TaskReassign{OrgID: w.north}, model.ErrNotFound, ""},
		{"a partner cannot reassign", w.jobcenterWorker, task, model.TaskReassign{OrgID: w.jobcenter}, model.ErrNotFound, ""},
		{"a task outside the subtree", w.housingLead, migrationTask, model.TaskReassign{OrgID: w.housing}, model.ErrNotFound, ""},
		{"to an organisation outside the subtree", w.housingLead, task, model.TaskReassign{OrgID: w.migration}, model.ErrInvalid, "org_id"},
		{"to the parent", w.housingLead, task, model.TaskReassign{OrgID: w.city}, model.ErrInvalid, "org_id"},
		{"to a partner", w.housingLead, task, model.TaskReassign{OrgID: w.jobcenter}, model.ErrInvalid, "org_id"},
		{"no organisation", w.housingLead, task, model.TaskReassign{}, model.ErrInvalid, "org_id"},
		{"assignee not in the new organisation", w.housingLead, task, model.TaskReassign{OrgID: w.north, AssigneeID: &w.housingWorker.UserID}, model.ErrInvalid, "assignee_id"},
		{"stale version", w.housingLead, &model.Task{ID: task.ID, Version: task.Version + 1}, model.TaskReassign{OrgID: w.north}, model.ErrConflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.unchanged("reassign", func() { _, err = w.svc.Tasks.Reassign(w.ctx, tc.a, tc.task.ID, tc.task.Version, tc.in) })
			cwErr(t, err, tc.want, tc.field)
		})
	}

	t.Run("within the subtree", func(t *testing.T) {
		before := w.auditCount("task.reassign")
		got, err := w.svc.Tasks.Reassign(w.ctx, w.housingLead, task.ID, task.Version, model.TaskReassign{OrgID: w.north, AssigneeID: &w.northWorker.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgID != w.north || got.AssigneeID == nil || *got.AssigneeID != w.northWorker.UserID || got.Version != task.Version+1 {
			t.Errorf("reassigned task %+v", got)
		}
		if n := w.auditCount("task.reassign") - before; n != 1 {
			t.Errorf("%d audit events", n)
		}
		// The unit now works it; the department it came from no longer sees it.
		if _, err := w.svc.Tasks.Get(w.ctx, w.northWorker, task.ID); err != nil {
			t.Errorf("the new organisation cannot read the task: %v", err)
		}
		if _, err := w.svc.Tasks.Get(w.ctx, w.housingWorker, task.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the old organisation still reads the task: %v", err)
		}
		// And back, unassigned.
		got, err = w.svc.Tasks.Reassign(w.ctx, w.housingLead, task.ID, got.Version, model.TaskReassign{OrgID: w.housing})
		if err != nil || got.OrgID != w.housing || got.AssigneeID != nil {
			t.Errorf("back: %+v, %v", got, err)
		}
	})
}

// TestTaskComments: comments of the task's organisation, author set by the server.
func TestTaskComments(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	task := w.task(w.housingWorker, nil)
	c, err := w.svc.Tasks.AddComment(w.ctx, w.housingWorker2, task.ID, " erledigt bis Freitag ")
	if err != nil || c.Body != "erledigt bis Freitag" || c.AuthorID == nil || *c.AuthorID != w.housingWorker2.UserID || c.OrgID != w.housing {
		t.Fatalf("comment %+v, %v", c, err)
	}
	var e error
	w.unchanged("comment", func() { _, e = w.svc.Tasks.AddComment(w.ctx, w.housingWorker, task.ID, "") })
	cwErr(t, e, model.ErrInvalid, "body")
	w.unchanged("comment", func() { _, e = w.svc.Tasks.AddComment(w.ctx, w.housingWorker, task.ID, strings.Repeat("b", 4001)) })
	cwErr(t, e, model.ErrInvalid, "body")
	w.unchanged("comment", func() { _, e = w.svc.Tasks.AddComment(w.ctx, w.migrationWorker, task.ID, "hallo") })
	cwErr(t, e, model.ErrNotFound, "")
	list, err := w.svc.Tasks.Comments(w.ctx, w.housingWorker, task.ID)
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("comments %+v, %v", list, err)
	}
	_, err = w.svc.Tasks.Comments(w.ctx, w.jobcenterWorker, task.ID)
	cwErr(t, err, model.ErrNotFound, "")
}

// TestTaskLists: every filter; keyset pages return each visible task exactly once, in due
// order (none last), while tasks are added between pages; totals count what may be seen.
func TestTaskLists(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	today := w.today()
	caseID := w.newCase(w.housing)
	var housing, north, overdue, mine []uuid.UUID
	for i := 0; i < 30; i++ {
		var due *time.Time
		if i%5 != 0 {
			due = cwPtr(today.AddDate(0, 0, i%7-3)) // many share a date; some have none
		}
		a := w.housingWorker
		if i%3 == 0 {
			a = w.housingWorker2
		}
		task := w.task(w.housingWorker, func(in *model.TaskCreate) {
			in.DueDate, in.AssigneeID = due, &a.UserID
			if i%4 == 0 {
				in.CaseID, in.Area = &caseID, cwPtr("housing")
			}
		})
		housing = append(housing, task.ID)
		if a.UserID == w.housingWorker.UserID {
			mine = append(mine, task.ID)
		}
		if due != nil && due.Before(today) {
			overdue = append(overdue, task.ID)
		}
	}
	// A closed overdue task is not overdue.
	closed := w.task(w.housingWorker, func(in *model.TaskCreate) { in.DueDate = cwPtr(today.AddDate(0, 0, -2)) })
	if _, err := w.svc.Tasks.Update(w.ctx, w.housingWorker, closed.ID, closed.Version, model.TaskPatch{Status: cwPtr(model.TaskDone)}); err != nil {
		t.Fatal(err)
	}
	housing = append(housing, closed.ID)
	for i := 0; i < 4; i++ {
		north = append(north, w.task(w.northWorker, nil).ID)
	}
	migration := w.task(w.migrationWorker, nil).ID

	pages := func(t *testing.T, a model.Actor, f model.TaskFilter, during func()) ([]model.Task, []int64) {
		t.Helper()
		var out []model.Task
		var totals []int64
		for page := 0; page < 100; page++ {
			p, err := w.svc.Tasks.List(w.ctx, a, f)
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			out, totals = append(out, p.Items...), append(totals, p.Total)
			if p.NextCursor == "" {
				return out, totals
			}
			f.Cursor = p.NextCursor
			if during != nil {
				during()
			}
		}
		t.Fatal("the pages do not end")
		return nil, nil
	}
	ids := func(ts []model.Task) []uuid.UUID {
		out := make([]uuid.UUID, len(ts))
		for i, x := range ts {
			out[i] = x.ID
		}
		return out
	}
	sameSet := func(t *testing.T, got, want []uuid.UUID) {
		t.Helper()
		g, wt := slices.Clone(got), slices.Clone(want)
		cmp := func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) }
		slices.SortFunc(g, cmp)
		slices.SortFunc(wt, cmp)
		if !slices.Equal(g, wt) {
			t.Errorf("got %d tasks, want %d:\ngot  %v\nwant %v", len(g), len(wt), g, wt)
		}
	}
	ordered := func(t *testing.T, ts []model.Task) {
		t.Helper()
		if !slices.IsSortedFunc(ts, func(a, b model.Task) int {
			switch {
			case a.DueDate == nil && b.DueDate != nil:
				return 1
			case a.DueDate != nil && b.DueDate == nil:
				return -1
			case a.DueDate != nil && !a.DueDate.Equal(*b.DueDate):
				return a.DueDate.Compare(*b.DueDate)
			}
			return strings.Compare(a.ID.String(), b.ID.String())
		}) {
			t.Errorf("not ordered by due date (none last) and id")
		}
	}

	t.Run("organisation, in pages, while tasks arrive", func(t *testing.T) {
		var added []uuid.UUID
		got, totals := pages(t, w.housingWorker, model.TaskFilter{Limit: 4}, func() {
			added = append(added, w.task(w.housingWorker, func(in *model.TaskCreate) { in.DueDate = cwPtr(today.AddDate(0, 0, -10)) }).ID,
				w.task(w.housingWorker, nil).ID)
		})
		// Every task that existed at the start appears exactly once; new ones may or may not.
		seen := map[uuid.UUID]int{}
		for _, id := range ids(got) {
			seen[id]++
		}
		for _, id := range housing {
			if seen[id] != 1 {
				t.Errorf("%s listed %d times", id, seen[id])
			}
		}
		for id, n := range seen {
			if n != 1 || (!slices.Contains(housing, id) && !slices.Contains(added, id)) {
				t.Errorf("%s listed %d times (not a housing task?)", id, n)
			}
		}
		for i, n := range totals {
			if want := int64(len(housing) + 2*i); n != want {
				t.Errorf("total on page %d = %d, want %d", i, n, want)
			}
		}
		ordered(t, got)
		housing = append(housing, added...)
	})
	for _, tc := range []struct {
		name string
		a    model.Actor
		f    model.TaskFilter
		want func() []uuid.UUID
	}{
		{"mine", w.housingWorker, model.TaskFilter{Mine: true}, func() []uuid.UUID { return mine }},
		{"by assignee", w.housingWorker, model.TaskFilter{AssigneeID: &w.housingWorker.UserID}, func() []uuid.UUID { return mine }},
		{"overdue", w.housingWorker, model.TaskFilter{Overdue: true, AssigneeID: &w.housingWorker2.UserID}, func() []uuid.UUID {
			var out []uuid.UUID
			for _, id := range overdue {
				if !slices.Contains(mine, id) {
					out = append(out, id)
				}
			}
			return out
		}},
		{"by area", w.housingWorker, model.TaskFilter{Area: cwPtr("housing")}, func() []uuid.UUID { return tasksWhere(w, "area = 'housing'") }},
		{"by case", w.housingWorker, model.TaskFilter{CaseID: &caseID}, func() []uuid.UUID { return tasksWhere(w, "case_id IS NOT NULL") }},
		{"by status", w.housingWorker, model.TaskFilter{Status: []model.TaskStatus{model.TaskDone}}, func() []uuid.UUID { return []uuid.UUID{closed.ID} }},
		{"due window", w.housingWorker, model.TaskFilter{DueAfter: cwPtr(today), DueBefore: cwPtr(today.AddDate(0, 0, 1))}, func() []uuid.UUID {
			return tasksWhere(w, fmt.Sprintf("org_id = '%s' AND due_date BETWEEN '%s' AND '%s'", w.housing, today.Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)))
		}},
		{"the unit sees only its own", w.northWorker, model.TaskFilter{}, func() []uuid.UUID { return north }},
		{"the head sees the subtree", w.housingLead, model.TaskFilter{Limit: 7}, func() []uuid.UUID { return append(slices.Clone(housing), north...) }},
		{"the head narrows to the unit", w.housingLead, model.TaskFilter{OrgID: &w.north}, func() []uuid.UUID { return north }},
		{"the head narrows to the department with its subtree", w.housingLead, model.TaskFilter{OrgID: &w.housing, Subtree: true, Limit: 100}, func() []uuid.UUID {
			return append(slices.Clone(housing), north...)
		}},
		{"asking for another department shows nothing", w.housingWorker, model.TaskFilter{OrgID: &w.migration}, func() []uuid.UUID { return nil }},
		{"another department", w.migrationWorker, model.TaskFilter{}, func() []uuid.UUID { return []uuid.UUID{migration} }},
		{"a partner sees none", w.jobcenterWorker, model.TaskFilter{}, func() []uuid.UUID { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.f.Limit == 0 {
				tc.f.Limit = 5
			}
			got, totals := pages(t, tc.a, tc.f, nil)
			want := tc.want()
			sameSet(t, ids(got), want)
			ordered(t, got)
			if totals[0] != int64(len(want)) {
				t.Errorf("total %d, want %d", totals[0], len(want))
			}
		})
	}
	t.Run("bad input", func(t *testing.T) {
		for _, f := range []model.TaskFilter{
			{Limit: 101}, {Limit: -3}, {Cursor: "%%%"}, {Status: []model.TaskStatus{"someday"}},
			{Mine: true, AssigneeID: &w.housingWorker2.UserID},
		} {
			_, err := w.svc.Tasks.List(w.ctx, w.housingWorker, f)
			cwErr(t, err, model.ErrInvalid, "")
		}
		_, err := w.svc.Tasks.List(w.ctx, w.sysadmin, model.TaskFilter{})
		cwErr(t, err, model.ErrForbidden, "")
	})
}

// tasksWhere lists task ids by a condition, straight from the table (the oracle).
func tasksWhere(w *cwWorld, cond string) []uuid.UUID {
	w.t.Helper()
	rows, err := w.db.SQL.Query(`SELECT id FROM tasks WHERE ` + cond)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestAuditOnePerCall: every method writes exactly one audit event with actor, organisation,
// role, case, purpose and request id; reads of content too.
func TestAuditOnePerCall(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	c := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
	ref := w.referral(caseID, w.jobcenter, c, "work")
	task := w.task(w.housingWorker, func(in *model.TaskCreate) { in.CaseID = &caseID })
	withCase := func(f func() (uuid.UUID, error)) func() (uuid.UUID, error) { return f }
	for _, tc := range []struct {
		action string
		a      model.Actor
		call   func() (uuid.UUID, error) // returns the case the event must name
	}{
		{"consent.create", w.housingWorker, withCase(func() (uuid.UUID, error) {
			_, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, w.consentInput([]uuid.UUID{w.caritas}, "housing"))
			return caseID, err
		})},
		{"consent.list", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Consents.List(w.ctx, w.housingWorker, caseID)
			return caseID, err
		}},
		{"consent.read", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Consents.Get(w.ctx, w.housingWorker, c.ID)
			return caseID, err
		}},
		{"referral.create", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{ToOrgID: w.caritas, Areas: []string{"housing"}, LegalBasis: model.LegalBasisNames(model.DefaultLegalBases())[1]})
			return caseID, err
		}},
		{"referral.read", w.jobcenterWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, ref.ID)
			return caseID, err
		}},
		{"referral.list", w.jobcenterWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Referrals.List(w.ctx, w.jobcenterWorker, model.ReferralFilter{Box: model.ReferralsIncoming, CaseID: &caseID})
			return caseID, err
		}},
		{"referral.accept", w.jobcenterWorker, func() (uuid.UUID, error) {
			var err error
			ref, err = w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version)
			return caseID, err
		}},
		{"task.create", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Tasks.Create(w.ctx, w.housingWorker, model.TaskCreate{OrgID: w.housing, CaseID: &caseID, Title: "x"})
			return caseID, err
		}},
		{"task.read", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Tasks.Get(w.ctx, w.housingWorker, task.ID)
			return caseID, err
		}},
		{"task.list", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Tasks.List(w.ctx, w.housingWorker, model.TaskFilter{CaseID: &caseID})
			return caseID, err
		}},
		{"task.update", w.housingWorker, func() (uuid.UUID, error) {
			var err error
			task, err = w.svc.Tasks.Update(w.ctx, w.housingWorker, task.ID, task.Version, model.TaskPatch{Priority: cwPtr(model.PriorityLow)})
			return caseID, err
		}},
		{"task.comment", w.housingWorker, func() (uuid.UUID, error) {
			_, err := w.svc.Tasks.AddComment(w.ctx, w.housingWorker, task.ID, "ok")
			return caseID, err
		}},
		{"task.reassign", w.housingLead, func() (uuid.UUID, error) {
			var err error
			task, err = w.svc.Tasks.Reassign(w.ctx, w.housingLead, task.ID, task.Version, model.TaskReassign{OrgID: w.north})
			return caseID, err
		}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			var last int64
			if err := w.db.SQL.QueryRow(`SELECT coalesce(max(id), 0) FROM audit_events`).Scan(&last); err != nil {
				t.Fatal(err)
			}
			wantCase, err := tc.call()
			if err != nil {
				t.Fatal(err)
			}
			rows, err := w.db.SQL.Query(`SELECT action, coalesce(actor_id::text, ''), coalesce(org_id::text, ''), role, coalesce(case_id::text, ''), purpose, request_id
				FROM audit_events WHERE id > $1`, last)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
				var action, actor, org, role, cse, purpose, req string
				if err := rows.Scan(&action, &actor, &org, &role, &cse, &purpose, &req); err != nil {
					t.Fatal(err)
				}
				if action != tc.action || actor != tc.a.UserID.String() || org != tc.a.OrgID.String() || role != tc.a.RoleNames() ||
					cse != wantCase.String() || purpose == "" || req != tc.a.RequestID {
					t.Errorf("event %s actor %s org %s role %s case %s purpose %q request %q", action, actor, org, role, cse, purpose, req)
				}
			}
			if n != 1 {
				t.Errorf("%d audit events, want 1", n)
			}
		})
	}
}

// TestAuditIsAppendOnly: the application's own pool can neither change nor remove audit
// events.
func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	w.task(w.housingWorker, nil)
	before := w.fingerprint()
	for _, stmt := range []string{
		`UPDATE audit_events SET action = 'forged'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		if _, err := w.db.SQL.Exec(stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
		if err := w.db.Gorm.Exec(stmt).Error; err == nil {
			t.Errorf("%s through GORM succeeded", stmt)
		}
	}
	if w.fingerprint() != before {
		t.Error("the audit trail changed")
	}
}
