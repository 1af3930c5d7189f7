package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestTeamTasksByOrgAsTheList holds the team list's page read organisation by organisation
// (teamTasksByOrg, used when the dashboard's figures give the total) equal to the list it
// replaces (every open task of the team counted and sorted, withTotal): the same tasks in
// the same order, read whole, for every filter and page, over tasks of three organisations in every
// status, with due dates that tie and are missing, with and without an assignee and area;
// and, on those tasks, the plans of the page and of the weekly series (teamListPlan,
// seriesPlan).
func TestTeamTasksByOrgAsTheList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, st := ownedStore(t)
	sys := model.Actor{System: true, Name: "test"}
	var orgs []uuid.UUID
	people := []uuid.UUID{uuid.New(), uuid.New()}
	var areas []string
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		for i := range 3 {
			o := model.Organisation{Kind: model.OrgWelfare, Name: fmt.Sprintf("Team %d", i), ShortName: fmt.Sprintf("TEAM%d", i), Active: true}
			if err := tx.Organisations().Create(ctx, &o); err != nil {
				return err
			}
			orgs = append(orgs, o.ID)
		}
		for i, id := range people {
			if err := tx.db.Exec(`INSERT INTO users (id, email, display_name) VALUES (?, ?, ?)`, id, fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("P %d", i)).Error; err != nil {
				return err
			}
		}
		return tx.db.Raw(`SELECT code FROM areas ORDER BY code LIMIT 2`).Scan(&areas).Error
	}); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(13, 11))
	var rows []string
	var args []any
	for range 400 {
		var due, assignee, area any
		if r.IntN(5) > 0 {
			due = today.AddDate(0, 0, r.IntN(9)-4).Format(time.DateOnly) // nine days: many ties
		}
		if i := r.IntN(len(people) + 1); i < len(people) {
			assignee = people[i]
		}
		if i := r.IntN(len(areas) + 1); i < len(areas) {
			area = areas[i]
		}
		rows = append(rows, "(?, ?, ?, ?, 'Liste', ?::date, ?)")
		args = append(args, uuid.New(), orgs[r.IntN(len(orgs))], assignee, area, due, string(model.TaskStatuses[r.IntN(len(model.TaskStatuses))]))
	}
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		return tx.db.Exec(`INSERT INTO tasks (id, org_id, assignee_id, area, title, due_date, status) VALUES `+strings.Join(rows, ", "), args...).Error
	}); err != nil {
		t.Fatal(err)
	}
	// And as many tasks as a large unit has: open ones due over two months, enough that
	// counting and sorting them all is what a planner would avoid for a page, and more that
	// were closed long ago.
	for _, sql := range []string{
		`INSERT INTO tasks (id, org_id, title, due_date, status, done_at, created_at, updated_at)
			SELECT gen_random_uuid(), (?::uuid[])[1 + i % 3], 'Viele', DATE '2026-10-01' + (i % 61), st,
				CASE WHEN st = 'done' THEN TIMESTAMPTZ '2026-05-04 10:00Z' END, TIMESTAMPTZ '2026-04-01 10:00Z',
				CASE WHEN st IN ('done', 'cancelled') THEN TIMESTAMPTZ '2026-05-04 10:00Z' ELSE TIMESTAMPTZ '2026-04-01 10:00Z' END
			FROM generate_series(1, 16000) i,
				LATERAL (SELECT (ARRAY['open', 'in_progress', 'waiting', 'done', 'done', 'done', 'done', 'cancelled'])[1 + i % 8] AS st) s`,
		`ANALYZE tasks`,
	} {
		var err error
		if strings.HasPrefix(sql, "ANALYZE") {
			err = owner.Gorm.Exec(sql).Error
		} else {
			err = owner.Gorm.Exec(sql, uuids(orgs)).Error
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	sc := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree}, OrgID: orgs[0], OrgTree: orgs}
	none := ""
	for _, f := range []struct {
		name string
		q    TeamTaskQuery
	}{
		{"the whole team", TeamTaskQuery{}},
		{"nobody's", TeamTaskQuery{Unassigned: true}},
		{"one person's", TeamTaskQuery{Assignee: &people[1]}},
		{"one area", TeamTaskQuery{Area: &areas[0]}},
		{"no area", TeamTaskQuery{Area: &none}},
		{"the overdue", TeamTaskQuery{OverdueOnly: true}},
		{"two organisations of the three", TeamTaskQuery{Orgs: orgs[1:]}},
	} {
		for _, offset := range []int{0, 20, 40, 60, 180, 400} {
			q := f.q
			if q.Orgs == nil {
				q.Orgs = orgs
			}
			q.Today, q.Limit, q.Sort = today, 20, ListSort{Offset: offset}
			var want, got []model.Task
			var total int64
			if err := st.Read(ctx, sys, func(tx *Tx) error {
				var err error
				if want, total, err = tx.Dashboard().TeamTasks(ctx, sc, q); err != nil {
					return err
				}
				known := total + 1000 // the page takes the total it is given
				q.Total = &known
				var n int64
				got, n, err = tx.Dashboard().TeamTasks(ctx, sc, q)
				if err == nil && n != known {
					err = fmt.Errorf("total %d, given %d", n, known)
				}
				return err
			}); err != nil {
				t.Fatalf("%s from %d: %v", f.name, offset, err)
			}
			if offset == 0 && total < 25 {
				t.Fatalf("%s: %d tasks match; the test wants some on every page", f.name, total)
			}
			if offset == 0 && f.name == "the whole team" {
				known := total
				q.Total = &known
				teamListPlan(t, owner, st, sc, q)
				seriesPlan(t, owner, st, sc, orgs)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s from %d: by organisation %v,\nthe list %v", f.name, offset, taskIDs(got), taskIDs(want))
			}
		}
	}
}

