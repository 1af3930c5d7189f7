//go:build explain

// This file is a measuring tool, not part of the suite: it builds only with -tags explain
// (docs/performance.md) and then needs LOTSE_EXPLAIN_DATABASE_URL.

package store

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/lotse-project/lotse/internal/model"
)

// statementLog collects the SQL a store call sends, with its arguments written in.
type statementLog struct {
	logger.Interface
	sqls *[]string
}

func (c statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	*c.sqls = append(*c.sqls, s)
}

var executionTime = regexp.MustCompile(`Execution Time: ([0-9.]+)`)

// TestExplainCityPages is the measurement of docs/performance.md, "Queries that follow the
// page", not a check: on a database filled by `lotse-dev seed scale` (its URL in
// LOTSE_EXPLAIN_DATABASE_URL, as the owner), it runs the statements the store sends for the
// partner inbox, a case list, a name search and the team dashboard as EXPLAIN (ANALYZE,
// BUFFERS), three times each, and logs the best execution time (with -v); with
// LOTSE_EXPLAIN_PLANS=inbox (or case, search, dash) it also logs their plans. The
// organisations are named by short name (LOTSE_EXPLAIN_PARTNER, _UNIT, _TEAM) and the
// searched name by LOTSE_EXPLAIN_NAME. Without the URL it is skipped.
func TestExplainCityPages(t *testing.T) {
	url := os.Getenv("LOTSE_EXPLAIN_DATABASE_URL")
	if url == "" {
		t.Fatal("LOTSE_EXPLAIN_DATABASE_URL is not set: the city database to explain the pages on")
	}
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	var sqls []string
	cfg := "random_page_cost=1.1&timezone=UTC&jit=off"
	if strings.Contains(url, "?") {
		url += "&" + cfg
	} else {
		url += "?" + cfg
	}
	g, err := gorm.Open(postgres.Open(url), &gorm.Config{Logger: statementLog{logger.Discard, &sqls}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := gorm.Open(postgres.Open(url), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	st := New(g, nil)
	ctx := context.Background()
	run := func(name string, fn func(tx *Tx)) {
		sqls = nil
		if err := st.Read(ctx, model.Actor{}, func(tx *Tx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		for i, s := range sqls {
			best := -1.0
			var plan []string
			for range 3 {
				plan = nil
				if err := raw.Raw("EXPLAIN (ANALYZE, BUFFERS) " + s).Scan(&plan).Error; err != nil {
					t.Fatalf("%s: %v\n%s", name, err, s)
				}
				var ms float64
				if m := executionTime.FindStringSubmatch(plan[len(plan)-1]); m != nil {
					fmt.Sscan(m[1], &ms) //nolint:errcheck
				}
				if best < 0 || ms < best {
					best = ms
				}
			}
			t.Logf("%s #%d: %.2f ms", name, i, best)
			if p := os.Getenv("LOTSE_EXPLAIN_PLANS"); p != "" && strings.HasPrefix(name, p) {
				t.Logf("%s\n%s", s, strings.Join(plan, "\n"))
			}
		}
	}
	org := func(short string) uuid.UUID {
		var id string
		raw.Raw("SELECT id::text FROM organisations WHERE short_name = ?", short).Scan(&id)
		return uuid.MustParse(id)
	}
	partner := org(env("LOTSE_EXPLAIN_PARTNER", "S-CARITAS-02"))
	unit := org(env("LOTSE_EXPLAIN_UNIT", "S-SOZ-01"))
	dept := org(env("LOTSE_EXPLAIN_TEAM", "S-SOZ-01"))
	var tree []uuid.UUID
	raw.Raw("WITH RECURSIVE t AS (SELECT id FROM organisations WHERE id = ? UNION ALL SELECT o.id FROM organisations o JOIN t ON o.parent_id = t.id) SELECT id FROM t", dept).Scan(&tree)
	refSc := model.Scope{Object: "referral", Kinds: []model.ScopeKind{model.ScopeReferred}, OrgID: partner}
	t.Logf("team of %d organisations", len(tree))
	run("inbox", func(tx *Tx) {
		tx.Referrals().List(ctx, refSc, ReferralQuery{ToOrgs: []uuid.UUID{partner}, Order: ReferralsByReplyDue, Limit: 26})
	})
	caseSc := model.Scope{Object: "case", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned}, OrgID: unit}
	planSc := model.Scope{Object: "plan", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred}, OrgID: unit}
	caseSc.Action, planSc.Action = "read", "read"
	run("case list", func(tx *Tx) {
		q := CaseQuery{Limit: 25, PlanScope: planSc}
		tx.Cases().List(ctx, caseSc, q)
		tx.Cases().Count(ctx, caseSc, q)
	})
	pCaseSc := model.Scope{Object: "case", Kinds: []model.ScopeKind{model.ScopeReferred, model.ScopeAssigned}, OrgID: partner}
	run("case list of the partner", func(tx *Tx) {
		q := CaseQuery{Limit: 25, PlanScope: planSc}
		tx.Cases().List(ctx, pCaseSc, q)
		tx.Cases().Count(ctx, pCaseSc, q)
	})
	run("search", func(tx *Tx) {
		q := CaseQuery{Limit: 25, PlanScope: planSc, NameFolds: []string{env("LOTSE_EXPLAIN_NAME", "ibrahim")}}
		tx.Cases().List(ctx, caseSc, q)
		tx.Cases().Count(ctx, caseSc, q)
	})
	tsc := model.Scope{Object: "task", Kinds: []model.ScopeKind{model.ScopeOrgTree, model.ScopeReferred}, OrgID: dept, OrgTree: tree}
	rsc := model.Scope{Object: "referral", Kinds: []model.ScopeKind{model.ScopeOrgTree, model.ScopeReferred}, OrgID: dept, OrgTree: tree}
	today := time.Now()
	run("dashboard", func(tx *Tx) {
		d := tx.Dashboard()
		tx.Organisations().All(ctx)
		d.TaskFigures(ctx, tsc, tree, today)
		rf, _ := d.TeamReferralFigures(ctx, rsc, tree, today, 50)
		var ms []WeekMoment
		for i := 11; i >= 0; i-- {
			at := today.AddDate(0, 0, -7*i)
			ms = append(ms, WeekMoment{At: at, Day: at})
		}
		d.TaskSeries(ctx, tsc, tree, ms)
		d.TeamTasks(ctx, tsc, TeamTaskQuery{Orgs: tree, Today: today, Limit: 50})
		d.TeamReferrals(ctx, rsc, rf.Listed)
	})
}
