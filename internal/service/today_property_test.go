package service_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// checkWorklist compares the start page with the oracle: each section's total is the number of
// the records the oracle says the section holds, and every row shown is one of them (the rows
// are capped at model.WorklistLimit). A section is present exactly when the actor holds its
// list's permission; an actor without case content gets none at all.
func (w *pwWorld) checkWorklist(t *testing.T, pa pwActor, who string) {
	t.Helper()
	wl, err := w.svc.Home.Worklist(w.ctx, pa.a)
	if err != nil {
		t.Fatalf("%s: start page: %v", who, err)
	}
	if !pa.caseContent() {
		if wl.ShowsCaseContent() || wl.Team != nil {
			t.Errorf("%s: the start page shows case content: %+v", who, wl)
		}
		return
	}
	allowed := func(obj, act string) bool {
		ok, err := w.svc.Access.Allowed(pa.a, obj, act)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	present := func(what string, has, want bool) bool {
		if has != want {
			t.Errorf("%s: start page section %s present %v, want %v", who, what, has, want)
		}
		return has && want
	}
	check := func(what string, oracle map[uuid.UUID]bool, total int, ids []uuid.UUID) {
		t.Helper()
		if total != len(oracle) {
			t.Errorf("%s: start page %s: total %d, oracle %d", who, what, total, len(oracle))
		}
		if want := min(len(oracle), model.WorklistLimit); len(ids) != want {
			t.Errorf("%s: start page %s: %d rows, want %d", who, what, len(ids), want)
		}
		for _, id := range ids {
			if !oracle[id] {
				t.Errorf("%s: start page %s shows %s, which the oracle does not", who, what, w.describe(id))
			}
		}
		if len(oracle) > 0 {
			w.seen["start page "+what]++
		}
	}

	works := allowed("task", "update")
	weekEnd := w.today.AddDate(0, 0, model.WorklistWeekDays-1)
	for _, sec := range []struct {
		what string
		got  *model.Section[model.Task]
		in   func(d time.Time) bool
	}{
		{"overdue", wl.Overdue, func(d time.Time) bool { return d.Before(w.today) }},
		{"due today", wl.DueToday, func(d time.Time) bool { return d.Equal(w.today) }},
		{"due this week", wl.DueThisWeek, func(d time.Time) bool { return d.After(w.today) && !d.After(weekEnd) }},
	} {
		if !present(sec.what, sec.got != nil, works) {
			continue
		}
		oracle := map[uuid.UUID]bool{}
		for _, tk := range w.tasks {
			if w.taskVisible(pa, tk) && tk.org == pa.org && (tk.assignee == pa.user || tk.assignee < 0) &&
				!tk.status.Closed() && tk.due != nil && sec.in(*tk.due) {
				oracle[tk.id] = true
			}
		}
		ids := make([]uuid.UUID, len(sec.got.Items))
		for i, tk := range sec.got.Items {
			ids[i] = tk.ID
		}
		check(sec.what, oracle, sec.got.Total, ids)
	}

	if present("incoming", wl.Incoming != nil, allowed("referral", "answer")) {
		oracle := map[uuid.UUID]bool{}
		for _, rf := range w.referrals {
			if rf.to == pa.org && rf.status == model.ReferralSent && w.coveredToday(rf) {
				oracle[rf.id] = true
			}
		}
		ids := make([]uuid.UUID, len(wl.Incoming.Items))
		for i, rf := range wl.Incoming.Items {
			ids[i] = rf.ID
		}
		check("incoming", oracle, wl.Incoming.Total, ids)
	}

	if present("replies", wl.Replies != nil, allowed("referral", "create")) {
		// The time of a referral's last change is the row's; the oracle reads it.
		since := w.svc.Now().AddDate(0, 0, -model.WorklistReplyDays)
		changed := map[uuid.UUID]bool{}
		rows, err := w.db.SQL.QueryContext(w.ctx, `SELECT id FROM referrals WHERE updated_at >= $1`, since)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id uuid.UUID
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			changed[id] = true
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		oracle := map[uuid.UUID]bool{}
		for _, rf := range w.referrals {
			replied := rf.status == model.ReferralAccepted || rf.status == model.ReferralDeclined ||
				rf.status == model.ReferralInProgress || rf.status == model.ReferralCompleted
			if rf.from == pa.org && replied && changed[rf.id] && w.referralVisible(pa, rf) {
				oracle[rf.id] = true
			}
		}
		ids := make([]uuid.UUID, len(wl.Replies.Items))
		for i, rf := range wl.Replies.Items {
			ids[i] = rf.ID
		}
		check("replies", oracle, wl.Replies.Total, ids)
	}

	if present("recent cases", wl.RecentCases != nil, allowed("case", "read")) {
		since := w.svc.Now().AddDate(0, 0, -model.WorklistCaseDays)
		oracle := map[uuid.UUID]bool{}
		for ci, c := range w.cases {
			if w.access(pa, ci).visible && !c.updatedAt.Before(since) {
				oracle[c.id] = true
			}
		}
		ids := make([]uuid.UUID, len(wl.RecentCases.Items))
		for i, c := range wl.RecentCases.Items {
			ids[i] = c.ID
		}
		check("recent cases", oracle, wl.RecentCases.Total, ids)
	}
}