// ownedStore is a new database, to be filled and analysed as its owner (ANALYZE skips tables
// of other owners) and read through the store as the application role.
func ownedStore(t *testing.T) (*db.DB, *Store) {
	t.Helper()
	tdb := testutil.NewDatabase(t)
	return testutil.Open(t, tdb.OwnerURL), New(testutil.Open(t, tdb.URL).Gorm, nil)
}

// newOrgs adds n welfare organisations, as the owner.
func newOrgs(t *testing.T, owner *db.DB, n int) []uuid.UUID {
	t.Helper()
	var orgs []uuid.UUID
	for i := range n {
		id := uuid.New()
		if err := owner.Gorm.Exec(`INSERT INTO organisations (id, kind, name, short_name) VALUES (?, 'welfare', ?, ?)`,
			id, fmt.Sprintf("Org %d", i), fmt.Sprintf("ORG%d", i)).Error; err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, id)
	}
	return orgs
}

// The page is read from each organisation's open tasks in due order and stopped after it:
// no scan of the team's tasks, no count over them.
func teamListPlan(t *testing.T, owner *db.DB, st *Store, sc model.Scope, q TeamTaskQuery) {
	t.Helper()
	plan, nodes := lastPlan(t, owner, st, func(dry *gorm.DB) { _, _, _ = Dashboard{dry}.TeamTasks(context.Background(), sc, q) })
	limits := 0
	for _, n := range nodes {
		if n == "Limit" {
			limits++
		}
	}
	if limits < 2 || !slices.Contains(nodes, "Index Scan tasks_org_status_due_idx") || slices.ContainsFunc(nodes, func(n string) bool {
		return n == "Seq Scan tasks" || n == "Bitmap Heap Scan" || n == "WindowAgg"
	}) {
		t.Errorf("want each organisation's open tasks read in due order from tasks_org_status_due_idx and stopped after the page:\n%s", outline(t, plan))
	}
}

