package service_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// dashTask is a task of the dashboard tests, with the history its row tells.
type dashTask struct {
	name      string
	org       uuid.UUID
	area      string // "" for none
	assignee  *uuid.UUID
	created   time.Time
	due       *time.Time // a calendar day, midnight UTC
	status    model.TaskStatus
	doneAt    *time.Time
	updatedAt time.Time
	id        uuid.UUID
}

// makeTask creates t through the service as worker (of t.org) and then rewrites its history
// (creation, change and done times, due date, status, assignee) with plain SQL, as the
// services write only the present.
func (w *cwWorld) makeTask(worker model.Actor, t *dashTask) {
	w.t.Helper()
	in := model.TaskCreate{OrgID: t.org, Title: t.name}
	if t.area != "" {
		in.Area = &t.area
	}
	task, err := w.svc.Tasks.Create(w.ctx, worker, in)
	if err != nil {
		w.t.Fatalf("task %s: %v", t.name, err)
	}
	t.id = task.ID
	if t.status == "" {
		t.status = model.TaskOpen
	}
	if t.updatedAt.IsZero() {
		t.updatedAt = t.created
	}
	var due any
	if t.due != nil {
		due = t.due.Format(time.DateOnly)
	}
	err = w.db.Gorm.Exec(`UPDATE tasks SET created_at = ?, updated_at = ?, due_date = ?::date, status = ?, done_at = ?, assignee_id = ? WHERE id = ?`,
		t.created, t.updatedAt, due, string(t.status), t.doneAt, t.assignee, t.id).Error
	if err != nil {
		w.t.Fatalf("task %s history: %v", t.name, err)
	}
}

