package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// homeTask creates a task of org through the service as actor, on caseID when given, and
// then sets its due date (days from today), assignee and status with plain SQL, as the
// services refuse due dates in the past.
func (w *cwWorld) homeTask(actor model.Actor, org uuid.UUID, caseID *uuid.UUID, title string, due *int, assignee *uuid.UUID, status model.TaskStatus) uuid.UUID {
	w.t.Helper()
	task, err := w.svc.Tasks.Create(w.ctx, actor, model.TaskCreate{OrgID: org, CaseID: caseID, Title: title})
	if err != nil {
		w.t.Fatalf("task %s: %v", title, err)
	}
	var d any
	if due != nil {
		d = w.today().AddDate(0, 0, *due).Format(time.DateOnly)
	}
	if status == "" {
		status = model.TaskOpen
	}
	if err := w.db.Gorm.Exec(`UPDATE tasks SET due_date = ?::date, assignee_id = ?, status = ? WHERE id = ?`, d, assignee, string(status), task.ID).Error; err != nil {
		w.t.Fatalf("task %s: %v", title, err)
	}
	return task.ID
}

// actorNamed is the actor of the world's account with that display name, in its organisation.
func (w *cwWorld) actorNamed(name string) model.Actor {
	w.t.Helper()
	var id, org uuid.UUID
	if err := w.db.SQL.QueryRow(`SELECT u.id, g.org_id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE u.display_name = $1`, name).Scan(&id, &org); err != nil {
		w.t.Fatalf("account %s: %v", name, err)
	}
	a, _, err := w.svc.Access.Actor(w.ctx, service.ActorRequest{UserID: id, OrgID: &org, RequestID: "req-" + name})
	if err != nil {
		w.t.Fatalf("actor %s: %v", name, err)
	}
	return a
}

func taskTitles(s *model.Section[model.Task]) []string {
	if s == nil {
		return nil
	}
	out := []string{}
	for _, t := range s.Items {
		out = append(out, t.Title)
	}
	slices.Sort(out)
	return out
}