// The weekly series reads the open tasks and those closed since its first moment, each
// from its own index, not every task the team ever had (tasks_org_closed_since_idx).
func seriesPlan(t *testing.T, owner *db.DB, st *Store, sc model.Scope, orgs []uuid.UUID) {
	t.Helper()
	var moments []WeekMoment
	for i := range 12 {
		at := time.Date(2026, 9, 28, 0, 0, 0, 0, model.Berlin).AddDate(0, 0, 7*i)
		moments = append(moments, WeekMoment{At: at.UTC(), Day: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)})
	}
	plan, nodes := lastPlan(t, owner, st, func(dry *gorm.DB) { _, _ = Dashboard{dry}.TaskSeries(context.Background(), sc, orgs, moments) })
	if !slices.Contains(nodes, "Bitmap Index Scan tasks_org_closed_since_idx") || slices.Contains(nodes, "Seq Scan tasks") ||
		slices.Contains(nodes, "Bitmap Index Scan tasks_org_status_due_idx") {
		t.Errorf("want the open tasks and those closed since the first week read from their own indexes, not every task of the team:\n%s", outline(t, plan))
	}
}

// lastPlan explains, as the owner, the last statement run sends, and names its nodes.
func lastPlan(t *testing.T, owner *db.DB, st *Store, run func(dry *gorm.DB)) ([]byte, []string) {
	t.Helper()
	qs := captureQueries(t, st.db, run)
	if len(qs) == 0 {
		t.Fatal("no statement captured")
	}
	last := qs[len(qs)-1]
	plan := (&caseLoad{db: owner}).explainSQL(t, last.sql, last.vars...)
	return plan, planNodes(t, plan)
}

