package store

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// captureQueries runs fn on a dry-run session and returns the SQL it would have sent, so
// that the production list code itself is explained, not a copy of it.
func captureQueries(t *testing.T, g *gorm.DB, fn func(dry *gorm.DB)) []capturedQuery {
	t.Helper()
	var out []capturedQuery
	dry := g.Session(&gorm.Session{DryRun: true, NewDB: true})
	name := "test:capture:" + t.Name()
	capture := func(db *gorm.DB) {
		if db.DryRun {
			out = append(out, capturedQuery{sql: db.Statement.SQL.String(), vars: slices.Clone(db.Statement.Vars)})
		}
	}
	// Find and First run the query callbacks, Scan and Rows the row callbacks.
	if err := dry.Callback().Query().After("gorm:query").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	defer dry.Callback().Query().Remove(name) //nolint:errcheck
	if err := dry.Callback().Row().After("gorm:row").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	defer dry.Callback().Row().Remove(name) //nolint:errcheck
	fn(dry)
	return out
}

type capturedQuery struct {
	sql  string
	vars []any
}

// TestWorkListQueryPlans: on the same realistic data as the case lists, the task and
// referral lists that people open many times a day (my tasks, my organisation's open tasks,
// the inbox of incoming referrals, outgoing referrals) use indexes, for the page and its
// count (one statement: count(*) OVER ()).
func TestWorkListQueryPlans(t *testing.T) {
	t.Parallel()
	l := newCaseLoad(t)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	user := model.NewID()
	taskScope := func(org uuid.UUID) model.Scope {
		return model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg}, OrgID: org, UserID: user}
	}
	refIn := model.Scope{Object: "referral", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred}, OrgID: l.caritas}
	refOut := model.Scope{Object: "referral", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg}, OrgID: l.north}
	open := []model.TaskStatus{model.TaskOpen, model.TaskInProgress, model.TaskWaiting}

	for _, tc := range []struct {
		name string
		run  func(dry *gorm.DB)
	}{
		{"my tasks", func(dry *gorm.DB) {
			_, _, _ = Tasks{dry}.List(ctx, taskScope(l.north), TaskQuery{AssigneeID: &user, Statuses: open, Limit: 26})
		}},
		{"the organisation's open tasks", func(dry *gorm.DB) {
			_, _, _ = Tasks{dry}.List(ctx, taskScope(l.caritas), TaskQuery{Orgs: []uuid.UUID{l.caritas}, Statuses: open, Limit: 26})
		}},
		{"the organisation's overdue tasks", func(dry *gorm.DB) {
			_, _, _ = Tasks{dry}.List(ctx, taskScope(l.caritas), TaskQuery{Orgs: []uuid.UUID{l.caritas}, OverdueOn: &today, Limit: 26})
		}},
		{"a case's tasks", func(dry *gorm.DB) {
			c := model.NewID()
			_, _, _ = Tasks{dry}.List(ctx, taskScope(l.north), TaskQuery{CaseID: &c, Limit: 26})
		}},
		{"incoming referrals", func(dry *gorm.DB) {
			_, _, _ = Referrals{dry}.List(ctx, refIn, ReferralQuery{ToOrgs: []uuid.UUID{l.caritas}, Statuses: []model.ReferralStatus{model.ReferralSent, model.ReferralAccepted}, Order: ReferralsByReplyDue, Limit: 26})
		}},
		{"outgoing referrals", func(dry *gorm.DB) {
			_, _, _ = Referrals{dry}.List(ctx, refOut, ReferralQuery{FromOrgs: []uuid.UUID{l.north}, Order: ReferralsNewest, Limit: 26})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs := captureQueries(t, l.db.Gorm, tc.run)
			if len(qs) == 0 {
				t.Fatal("captured no query, want the page with its count")
			}
			for _, q := range qs {
				plan := l.explainSQL(t, q.sql, q.vars...)
				if os.Getenv("LOTSE_SHOW_PLANS") != "" {
					t.Logf("%s\n%s", q.sql, outline(t, plan))
				}
				for _, rel := range seqScans(t, plan) {
					if rel == "tasks" || rel == "referrals" || rel == "cases" {
						t.Errorf("sequential scan of %s:\n%s\n%s", rel, q.sql, outline(t, plan))
					}
				}
			}
		})
	}
}
