package service_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// roleActor creates an account with one role (granted by the system administrator through
// the directory, which reloads the policy) and returns it as an actor in org.
func (w *cwWorld) roleActor(name string, org uuid.UUID, role model.Role) model.Actor {
	w.t.Helper()
	m, err := w.svc.Directory.CreateMember(w.ctx, w.sysadmin, model.MemberCreate{DisplayName: name, Email: name + "@stadt.test", OrgID: org, Role: role})
	if err != nil {
		w.t.Fatalf("member %s: %v", name, err)
	}
	a, _, err := w.svc.Access.Actor(w.ctx, service.ActorRequest{UserID: m.User.ID, OrgID: &org, RequestID: "req-" + name})
	if err != nil {
		w.t.Fatalf("actor %s: %v", name, err)
	}
	return a
}

func TestCountSmallNumberRule(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
		supp bool
	}{{0, "0", false}, {1, "<5", true}, {2, "<5", true}, {4, "<5", true}, {5, "5", false}, {6, "6", false}, {123, "123", false}} {
		c := model.NewCount(tc.n)
		if c.String() != tc.want || c.Suppressed != tc.supp {
			t.Errorf("NewCount(%d) = %+v (%q), want %q suppressed=%v", tc.n, c, c.String(), tc.want, tc.supp)
		}
		if c.Suppressed && c.N != 0 {
			t.Errorf("NewCount(%d) keeps the number %d in a suppressed count", tc.n, c.N)
		}
	}
}