func taskIDs(ts []model.Task) []uuid.UUID {
	out := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// TestTeamReferralsFromTheFigures holds the team's referral list taken with the figures
// (TeamReferralFigures' ids and total, TeamReferrals' rows) equal to the list it replaces
// (the visible, active referrals from or to the team, the overdue first, then by reply
// deadline, counted apart): the same referrals, whole, in the same order, for pages of
// several sizes, over referrals out of the team, into it (covered by their consent and not)
// and within it, in every state, with deadlines and creation times that tie; and the
// figures equal to ReferralFigures'.
func TestTeamReferralsFromTheFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, st := ownedStore(t)
	orgs := newOrgs(t, owner, 4) // the team's three, then one outside it
	team, outside := orgs[:3], orgs[3]
	for _, sql := range []string{
		// Cases led by the team's organisations and by the one outside, each with a consent
		// for work that names every organisation; every tenth consent has run out.
		`INSERT INTO cases (id, reference, lead_org_id, status)
			SELECT gen_random_uuid(), 'F-2026-' || lpad(i::text, 5, '0'), (?::uuid[])[1 + i % 4], 'open' FROM generate_series(1, 300) i`,
		`INSERT INTO consents (id, case_id, areas, data_categories, purpose, valid_from, valid_until, evidence, recorded_org_id)
			SELECT gen_random_uuid(), c.id, '{work}', '{identity}', 'Vermittlung', current_date - 30,
				CASE WHEN c.reference LIKE '%9' THEN current_date - 5 ELSE current_date + 300 END, 'Formular', c.lead_org_id FROM cases c`,
		`INSERT INTO consent_recipients (consent_id, org_id) SELECT con.id, o FROM consents con, unnest(?::uuid[]) o`,
		// Referrals from each case's lead: out of the team, into it, and within it; in every
		// state; nine reply deadlines around the day and five creation times, so both tie.
		`INSERT INTO users (id, email, display_name) VALUES ('00000000-0000-4000-8000-000000000001', 's@example.org', 'Sender'),
			('00000000-0000-4000-8000-000000000002', 'a@example.org', 'Answerer')`,
		`INSERT INTO referrals (id, reference, case_id, from_org_id, to_org_id, areas, reply_due, status, consent_id, created_at, sent_by, answered_by)
			SELECT gen_random_uuid(), 'V-2026-' || lpad(i::text, 5, '0'), c.id, c.lead_org_id,
				CASE WHEN c.lead_org_id = (?::uuid[])[4] THEN (?::uuid[])[1 + i % 3]
					WHEN i % 3 = 0 THEN (?::uuid[])[1 + (array_position(?::uuid[], c.lead_org_id)) % 3]
					ELSE (?::uuid[])[4] END,
				'{work}', DATE '2026-10-10' + i % 45, (?::text[])[1 + abs(hashtext(i::text)) % 8], con.id,
				TIMESTAMPTZ '2026-11-18 23:00Z' - (i % 5) * interval '1 hour' - (i % 41) * interval '1 day',
				CASE WHEN i % 2 = 0 THEN '00000000-0000-4000-8000-000000000001'::uuid END, CASE WHEN i % 3 = 0 THEN '00000000-0000-4000-8000-000000000002'::uuid END
			FROM generate_series(1, 1500) i
			JOIN LATERAL (SELECT id, lead_org_id FROM cases ORDER BY reference OFFSET i % 300 LIMIT 1) c ON TRUE
			JOIN consents con ON con.case_id = c.id`,
		`ANALYZE`,
	} {
		var args []any
		switch {
		case strings.Contains(sql, "INSERT INTO cases"), strings.Contains(sql, "consent_recipients"):
			args = []any{uuids(orgs)}
		case strings.Contains(sql, "INSERT INTO referrals"):
			var states []string
			for _, s := range model.ReferralStatuses {
				states = append(states, string(s))
			}
			args = []any{uuids(orgs), uuids(orgs), uuids(orgs), uuids(orgs), uuids(orgs), "{" + strings.Join(states, ",") + "}"}
		}
		if err := owner.Gorm.Exec(sql, args...).Error; err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	today := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	sys := model.Actor{System: true, Name: "test"}
	sc := model.Scope{Object: "referral", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree, model.ScopeReferred}, OrgID: team[0], OrgTree: team}
	var all int64
	if err := owner.Gorm.Raw(`SELECT count(*) FROM referrals WHERE (from_org_id = ANY(?::uuid[]) OR to_org_id = ANY(?::uuid[])) AND `+referralOpen, uuids(team), uuids(team)).Scan(&all).Error; err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 7, 50, 2000} {
		var want, got []model.Referral
		var wantTotal int64
		var f TeamReferralFigures
		var out, in FigureSets
		if err := st.Read(ctx, sys, func(tx *Tx) error {
			// The list as it was: its own statement over the same referrals.
			list := func() *gorm.DB {
				return visible(tx.db.WithContext(ctx).Model(&model.Referral{}), sc).
					Where("(referrals.from_org_id = ANY(?::uuid[]) OR referrals.to_org_id = ANY(?::uuid[])) AND "+referralOpen, uuids(team), uuids(team))
			}
			if err := list().Count(&wantTotal).Error; err != nil {
				return err
			}
			order := "(referrals.status = 'sent' AND referrals.reply_due < DATE '" + today.Format(time.DateOnly) + "') DESC, referrals.reply_due, referrals.created_at, referrals.id"
			if err := list().Order(order).Limit(limit).Find(&want).Error; err != nil {
				return err
			}
			var err error
			if out, in, err = tx.Dashboard().ReferralFigures(ctx, sc, team, today); err != nil {
				return err
			}
			if f, err = tx.Dashboard().TeamReferralFigures(ctx, sc, team, today, limit); err != nil {
				return err
			}
			got, err = tx.Dashboard().TeamReferrals(ctx, sc, f.Listed)
			return err
		}); err != nil {
			t.Fatalf("page of %d: %v", limit, err)
		}
		if wantTotal < 200 || wantTotal >= all {
			t.Fatalf("%d of the team's %d active referrals listed: the test wants many, and some it may not see", wantTotal, all)
		}
		if f.Total != wantTotal || !reflect.DeepEqual(got, want) {
			t.Errorf("page of %d: with the figures %d of %d %v,\nthe list %d of %d %v", limit, len(got), f.Total, referralKeys(got), len(want), wantTotal, referralKeys(want))
		}
		if !reflect.DeepEqual(f.Outgoing, out) || !reflect.DeepEqual(f.Incoming, in) {
			t.Errorf("page of %d: the figures with the list differ from ReferralFigures'", limit)
		}
		if limit < 2000 {
			continue
		}
		// The whole list is every referral the figures count: they must be its figures by
		// definition, outgoing by sender and by area, incoming by answerer and by area.
		var recs []figureRecord
		for _, r := range want {
			key := func(prefix string, id *uuid.UUID) []string {
				k := []string{prefix + "p"}
				if id != nil {
					k[0] += id.String()
				}
				for _, a := range r.Areas {
					k = append(k, prefix+"a"+a)
				}
				return k
			}
			var keys []string
			if slices.Contains(team, r.FromOrgID) {
				keys = append(keys, key("out ", r.SentBy)...)
			}
			if slices.Contains(team, r.ToOrgID) {
				keys = append(keys, key("in ", r.AnsweredBy)...)
			}
			recs = append(recs, figureRecord{keys: keys, open: true, overdue: r.Status == model.ReferralSent && r.ReplyDue.Before(today),
				created: r.CreatedAt, due: r.ReplyDue})
		}
		var rows []FigureRow
		for _, side := range []struct {
			prefix string
			sets   FigureSets
		}{{"out ", f.Outgoing}, {"in ", f.Incoming}} {
			for set, kind := range []string{"p", "a"} {
				for _, row := range side.sets[set] {
					row.Key = side.prefix + kind + row.Key
					rows = append(rows, row)
				}
			}
		}
		slices.SortFunc(rows, func(a, b FigureRow) int { return strings.Compare(a.Key, b.Key) })
		if def := figuresOf(recs, today); !reflect.DeepEqual(rows, def) {
			t.Errorf("referral figures\n%+v,\nby definition\n%+v", rows, def)
		}
	}
	overdue := 0
	if err := owner.Gorm.Raw(`SELECT count(*) FROM referrals WHERE status = 'sent' AND reply_due < DATE '2026-11-18' AND to_org_id <> ?`, outside).Scan(&overdue).Error; err != nil || overdue == 0 {
		t.Fatalf("the test wants overdue referrals: %d, %v", overdue, err)
	}
}