func referralIDs(s *model.Section[model.Referral]) []uuid.UUID {
	if s == nil {
		return nil
	}
	out := []uuid.UUID{}
	for _, r := range s.Items {
		out = append(out, r.ID)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

func homeIDs(ids ...uuid.UUID) []uuid.UUID {
	out := append([]uuid.UUID{}, ids...)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// TestHomeWorklist: what each role's start page lists, as exact sets: the caseworker's own and
// unassigned tasks of the acting organisation by due date, never a colleague's, another
// organisation's or a closed one; the referrals waiting for an answer, never one whose consent
// no longer covers it; the replies to the organisation's referrals of the last two weeks; the
// cases changed in the last week that the caseworker may read; the head's team in figures;
// and for the roles without case content only links, without any read or audit event.
func TestHomeWorklist(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	now := time.Now().Truncate(time.Second)
	w.setClock(now)
	me, colleague := w.housingWorker.UserID, w.housingWorker2.UserID
	day := func(n int) *int { return &n }

	housingCase := w.newCase(w.housing)
	migrationCase := w.newCase(w.migration)
	w.homeTask(w.housingWorker, w.housing, &housingCase, "mine overdue", day(-3), &me, "")
	w.homeTask(w.housingWorker, w.housing, nil, "nobody's overdue", day(-1), nil, "")
	w.homeTask(w.housingWorker, w.housing, nil, "colleague's overdue", day(-2), &colleague, "")
	w.homeTask(w.housingWorker, w.housing, nil, "done overdue", day(-2), &me, model.TaskDone)
	w.homeTask(w.housingWorker, w.housing, nil, "mine today", day(0), &me, "")
	w.homeTask(w.housingWorker, w.housing, nil, "mine in three days", day(3), &me, model.TaskInProgress)
	w.homeTask(w.housingWorker, w.housing, nil, "mine in six days", day(6), &me, "")
	w.homeTask(w.housingWorker, w.housing, nil, "mine in seven days", day(7), &me, "")
	w.homeTask(w.housingWorker, w.housing, nil, "mine undated", nil, &me, "")
	w.homeTask(w.northWorker, w.north, nil, "North's overdue", day(-5), nil, "")
	w.homeTask(w.migrationWorker, w.migration, &migrationCase, "Migration's overdue", day(-5), nil, "")

	// Referrals from Housing: one waiting, one accepted today, one declined three weeks ago,
	// one whose consent was revoked behind the referral's back (the row still says sent).
	waiting, _ := w.coveredReferral(w.jobcenter)
	accepted, _ := w.coveredReferral(w.jobcenter)
	if _, err := w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, accepted.ID, accepted.Version); err != nil {
		t.Fatal(err)
	}
	old, _ := w.coveredReferral(w.jobcenter)
	if _, err := w.svc.Referrals.Decline(w.ctx, w.jobcenterWorker, old.ID, old.Version, "Keine Kapazität"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Gorm.Exec(`UPDATE referrals SET updated_at = ? WHERE id = ?`, now.AddDate(0, 0, -21), old.ID).Error; err != nil {
		t.Fatal(err)
	}
	revoked, consent := w.coveredReferral(w.jobcenter)
	if err := w.db.Gorm.Exec(`UPDATE consents SET revoked_at = ? WHERE id = ?`, now.Add(-time.Hour), consent.ID).Error; err != nil {
		t.Fatal(err)
	}
	toCaritas, _ := w.coveredReferral(w.caritas)
	// A case of Housing that changed ten days ago is not recent.
	stale := w.newCase(w.housing)
	if err := w.db.Gorm.Exec(`UPDATE cases SET updated_at = ? WHERE id = ?`, now.AddDate(0, 0, -10), stale).Error; err != nil {
		t.Fatal(err)
	}

	get := func(a model.Actor) *model.Worklist {
		t.Helper()
		wl, err := w.svc.Home.Worklist(w.ctx, a)
		if err != nil {
			t.Fatalf("worklist: %v", err)
		}
		return wl
	}

	t.Run("caseworker of the lead organisation", func(t *testing.T) {
		before := w.auditCount("")
		wl := get(w.housingWorker)
		for _, c := range []struct {
			name string
			sec  *model.Section[model.Task]
			want []string
		}{
			{"overdue", wl.Overdue, []string{"mine overdue", "nobody's overdue"}},
			{"today", wl.DueToday, []string{"mine today"}},
			{"this week", wl.DueThisWeek, []string{"mine in six days", "mine in three days"}},
		} {
			if got := taskTitles(c.sec); !slices.Equal(got, c.want) {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
			if c.sec != nil && c.sec.Total != len(c.want) {
				t.Errorf("%s: total %d, want %d", c.name, c.sec.Total, len(c.want))
			}
		}
		if wl.Overdue.Items[0].Title != "mine overdue" || wl.Overdue.Items[0].Case == nil || wl.Overdue.Items[0].Case.Name != "Test" {
			t.Errorf("the most overdue task first, named by its case's person: %+v", wl.Overdue.Items[0])
		}
		if wl.Incoming == nil || wl.Incoming.Total != 0 {
			t.Errorf("a municipal caseworker answers referrals too (none came to Housing): %+v", wl.Incoming)
		}
		if got, want := referralIDs(wl.Replies), homeIDs(accepted.ID); !slices.Equal(got, want) {
			t.Errorf("replies: %v, want %v (the accepted one only)", got, want)
		}
		var recent []uuid.UUID
		for _, c := range wl.RecentCases.Items {
			recent = append(recent, c.ID)
		}
		if slices.Contains(recent, stale) || slices.Contains(recent, migrationCase) || !slices.Contains(recent, housingCase) {
			t.Errorf("recent cases %v: want the housing case %s, neither the stale %s nor Migration's %s", recent, housingCase, stale, migrationCase)
		}
		if wl.RecentCases.Total != 6 || len(wl.RecentCases.Items) != 6 {
			// housingCase and the five referrals' cases.
			t.Errorf("recent cases: %d of %d, want 6", len(wl.RecentCases.Items), wl.RecentCases.Total)
		}
		if wl.Team != nil || len(wl.Links) != 0 {
			t.Errorf("a caseworker got the head's figures or links: %+v %v", wl.Team, wl.Links)
		}
		var actions []string
		for _, e := range w.auditAfterCount(before) {
			actions = append(actions, e.Action)
			if e.Details["view"] != "home" {
				t.Errorf("%s without view home: %v", e.Action, e.Details)
			}
		}
		if want := []string{"task.list", "referral.list", "case.list"}; !slices.Equal(actions, want) {
			t.Errorf("audit events %q, want %q", actions, want)
		}
	})

	t.Run("partner caseworker", func(t *testing.T) {
		wl := get(w.jobcenterWorker)
		if got, want := referralIDs(wl.Incoming), homeIDs(waiting.ID); !slices.Equal(got, want) {
			t.Errorf("incoming: %v, want only the waiting %v (not the answered, not the one without cover %v, not Caritas' %v)", got, want, revoked.ID, toCaritas.ID)
		}
		if wl.Replies != nil {
			t.Error("a partner sends no referrals, but got replies")
		}
		if wl.Overdue == nil || wl.Overdue.Total != 0 {
			t.Errorf("the partner's task sections: %+v", wl.Overdue)
		}
		for _, c := range wl.RecentCases.Items {
			if c.ID == housingCase || c.ID == stale || c.ID == migrationCase {
				t.Errorf("the partner sees the unreferred case %s", c.ID)
			}
		}
	})

	t.Run("department head", func(t *testing.T) {
		wl := get(w.housingLead)
		if wl.Overdue != nil || wl.DueToday != nil || wl.DueThisWeek != nil || wl.Incoming != nil || wl.Replies != nil {
			t.Errorf("the head got a caseworker's sections: %+v", wl)
		}
		if wl.Team == nil {
			t.Fatal("no team figures")
		}
		// Housing (eight open tasks, the colleague's too: it is the team's) and North (one);
		// not Migration's, not the done one. Four referrals went out and are active (the one
		// without cover too: the sender still follows it), none came in.
		want := model.TeamSummary{
			OpenTasks: 9, OverdueTasks: 4, UnassignedTasks: 2, Referrals: true,
			OutgoingOpen: 4, OutgoingOverdue: 0, IncomingOpen: 0, IncomingOverdue: 0,
		}
		if *wl.Team != want {
			t.Errorf("team figures %+v, want %+v", *wl.Team, want)
		}
		if !slices.Contains(wl.Links, model.LinkAdministration) {
			t.Errorf("links %v: the head reads members, the administration link is missing", wl.Links)
		}
		if wl.RecentCases == nil {
			t.Error("the head reads cases; the recent cases are missing")
		}
	})

	t.Run("roles without case content", func(t *testing.T) {
		for _, c := range []struct {
			name string
			want []model.WorklistLink
		}{
			{"Kim Koordination", []model.WorklistLink{model.LinkStatistics}},
			{"Sam Sysadmin", []model.WorklistLink{model.LinkAdministration}},
			{"Dana Datenschutz", []model.WorklistLink{model.LinkPrivacy, model.LinkAdministration}},
			{"Hans Admin-Wohnen", []model.WorklistLink{model.LinkAdministration}},
		} {
			a := w.actorNamed(c.name)
			before := w.auditCount("")
			wl := get(a)
			if wl.ShowsCaseContent() || wl.Team != nil {
				t.Errorf("%s sees case content on the start page: %+v", c.name, wl)
			}
			if !slices.Equal(wl.Links, c.want) {
				t.Errorf("%s: links %v, want %v", c.name, wl.Links, c.want)
			}
			if n := w.auditCount("") - before; n != 0 {
				t.Errorf("%s: %d audit events for a page without case content", c.name, n)
			}
		}
	})
}

// auditAfterCount returns the audit events after the first n, oldest first.
func (w *cwWorld) auditAfterCount(n int) []model.AuditEvent {
	w.t.Helper()
	var out []model.AuditEvent
	if err := w.db.Gorm.Order("id").Offset(n).Find(&out).Error; err != nil {
		w.t.Fatal(err)
	}
	return out
}

// TestHomeWorklistStatements: the start page runs a fixed number of statements, however many
// tasks, referrals and cases there are; every section is capped at model.WorklistLimit rows.
func TestHomeWorklistStatements(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	countStatements(t, w.db.Gorm)
	me := w.housingWorker.UserID
	day := func(n int) *int { return &n }
	statements := func(a model.Actor) (int64, *model.Worklist) {
		t.Helper()
		c := &statementCounter{}
		ctx := context.WithValue(context.Background(), counterKey{}, c)
		wl, err := w.svc.Home.Worklist(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return c.n.Load(), wl
	}
	add := func(n int) {
		for range n {
			c := w.newCase(w.housing)
			w.homeTask(w.housingWorker, w.housing, &c, "overdue", day(-2), &me, "")
			w.homeTask(w.housingWorker, w.housing, &c, "today", day(0), nil, "")
			w.homeTask(w.housingWorker, w.housing, &c, "soon", day(2), &me, "")
			r, _ := w.coveredReferral(w.jobcenter)
			if _, err := w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, r.ID, r.Version); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(1)
	actors := []model.Actor{w.housingWorker, w.jobcenterWorker, w.housingLead}
	before := map[int]int64{}
	for i, a := range actors {
		before[i], _ = statements(a)
		t.Logf("%s: %d statements", a.Name, before[i])
		if before[i] > 40 {
			t.Errorf("%s: the start page runs %d statements", a.Name, before[i])
		}
	}
	add(model.WorklistLimit + 2)
	for i, a := range actors {
		after, wl := statements(a)
		if after != before[i] {
			t.Errorf("%s: %d statements with %d more of everything, %d before", a.Name, after, model.WorklistLimit+2, before[i])
		}
		if a.UserID == me {
			if len(wl.Overdue.Items) != model.WorklistLimit || wl.Overdue.Total != model.WorklistLimit+3 {
				t.Errorf("overdue: %d listed of %d, want %d of %d", len(wl.Overdue.Items), wl.Overdue.Total, model.WorklistLimit, model.WorklistLimit+3)
			}
		}
	}
}
