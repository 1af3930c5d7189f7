package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// planNodes lists the nodes of a plan as "Node Type", "Node Type index" (with the index it
// reads) or "Seq Scan relation", depth first.
func planNodes(t *testing.T, plan []byte) []string {
	t.Helper()
	var out []string
	eachNode(t, plan, func(n map[string]any, _ int) {
		s := fmt.Sprint(n["Node Type"])
		if ix, ok := n["Index Name"]; ok {
			s += " " + fmt.Sprint(ix)
		}
		if rel, ok := n["Relation Name"]; ok && n["Node Type"] == "Seq Scan" {
			s += " " + fmt.Sprint(rel)
		}
		out = append(out, s)
	})
	return out
}

// hashedRelations lists the relations a plan reads inside a hashed subplan: a set Postgres
// builds from the whole table (or index) once per query to test rows against.
func hashedRelations(t *testing.T, plan []byte) []string {
	t.Helper()
	var out []string
	inside := -1 // depth of the hashed subplan being walked, or -1
	eachNode(t, plan, func(n map[string]any, depth int) {
		if inside >= 0 && depth <= inside {
			inside = -1
		}
		if name, _ := n["Subplan Name"].(string); strings.HasPrefix(name, "hashed") {
			inside = depth
		}
		if rel, ok := n["Relation Name"]; ok && inside >= 0 {
			out = append(out, fmt.Sprint(rel))
		}
	})
	return out
}

// TestPageQueriesFollowThePage: on realistic data, the queries issue 13 found growing with
// the whole organisation's (or city's) volume read what the page needs (docs/performance.md,
// "Queries that follow the page"):
//   - the partner inbox reads the active referrals in reply order from
//     referrals_to_org_active_due_idx and stops after the page: no sort of all of them;
//   - the "cases with an open task" branch of a case list starts from the organisation's open
//     tasks (an index of the organisation's open tasks), not from every case in list order;
//   - a name search matches the names of the caller's cases, not every person of the city
//     (no trigram index scan over all persons);
//   - the team dashboard counts the open tasks from an index of the organisation's open tasks
//     (its list's page: TestTeamTasksByOrgAsTheList);
//   - no query builds a hashed set of referrals (every live referral of the city) to test
//     the few tasks that hang on one;
//   - the start page's task sections read the member's and the unassigned open tasks
//     (tasks_org_assignee_open_idx), not every open task of the organisation;
//   - the start page's follow-ups are checked one by one against the scope of their case or
//     task (looked up by key), not against every case or task the organisation reaches.
func TestPageQueriesFollowThePage(t *testing.T) {
	t.Parallel()
	l := newCaseLoad(t)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	inbox := model.Scope{Object: "referral", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred}, OrgID: l.jobcenter}
	caseworker := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned}, OrgID: l.north}
	partner := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred, model.ScopeAssigned}, OrgID: l.jobcenter}
	tree := []uuid.UUID{l.housing, l.north}
	head := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree, model.ScopeReferred}, OrgID: l.housing, OrgTree: tree}
	withName := CaseQuery{Limit: 25, NameFolds: []string{"mueller", "muller"}}

	for _, tc := range []struct {
		name string
		run  func(dry *gorm.DB)
		// check looks at the plan of the last query run (the page; the count comes first).
		check func(nodes []string) string
	}{
		{"partner inbox", func(dry *gorm.DB) {
			_, _, _ = Referrals{dry}.List(ctx, inbox, ReferralQuery{ToOrgs: []uuid.UUID{l.jobcenter}, Order: ReferralsByReplyDue, Limit: 26})
		}, func(nodes []string) string {
			if !slices.Contains(nodes, "Index Scan referrals_to_org_active_due_idx") || slices.Contains(nodes, "Sort") {
				return "want the active referrals read in reply order from referrals_to_org_active_due_idx, without a sort"
			}
			return ""
		}},
		{"partner inbox by status", func(dry *gorm.DB) {
			_, _, _ = Referrals{dry}.List(ctx, inbox, ReferralQuery{ToOrgs: []uuid.UUID{l.jobcenter}, Statuses: []model.ReferralStatus{model.ReferralSent}, Order: ReferralsByReplyDue, Limit: 26})
		}, func(nodes []string) string {
			if slices.Contains(nodes, "Seq Scan referrals") {
				return "sequential scan of referrals"
			}
			return ""
		}},
		{"caseworker's case list", func(dry *gorm.DB) {
			_ = Cases{dry}.casePageQuery(ctx, caseworker, CaseQuery{Limit: 25}).Find(&[]model.Case{})
		}, openTaskBranch},
		{"partner's case list", func(dry *gorm.DB) {
			_ = Cases{dry}.casePageQuery(ctx, partner, CaseQuery{Limit: 25}).Find(&[]model.Case{})
		}, openTaskBranch},
		{"caseworker's name search", func(dry *gorm.DB) {
			_ = Cases{dry}.casePageQuery(ctx, caseworker, withName).Find(&[]model.Case{})
		}, func(nodes []string) string {
			for _, n := range nodes {
				if strings.HasSuffix(n, "persons_search_trgm_idx") || n == "Seq Scan persons" || n == "Seq Scan cases" {
					return "want the names of the caseworker's own cases matched, not every person of the city (" + n + ")"
				}
			}
			return ""
		}},
		{"start page's overdue tasks", func(dry *gorm.DB) {
			tasks := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned}, OrgID: l.north}
			yesterday := today.AddDate(0, 0, -1)
			_, _, _ = Tasks{dry}.WorkSections(ctx, tasks, []WorkTaskQuery{{User: uuid.New(), Org: l.north, To: &yesterday, Limit: 10}})
		}, func(nodes []string) string {
			if !slices.ContainsFunc(nodes, func(n string) bool { return strings.HasSuffix(n, "tasks_org_assignee_open_idx") }) {
				return "want the member's and the unassigned open tasks read from tasks_org_assignee_open_idx, not every open task of the organisation"
			}
			return ""
		}},
		{"start page's follow-ups", func(dry *gorm.DB) {
			tasks := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned}, OrgID: l.north}
			_, _ = Notifications{dry}.FollowUps(ctx, caseworker, tasks, FollowUpQuery{User: uuid.New(), Today: today, To: today.AddDate(0, 0, 7), Limit: 10})
		}, func(nodes []string) string {
			if !slices.Contains(nodes, "Index Scan cases_pkey") || slices.Contains(nodes, "Seq Scan cases") || slices.Contains(nodes, "Seq Scan tasks") {
				return "want each follow-up's case and task looked up by its key, not every case or task the organisation reaches"
			}
			return ""
		}},
		{"team dashboard's task figures", func(dry *gorm.DB) {
			_, _ = Dashboard{dry}.TaskFigures(ctx, head, tree, today)
		}, func(nodes []string) string {
			if !slices.ContainsFunc(nodes, orgOpenTasks) || slices.Contains(nodes, "Seq Scan tasks") {
				return "want the team's open tasks read from an index of the organisation's open tasks"
			}
			if slices.ContainsFunc(nodes, readsLedCases) {
				return "want a task's case lead looked up by key (store.ledBy), not every case the team leads read"
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs := captureQueries(t, l.db.Gorm, tc.run)
			if len(qs) == 0 {
				t.Fatal("no query captured")
			}
			q := qs[len(qs)-1]
			plan := l.explainSQL(t, q.sql, q.vars...)
			if os.Getenv("LOTSE_SHOW_PLANS") != "" {
				t.Logf("%s\n%s", q.sql, outline(t, plan))
			}
			if msg := tc.check(planNodes(t, plan)); msg != "" {
				t.Errorf("%s:\n%s\n%s", msg, q.sql, outline(t, plan))
			}
			// The liveness of a task's referral is looked up per task, never built as a set
			// of every live referral of the city (store.liveReferral).
			// Nor is the lead of a record's case (store.ledBy): a hashed set of the cases
			// the organisations lead would read them all.
			for _, rel := range hashedRelations(t, plan) {
				if rel == "referrals" || rel == "cases" {
					t.Errorf("a hashed set of %s:\n%s\n%s", rel, q.sql, outline(t, plan))
				}
			}
		})
	}
}