// referralKeys names the first referrals of a list by what orders them.
func referralKeys(rs []model.Referral) []string {
	var out []string
	for _, r := range rs[:min(len(rs), 8)] {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Status, r.ReplyDue.Format(time.DateOnly), r.CreatedAt.Format(time.TimeOnly), r.ID.String()[:8]))
	}
	return out
}

// figuresOf counts records as a FigureRow does, by its definition: open, overdue (still
// open after the deadline, before today), the open ones by days since they were created on
// Berlin's calendar (0–7, 8–30, over 30), the overdue ones by days past the deadline (1–7,
// 8–30, over 30).
type figureRecord struct {
	keys          []string
	open, overdue bool
	created, due  time.Time // due: midnight UTC of the day, zero without one
}

func figuresOf(recs []figureRecord, today time.Time) []FigureRow {
	by := map[string]*FigureRow{}
	days := func(from, to time.Time) int { return int(to.Sub(from).Hours() / 24) }
	bucket := func(n int, b *[3]int) {
		switch {
		case n <= 7:
			b[0]++
		case n <= 30:
			b[1]++
		default:
			b[2]++
		}
	}
	for _, r := range recs {
		for _, k := range r.keys {
			row := by[k]
			if row == nil {
				row = &FigureRow{Key: k}
				by[k] = row
			}
			if r.open {
				row.Open++
				y, m, d := r.created.In(model.Berlin).Date()
				var age [3]int
				bucket(days(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), today), &age)
				row.Age0, row.Age1, row.Age2 = row.Age0+age[0], row.Age1+age[1], row.Age2+age[2]
			}
			if r.overdue {
				row.Overdue++
				var late [3]int
				bucket(days(r.due, today), &late)
				row.Late0, row.Late1, row.Late2 = row.Late0+late[0], row.Late1+late[1], row.Late2+late[2]
			}
		}
	}
	out := make([]FigureRow, 0, len(by))
	for _, row := range by {
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b FigureRow) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// TestTaskFiguresByDefinition holds the team's task figures (TaskFigures) equal to their
// definition (figuresOf) over open tasks created at every hour around Berlin's midnight for
// forty days and due from forty days before the day to a week after it, with and without
// an assignee and an area: every bucket's edge is met, and a task created late in the UTC
// evening counts on Berlin's next day.
func TestTaskFiguresByDefinition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, st := ownedStore(t)
	orgs := newOrgs(t, owner, 2)
	person := uuid.New()
	if err := owner.Gorm.Exec(`INSERT INTO users (id, email, display_name) VALUES (?, 'figures@example.org', 'Figures')`, person).Error; err != nil {
		t.Fatal(err)
	}
	var area string
	if err := owner.Gorm.Raw(`SELECT code FROM areas ORDER BY code LIMIT 1`).Scan(&area).Error; err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	var recs []figureRecord
	var rows []string
	var args []any
	for i := range 480 {
		created := time.Date(2026, 11, 18, 23, 0, 0, 0, time.UTC).Add(-time.Duration(i*2+i%3) * time.Hour)
		var due any
		var dueDay time.Time
		if i%6 > 0 {
			dueDay = today.AddDate(0, 0, 7-i%48)
			due = dueDay.Format(time.DateOnly)
		}
		var assignee, ar any
		key, areaKey := "", ""
		if i%3 == 0 {
			assignee, key = person, person.String()
		}
		if i%4 == 0 {
			ar, areaKey = area, area
		}
		status := []string{"open", "in_progress", "waiting", "done"}[i%4]
		rows = append(rows, "(?, ?, ?, ?, 'Kennzahl', ?::date, ?, ?)")
		args = append(args, uuid.New(), orgs[i%2], assignee, ar, due, status, created)
		if status != "done" {
			recs = append(recs, figureRecord{keys: []string{"p" + key, "a" + areaKey}, open: true,
				overdue: !dueDay.IsZero() && dueDay.Before(today), created: created, due: dueDay})
		}
	}
	if err := owner.Gorm.Exec(`INSERT INTO tasks (id, org_id, assignee_id, area, title, due_date, status, created_at) VALUES `+strings.Join(rows, ", "), args...).Error; err != nil {
		t.Fatal(err)
	}
	sc := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree}, OrgID: orgs[0], OrgTree: orgs}
	var got FigureSets
	if err := st.Read(ctx, model.Actor{System: true, Name: "test"}, func(tx *Tx) error {
		var err error
		got, err = tx.Dashboard().TaskFigures(ctx, sc, orgs, today)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var all []FigureRow
	for set, prefix := range []string{"p", "a"} {
		for _, r := range got[set] {
			r.Key = prefix + r.Key
			all = append(all, r)
		}
	}
	slices.SortFunc(all, func(a, b FigureRow) int { return strings.Compare(a.Key, b.Key) })
	want := figuresOf(recs, today)
	if !reflect.DeepEqual(all, want) {
		t.Errorf("task figures\n%+v,\nby definition\n%+v", all, want)
	}
	buckets := FigureRow{}
	for _, r := range want {
		buckets.Age0, buckets.Age1, buckets.Age2 = buckets.Age0+r.Age0, buckets.Age1+r.Age1, buckets.Age2+r.Age2
		buckets.Late0, buckets.Late1, buckets.Late2 = buckets.Late0+r.Late0, buckets.Late1+r.Late1, buckets.Late2+r.Late2
	}
	if min(buckets.Age0, buckets.Age1, buckets.Age2, buckets.Late0, buckets.Late1, buckets.Late2) == 0 {
		t.Errorf("the test wants every bucket met: %+v", buckets)
	}
}