// openAt is the documented rule of the weekly series, written once more in Go: open at t
// when created by t, not done by t and not cancelled by t; overdue when open and due before
// t's calendar day in Europe/Berlin.
func (t *dashTask) openAt(at time.Time) (open, overdue bool) {
	if t.created.After(at) || (t.doneAt != nil && !t.doneAt.After(at)) || (t.status == model.TaskCancelled && !t.updatedAt.After(at)) {
		return false, false
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	y, m, d := at.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return true, t.due != nil && t.due.Before(day)
}

func TestDashboardTeam(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	now := time.Now().Truncate(time.Second)
	w.setClock(now)
	today := w.today()
	days := func(n int) time.Time { return now.Add(time.Duration(n) * 24 * time.Hour) }
	dayPtr := func(n int) *time.Time { d := today.AddDate(0, 0, n); return &d }
	worker := w.housingWorker.UserID

	tasks := []*dashTask{
		{name: "A overdue, unassigned", org: w.housing, area: "work", created: days(-20), due: dayPtr(-10)},
		{name: "B done in North", org: w.north, area: "housing", created: days(-40), due: dayPtr(-30), status: model.TaskDone, doneAt: cwPtr(days(-15)), updatedAt: days(-15)},
		{name: "C cancelled, no area", org: w.housing, created: days(-5), status: model.TaskCancelled, updatedAt: days(-2)},
		{name: "D of Migration", org: w.migration, area: "work", created: days(-30), due: dayPtr(-20)},
		{name: "E assigned, due tomorrow", org: w.housing, area: "work", assignee: &worker, created: days(-3), due: dayPtr(1)},
		{name: "F old, in North", org: w.north, area: "housing", created: days(-60), due: dayPtr(-45)},
	}
	for _, tk := range tasks {
		actor := w.housingWorker
		switch tk.org {
		case w.north:
			actor = w.northWorker
		case w.migration:
			actor = w.migrationWorker
		}
		w.makeTask(actor, tk)
	}
	a, b, c, e, f := tasks[0], tasks[1], tasks[2], tasks[4], tasks[5] // tasks[3] is not the team's

	// Referrals: one sent by Housing (waiting), one sent by Housing whose reply deadline has
	// passed, one sent to Housing by Migration.
	out1, _ := w.coveredReferral(w.jobcenter)
	out2, _ := w.coveredReferral(w.caritas)
	if err := w.db.Gorm.Exec(`UPDATE referrals SET reply_due = ?::date, created_at = ? WHERE id = ?`,
		today.AddDate(0, 0, -9).Format(time.DateOnly), days(-25), out2.ID).Error; err != nil {
		t.Fatal(err)
	}
	migCase := w.newCase(w.migration)
	cons, err := w.svc.Consents.Create(w.ctx, w.migrationWorker, migCase, w.consentInput([]uuid.UUID{w.housing}, "housing", "work"))
	if err != nil {
		t.Fatal(err)
	}
	in1, err := w.svc.Referrals.Create(w.ctx, w.migrationWorker, migCase, model.ReferralCreate{ToOrgID: w.housing, Areas: []string{"housing", "work"}, ConsentID: &cons.ID})
	if err != nil {
		t.Fatal(err)
	}

	before := w.auditCount("task.list")
	team, err := w.svc.Dashboard.Team(w.ctx, w.housingLead, service.TeamFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.auditCount("task.list"); got != before+1 {
		t.Errorf("task.list audit events: %d, want %d", got, before+1)
	}

	t.Run("team", func(t *testing.T) {
		if len(team.Orgs) != 2 || team.Orgs[0].ID != w.housing || team.Orgs[1].ID != w.north {
			t.Errorf("orgs = %v, want Housing, North", team.Orgs)
		}
	})

	t.Run("reassignment page", func(t *testing.T) {
		// Task F (North, unassigned, 45 days overdue): the task, and whom it may go to.
		before := w.auditCount("task.read")
		page, err := w.svc.Dashboard.TeamReassignment(w.ctx, w.housingLead, f.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.auditCount("task.read"); got != before+1 {
			t.Errorf("task.read audit events: %d, want %d", got, before+1)
		}
		if page.Task.ID != f.id || page.Task.OrgID != w.north || !page.Task.Overdue || page.Task.DaysOverdue != 45 || page.Task.AssigneeName != "" {
			t.Errorf("task = %+v", page.Task)
		}
		if len(page.Orgs) != 2 || page.Orgs[0].ID != w.housing || page.Orgs[1].ID != w.north {
			t.Errorf("orgs = %v, want Housing, North", page.Orgs)
		}
		var names []string
		for _, m := range page.Members {
			names = append(names, fmt.Sprintf("%s@%s", m.Name, m.OrgID))
		}
		want := []string{
			"Lea Leitung@" + w.housing.String(), "Nils Nord@" + w.north.String(),
			"Wiebke Wohnen@" + w.housing.String(), "Willi Wohnen@" + w.housing.String(),
		}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("members = %v, want %v", names, want)
		}
		// E is assigned: its assignee is named.
		if page, err := w.svc.Dashboard.TeamReassignment(w.ctx, w.housingLead, e.id); err != nil || page.Task.AssigneeName != "Wiebke Wohnen" {
			t.Errorf("task E: %v, %+v", err, page)
		}
		// Another team's task, and a caseworker, get nothing: not found, nothing audited.
		before = w.auditCount("task.read")
		if _, err := w.svc.Dashboard.TeamReassignment(w.ctx, w.housingLead, tasks[3].id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("another team's task: %v, want not found", err)
		}
		if _, err := w.svc.Dashboard.TeamReassignment(w.ctx, w.housingWorker, a.id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a caseworker: %v, want not found", err)
		}
		if got := w.auditCount("task.read"); got != before {
			t.Errorf("refused reads were audited: %d, want %d", got, before)
		}
	})

	t.Run("task figures", func(t *testing.T) {
		// Open now: A (Housing, unassigned, work, 20 days old, 10 days overdue), E (Housing,
		// Wiebke, work, 3 days old), F (North, unassigned, housing, 60 days old, 45 overdue).
		// Not: B (done), C (cancelled), D (Migration: not the team).
		want := service.Figures{Open: 3, Overdue: 2, Age: service.Ages{1, 1, 1}, Late: service.Ages{0, 1, 1}}
		if team.Tasks.Total != want {
			t.Errorf("total = %+v, want %+v", team.Tasks.Total, want)
		}
		wantPerson := []service.FigureRow{
			{Key: worker.String(), Name: "Wiebke Wohnen", Figures: service.Figures{Open: 1, Age: service.Ages{1, 0, 0}}},
			{Key: "", Figures: service.Figures{Open: 2, Overdue: 2, Age: service.Ages{0, 1, 1}, Late: service.Ages{0, 1, 1}}},
		}
		if fmt.Sprintf("%+v", team.Tasks.ByPerson) != fmt.Sprintf("%+v", wantPerson) {
			t.Errorf("by person = %+v\nwant        %+v", team.Tasks.ByPerson, wantPerson)
		}
		wantArea := []service.FigureRow{
			{Key: "housing", Figures: service.Figures{Open: 1, Overdue: 1, Age: service.Ages{0, 0, 1}, Late: service.Ages{0, 0, 1}}},
			{Key: "work", Figures: service.Figures{Open: 2, Overdue: 1, Age: service.Ages{1, 1, 0}, Late: service.Ages{0, 1, 0}}},
		}
		if fmt.Sprintf("%+v", team.Tasks.ByArea) != fmt.Sprintf("%+v", wantArea) {
			t.Errorf("by area = %+v\nwant      %+v", team.Tasks.ByArea, wantArea)
		}
	})

	t.Run("referral figures", func(t *testing.T) {
		wantOut := service.Figures{Open: 2, Overdue: 1, Age: service.Ages{1, 1, 0}, Late: service.Ages{0, 1, 0}}
		if team.Outgoing.Total != wantOut {
			t.Errorf("outgoing = %+v, want %+v", team.Outgoing.Total, wantOut)
		}
		if len(team.Outgoing.ByPerson) != 1 || team.Outgoing.ByPerson[0].Name != "Wiebke Wohnen" {
			t.Errorf("outgoing by person = %+v, want the sender", team.Outgoing.ByPerson)
		}
		wantIn := service.Figures{Open: 1, Age: service.Ages{1, 0, 0}}
		if team.Incoming.Total != wantIn {
			t.Errorf("incoming = %+v, want %+v", team.Incoming.Total, wantIn)
		}
		// The incoming referral names two areas: it counts in both, once in total.
		if len(team.Incoming.ByArea) != 2 || team.Incoming.ByArea[0].Key != "housing" || team.Incoming.ByArea[1].Key != "work" {
			t.Errorf("incoming by area = %+v", team.Incoming.ByArea)
		}
		if len(team.Incoming.ByPerson) != 1 || team.Incoming.ByPerson[0].Key != "" {
			t.Errorf("incoming by person = %+v, want nobody (not answered)", team.Incoming.ByPerson)
		}
		_, _ = out1, in1
	})

	t.Run("weekly series", func(t *testing.T) {
		if len(team.Weeks) != service.WeeksShown {
			t.Fatalf("%d weeks", len(team.Weeks))
		}
		last := team.Weeks[len(team.Weeks)-1]
		if !last.At.Equal(now) {
			t.Errorf("the current week counts at %v, want now %v", last.At, now)
		}
		loc, _ := time.LoadLocation("Europe/Berlin")
		for i, wk := range team.Weeks[:len(team.Weeks)-1] {
			at := wk.At.In(loc)
			if at.Weekday() != time.Monday || at.Hour() != 0 || at.Minute() != 0 {
				t.Errorf("week %d counts at %v, want Monday 00:00 in Berlin (the end of Sunday)", i, at)
			}
			if next := team.Weeks[i+1]; i+1 < len(team.Weeks)-1 && next.At.Sub(wk.At) < 6*24*time.Hour {
				t.Errorf("weeks %d and %d are not a week apart", i, i+1)
			}
		}
		series := map[string]service.AreaSeries{}
		for _, s := range team.Series {
			series[s.Area] = s
		}
		moments := make([]time.Time, len(team.Weeks))
		for i, wk := range team.Weeks {
			moments[i] = wk.At
		}
		members := []*dashTask{a, b, c, e, f} // not D
		for _, area := range []string{"work", "housing", "language", ""} {
			s, ok := series[area]
			for i, wk := range moments {
				var open, overdue int
				for _, tk := range members {
					if tk.area != area {
						continue
					}
					o, od := tk.openAt(wk)
					if o {
						open++
					}
					if od {
						overdue++
					}
				}
				var gotOpen, gotOverdue int
				if ok {
					gotOpen, gotOverdue = s.Open[i], s.Overdue[i]
				}
				if gotOpen != open || gotOverdue != overdue {
					t.Errorf("area %q, week %d (%v): open %d overdue %d, want %d and %d", area, i, wk, gotOpen, gotOverdue, open, overdue)
				}
			}
		}
		// Known points: A (work) is open and overdue now; F (housing) has been overdue for
		// every week shown except possibly the oldest two; D never counts.
		if s := series["work"]; s.Open[len(s.Open)-1] != 2 || s.Overdue[len(s.Overdue)-1] != 1 {
			t.Errorf("work now: open %d overdue %d, want 2 and 1", s.Open[len(s.Open)-1], s.Overdue[len(s.Overdue)-1])
		}
		// C has no area and was cancelled: the series for "no area" exists only if it was
		// open at some week's end.
		if s, ok := series[""]; ok {
			for i, n := range s.Open {
				if o, _ := c.openAt(moments[i]); (n == 1) != o {
					t.Errorf("no area, week %d: %d open", i, n)
				}
			}
		}
	})

	t.Run("task list", func(t *testing.T) {
		ids := func(list []service.TeamTask) []uuid.UUID {
			var out []uuid.UUID
			for _, t := range list {
				out = append(out, t.ID)
			}
			return out
		}
		// The most urgent first: overdue (F due earlier than A), then E.
		if got, want := ids(team.List), []uuid.UUID{f.id, a.id, e.id}; fmt.Sprint(got) != fmt.Sprint(want) || team.ListTotal != 3 {
			t.Errorf("list = %v (total %d), want F, A, E", got, team.ListTotal)
		}
		if l := team.List[1]; !l.Overdue || l.DaysOverdue != 10 || l.AgeDays != 20 || l.AssigneeName != "" {
			t.Errorf("A in the list: %+v", l)
		}
		if l := team.List[2]; l.Overdue || l.AssigneeName != "Wiebke Wohnen" {
			t.Errorf("E in the list: %+v", l)
		}
		for _, tc := range []struct {
			name string
			f    service.TeamFilter
			want []uuid.UUID
		}{
			{"unassigned", service.TeamFilter{Unassigned: true}, []uuid.UUID{f.id, a.id}},
			{"assignee", service.TeamFilter{Assignee: &worker}, []uuid.UUID{e.id}},
			{"area", service.TeamFilter{Area: cwPtr("housing")}, []uuid.UUID{f.id}},
			{"no area", service.TeamFilter{Area: cwPtr("")}, nil},
			{"overdue", service.TeamFilter{OverdueOnly: true}, []uuid.UUID{f.id, a.id}},
			// Two filters at once: the figures cannot count them, the list does.
			{"assignee and overdue", service.TeamFilter{Assignee: &worker, OverdueOnly: true}, nil},
			{"assignee and area", service.TeamFilter{Assignee: &worker, Area: cwPtr("housing")}, nil},
		} {
			got, err := w.svc.Dashboard.Team(w.ctx, w.housingLead, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got.List)) != fmt.Sprint(tc.want) || got.ListTotal != len(tc.want) {
				t.Errorf("%s: %v (total %d), want %v", tc.name, ids(got.List), got.ListTotal, tc.want)
			}
			if got.Tasks.Total != team.Tasks.Total {
				t.Errorf("%s: the filter changed the figures", tc.name)
			}
		}
	})

	t.Run("only department heads", func(t *testing.T) {
		for _, a := range []model.Actor{w.housingWorker, w.jobcenterWorker, w.sysadmin} {
			if _, err := w.svc.Dashboard.Team(w.ctx, a, service.TeamFilter{}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s: %v, want ErrForbidden", a.Name, err)
			}
		}
	})
}
