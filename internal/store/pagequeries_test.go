package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/scale"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// sentStatements collects the SQL a store call sends, with its arguments written in.
type sentStatements struct {
	logger.Interface
	sqls *[]string
}

func (c sentStatements) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	*c.sqls = append(*c.sqls, s)
}

// bigTables are the tables that grow with the city (cases, the people and everything hung on
// them, the audit trail); a page query must reach them through an index.
var bigTables = []string{"cases", "persons", "area_statuses", "consents", "consent_recipients", "referrals",
	"tasks", "notes", "audit_events", "notifications", "follow_ups", "case_handovers"}

// seqScans walks an EXPLAIN (FORMAT JSON) plan and lists the big tables it reads by a
// sequential scan.
func seqScans(node map[string]any) []string {
	var out []string
	if node["Node Type"] == "Seq Scan" {
		if rel, _ := node["Relation Name"].(string); slices.Contains(bigTables, rel) {
			out = append(out, rel)
		}
	}
	if kids, ok := node["Plans"].([]any); ok {
		for _, k := range kids {
			if m, ok := k.(map[string]any); ok {
				out = append(out, seqScans(m)...)
			}
		}
	}
	return out
}

// TestPageQueriesUseIndexes is the query guard of issue 13 (docs/performance.md, "Queries that
// follow the page"): on a generated city (a hundredth of the full size, every state in it),
// every statement the store sends for the main pages (the partner inbox, my open tasks, the
// start page's sections, the case lists of a unit and of a partner, a name search, the team
// dashboard) is explained with sequential scans disabled, and none may still read a big table
// sequentially. With enable_seqscan off the planner chooses a sequential scan only where no
// index can answer the query at all, so this fails when a page query loses its index (a
// dropped or changed index, a condition that no index matches, a query that no longer starts
// from the caller's own relations), whatever the size of the data; timing is not measured.
func TestPageQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testutil.NewDatabase(t)
	owner := testutil.Open(t, d.OwnerURL)
	now := time.Now()
	if _, err := scale.Generate(ctx, owner.Pool, scale.Config{Sizes: scale.FullCity.Scaled(0.01), Seed: 13, Now: now, BatchCases: 500}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	app := testutil.Open(t, d.URL)
	var sqls []string
	st := store.New(app.Gorm.Session(&gorm.Session{Logger: sentStatements{logger.Discard, &sqls}}), nil)

	one := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := owner.SQL.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	// The busiest organisations, so that every query has rows to find.
	partner := uuid.MustParse(one(`SELECT to_org_id::text FROM referrals r JOIN organisations o ON o.id = r.to_org_id
		WHERE o.kind = 'welfare' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
	unit := uuid.MustParse(one(`SELECT lead_org_id::text FROM cases c JOIN organisations o ON o.id = c.lead_org_id
		WHERE o.kind = 'municipal' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
	dept := uuid.MustParse(one(`SELECT coalesce(parent_id, id)::text FROM organisations WHERE id = $1`, unit))
	worker := uuid.MustParse(one(`SELECT assignee_id::text FROM tasks WHERE org_id = $1 AND assignee_id IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, unit))
	name := strings.ToLower(one(`SELECT family_name FROM persons p JOIN cases c ON c.id = p.case_id WHERE c.lead_org_id = $1
		ORDER BY p.id LIMIT 1`, unit))
	var tree []uuid.UUID
	rows, err := owner.SQL.QueryContext(ctx, `WITH RECURSIVE t AS (SELECT id FROM organisations WHERE id = $1
		UNION ALL SELECT o.id FROM organisations o JOIN t ON o.parent_id = t.id) SELECT id FROM t`, dept)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		tree = append(tree, id)
	}
	rows.Close()

	today := now
	read := func(obj string, org uuid.UUID, kinds ...model.ScopeKind) model.Scope {
		return model.Scope{Object: obj, Action: "read", Kinds: kinds, OrgID: org, UserID: worker}
	}
	caseSc := read("case", unit, model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned)
	planSc := read("plan", unit, model.ScopeOrg, model.ScopeReferred)
	pCaseSc := read("case", partner, model.ScopeReferred, model.ScopeAssigned)
	pPlanSc := read("plan", partner, model.ScopeReferred)
	taskSc := read("task", unit, model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned)
	tsc := read("task", dept, model.ScopeOrgTree, model.ScopeReferred)
	tsc.OrgTree = tree
	rsc := read("referral", dept, model.ScopeOrgTree, model.ScopeReferred)
	rsc.OrgTree = tree
	var moments []store.WeekMoment
	for i := 11; i >= 0; i-- {
		at := today.AddDate(0, 0, -7*i)
		moments = append(moments, store.WeekMoment{At: at, Day: at})
	}
	pages := []struct {
		name string
		run  func(tx *store.Tx) error
	}{
		{"partner inbox", func(tx *store.Tx) error {
			_, _, err := tx.Referrals().List(ctx, read("referral", partner, model.ScopeReferred),
				store.ReferralQuery{ToOrgs: []uuid.UUID{partner}, Order: store.ReferralsByReplyDue, Limit: 26})
			return err
		}},
		{"my open tasks", func(tx *store.Tx) error {
			_, _, err := tx.Tasks().List(ctx, taskSc, store.TaskQuery{QueueUser: &worker, QueueOrg: &unit, Limit: 26})
			return err
		}},
		{"start page sections", func(tx *store.Tx) error {
			day := civil(today)
			_, _, err := tx.Tasks().WorkSections(ctx, taskSc, []store.WorkTaskQuery{
				{User: worker, Org: unit, To: &day, Limit: model.WorklistLimit},
				{User: worker, Org: unit, From: &day, Limit: model.WorklistLimit},
			})
			return err
		}},
		{"case list", func(tx *store.Tx) error {
			if _, err := tx.Cases().List(ctx, caseSc, store.CaseQuery{Limit: 25, PlanScope: planSc}); err != nil {
				return err
			}
			_, err := tx.Cases().Count(ctx, caseSc, store.CaseQuery{Limit: 25, PlanScope: planSc})
			return err
		}},
		{"case list of the partner", func(tx *store.Tx) error {
			if _, err := tx.Cases().List(ctx, pCaseSc, store.CaseQuery{Limit: 25, PlanScope: pPlanSc}); err != nil {
				return err
			}
			_, err := tx.Cases().Count(ctx, pCaseSc, store.CaseQuery{Limit: 25, PlanScope: pPlanSc})
			return err
		}},
		{"search", func(tx *store.Tx) error {
			q := store.CaseQuery{Limit: 25, PlanScope: planSc, NameFolds: []string{name}}
			if _, err := tx.Cases().List(ctx, caseSc, q); err != nil {
				return err
			}
			_, err := tx.Cases().Count(ctx, caseSc, q)
			return err
		}},
		{"team dashboard", func(tx *store.Tx) error {
			dd := tx.Dashboard()
			if _, err := dd.TaskFigures(ctx, tsc, tree, today); err != nil {
				return err
			}
			rf, err := dd.TeamReferralFigures(ctx, rsc, tree, today, 50)
			if err != nil {
				return err
			}
			if _, err := dd.TaskSeries(ctx, tsc, tree, moments); err != nil {
				return err
			}
			if _, _, err := dd.TeamTasks(ctx, tsc, store.TeamTaskQuery{Orgs: tree, Today: today, Limit: 50}); err != nil {
				return err
			}
			_, err = dd.TeamReferrals(ctx, rsc, rf.Listed)
			return err
		}},
	}
	for _, p := range pages {
		sqls = nil
		if err := st.Read(ctx, model.Actor{}, p.run); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if len(sqls) == 0 {
			t.Fatalf("%s: no statement was sent", p.name)
		}
		for i, s := range sqls {
			if scans := explainSeqScans(t, owner.SQL, s); len(scans) > 0 {
				t.Errorf("%s, statement %d reads %s sequentially (no index answers it):\n%s", p.name, i+1, strings.Join(scans, ", "), s)
			}
		}
	}
}

// civil is t's calendar day in Berlin, as a date at midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.In(model.Berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// explainSeqScans explains s with sequential scans disabled (in a transaction of its own that
// is rolled back) and returns the big tables the plan still scans sequentially.
func explainSeqScans(t *testing.T, db *sql.DB, s string) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL jit = off", "SET LOCAL random_page_cost = 1.1"} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	var out string
	if err := tx.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+s).Scan(&out); err != nil {
		t.Fatalf("explain: %v\n%s", err, s)
	}
	var plans []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("explain: unexpected plan %q: %v", out, err)
	}
	return seqScans(plans[0].Plan)
}