// TestStatisticsOverview builds known figures and checks every table: counts from 5 exact, 1
// to 4 as "<5" without their number, 0 as 0, totals suppressed whenever they sum over a
// suppressed cell, closed cases out of the running figures, the months of Europe/Berlin.
func TestStatisticsOverview(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	w.setClock(time.Date(2026, 6, 15, 12, 0, 0, 0, berlin))
	coordinator := w.roleActor("koordination", w.migration, model.RoleCoordinator)

	var cases []uuid.UUID
	for range 7 {
		cases = append(cases, w.newCase(w.housing))
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := w.db.Gorm.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	plan := func(c uuid.UUID, area, status string) {
		exec(`INSERT INTO area_statuses (case_id, area, status) VALUES (?, ?, ?)
			ON CONFLICT (case_id, area) DO UPDATE SET status = EXCLUDED.status`, c, area, status)
	}
	for i, c := range cases {
		switch {
		case i < 5: // five running cases in Schinkel: housing in progress, work achieved; opened this month
			plan(c, "housing", "in_progress")
			plan(c, "work", "achieved")
			exec(`UPDATE cases SET district = 'Schinkel', opened_at = ? WHERE id = ?`, time.Date(2026, 6, 10, 9, 0, 0, 0, berlin), c)
		case i == 5: // one running case in Eversburg, waiting for housing; opened in April
			plan(c, "housing", "waiting")
			exec(`UPDATE cases SET district = 'Eversburg', opened_at = ? WHERE id = ?`, time.Date(2026, 4, 10, 9, 0, 0, 0, berlin), c)
		default: // a closed case: counts in no running figure; opened 13 months ago: in no month
			plan(c, "housing", "in_progress")
			exec(`UPDATE cases SET district = 'Schinkel', status = 'closed', closed_at = now(), opened_at = ? WHERE id = ?`,
				time.Date(2025, 5, 10, 9, 0, 0, 0, berlin), c)
		}
	}
	// One case opened at 00:30 on 1 July 2025 in Berlin (22:30 UTC on 30 June): the oldest
	// month of the twelve, by Berlin's calendar.
	edge := w.newCase(w.housing)
	exec(`UPDATE cases SET status = 'closed', closed_at = now(), opened_at = ? WHERE id = ?`, time.Date(2025, 7, 1, 0, 30, 0, 0, berlin), edge)
	// One referral to the job center, sent, of a case opened long ago.
	ref, _ := w.coveredReferral(w.jobcenter)
	exec(`UPDATE cases SET opened_at = ? WHERE id = ?`, time.Date(2024, 1, 10, 9, 0, 0, 0, berlin), ref.CaseID)

	st, err := w.svc.Statistics.Overview(w.ctx, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	cell := func(tb model.StatTable, row, col string) model.Count {
		t.Helper()
		for i, r := range tb.Rows {
			if r.Code != row {
				continue
			}
			for k, c := range tb.Cols {
				if c.Code == col {
					return tb.Cells[i][k]
				}
			}
		}
		t.Fatalf("no cell %s/%s", row, col)
		return model.Count{}
	}
	rowTotal := func(tb model.StatTable, row string) model.Count {
		t.Helper()
		for i, r := range tb.Rows {
			if r.Code == row {
				return tb.RowTotals[i]
			}
		}
		t.Fatalf("no row %s", row)
		return model.Count{}
	}
	colTotal := func(tb model.StatTable, col string) model.Count {
		t.Helper()
		for k, c := range tb.Cols {
			if c.Code == col {
				return tb.ColTotals[k]
			}
		}
		t.Fatalf("no column %s", col)
		return model.Count{}
	}
	check := func(what string, got model.Count, want string) {
		t.Helper()
		if got.String() != want {
			t.Errorf("%s = %q, want %q", what, got.String(), want)
		}
		if got.Suppressed && got.N != 0 {
			t.Errorf("%s: a suppressed count carries the number %d", what, got.N)
		}
	}

	a := st.AreaStatus
	check("housing/in progress", cell(a, "housing", "in_progress"), "5")
	check("housing/waiting", cell(a, "housing", "waiting"), "<5")
	check("housing/achieved", cell(a, "housing", "achieved"), "0")
	check("housing total (5 and one of 1 to 4)", rowTotal(a, "housing"), "6–9")
	check("work/achieved", cell(a, "work", "achieved"), "5")
	check("work total", rowTotal(a, "work"), "5")
	check("schooling total", rowTotal(a, "schooling"), "0")
	check("in progress total", colTotal(a, "in_progress"), "5")
	check("waiting total", colTotal(a, "waiting"), "<5")
	check("achieved total", colTotal(a, "achieved"), "5")
	check("grand total (10 shown, one of 1 to 4)", a.Total, "11–14")
	if len(a.Rows) != 6 || a.Rows[0].Code != "housing" || a.Rows[0].NameDE != "Wohnen" || a.Rows[0].NameEN != "Housing" {
		t.Errorf("area rows %+v", a.Rows)
	}

	d := st.Districts
	check("Schinkel", cell(d, "Schinkel", "cases"), "5")
	check("Eversburg", cell(d, "Eversburg", "cases"), "<5")
	check("districts total (5 and two of 1 to 4)", d.Total, "7–13")
	check("districts column total", colTotal(d, "cases"), "7–13")
	// The other cases (from newCase without district, the referral's) are "not recorded".
	if last := d.Rows[len(d.Rows)-1]; last.Code != "" {
		t.Errorf("the unknown district is not last: %+v", d.Rows)
	}

	n := st.NewCases
	if len(n.Rows) != 12 || n.Rows[0].Code != "2025-07" || n.Rows[11].Code != "2026-06" {
		t.Fatalf("months %+v", n.Rows)
	}
	check("July 2025 (Berlin's calendar)", cell(n, "2025-07", "cases"), "<5")
	check("April 2026", cell(n, "2026-04", "cases"), "<5")
	check("May 2026", cell(n, "2026-05", "cases"), "0")
	check("new cases total", n.Total, "7–13")

	r := st.Referrals
	check("job center/sent", cell(r, "jobcenter", "sent"), "<5")
	check("welfare/sent", cell(r, "welfare", "sent"), "0")
	check("job center total", rowTotal(r, "jobcenter"), "<5")
	check("welfare total", rowTotal(r, "welfare"), "0")

	// The coordinator sees figures, never a case.
	for _, c := range cases {
		if _, err := w.svc.Cases.Get(w.ctx, coordinator, c); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the coordinator reads case %s: %v", c, err)
		}
	}
	// Statistics are for the coordination staff only.
	for _, who := range []model.Actor{w.housingWorker, w.housingLead, w.sysadmin, w.jobcenterWorker} {
		if _, err := w.svc.Statistics.Overview(w.ctx, who); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s reads the statistics: %v", who.Name, err)
		}
	}
}

// TestStatisticsExactWithoutSmallCells: with no count between 1 and 4 every total is shown.
func TestStatisticsExactWithoutSmallCells(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	coordinator := w.roleActor("koordination", w.migration, model.RoleCoordinator)
	for range 6 {
		c := w.newCase(w.housing)
		if err := w.db.Gorm.Exec(`INSERT INTO area_statuses (case_id, area, status) VALUES (?, 'language', 'in_progress')`, c).Error; err != nil {
			t.Fatal(err)
		}
	}
	st, err := w.svc.Statistics.Overview(w.ctx, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.AreaStatus.Total.String(); got != "6" {
		t.Errorf("grand total %q, want 6", got)
	}
	if got := st.Districts.Total.String(); got != "6" {
		t.Errorf("district total %q, want 6", got)
	}
	if got := st.NewCases.Total.String(); got != "6" {
		t.Errorf("new cases total %q, want 6", got)
	}
	if got := st.Referrals.Total.String(); got != "0" {
		t.Errorf("referrals total %q, want 0", got)
	}
}