// openTaskBranch checks a case list's plan: the cases with an open task come from the
// organisation's open tasks, and no branch walks all cases.
func openTaskBranch(nodes []string) string {
	if !slices.ContainsFunc(nodes, orgOpenTasks) || slices.Contains(nodes, "Seq Scan cases") {
		return "want the cases with an open task found from an index of the organisation's open tasks, and no scan of all cases"
	}
	return ""
}

// TestTaskLivenessIsLookedUpPerTask: the subqueries that decide whether a task's referral is
// still alive are fenced with OFFSET 0, so that Postgres looks the referral up per task
// instead of building a hashed set of every live referral of the city (over a second at city
// scale; TestPageQueriesFollowThePage checks the plans, but its data is too small for the
// planner to choose the set).
func TestTaskLivenessIsLookedUpPerTask(t *testing.T) {
	t.Parallel()
	// liveReferral is one subquery; taskLive has two (the referral to the task's own
	// organisation, and liveReferral).
	for name, tc := range map[string]struct {
		sql    string
		fenced int
	}{"liveReferral": {liveReferral("x.referral_id"), 1}, "taskLive": {taskLive("x"), 2}} {
		if n := strings.Count(tc.sql, " OFFSET 0)"); n != tc.fenced {
			t.Errorf("%s: %d subqueries fenced with OFFSET 0, want %d:\n%s", name, n, tc.fenced, tc.sql)
		}
	}
}

// orgOpenTasks is a plan node that reads an organisation's open tasks from one of the partial
// indexes of open tasks that start with the organisation (migrations 00028 and 00035).
func orgOpenTasks(node string) bool {
	return strings.HasSuffix(node, "tasks_org_open_idx") || strings.HasSuffix(node, "tasks_org_assignee_open_idx")
}

// readsLedCases is a plan node that reads the cases of lead organisations from one of the
// indexes that start with the lead (or all cases): the set form of store.ledBy.
func readsLedCases(node string) bool {
	return node == "Seq Scan cases" || strings.HasSuffix(node, "cases_lead_updated_idx") || strings.HasSuffix(node, "cases_lead_org_idx")
}
