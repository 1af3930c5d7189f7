package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestReminderRecipientsAreJoined: the recipients of a reminder (the person, else the team)
// are found by joins, without a subplan run for each row: a NOT EXISTS under an OR ran once
// per member of every due record's team, quadratic in a department's size (minutes of both
// cores for a Monday's overdue tasks on the whole generated city; docs/performance.md,
// "Fourth round"). What the recipients are is the reminder tests' part (service).
func TestReminderRecipientsAreJoined(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner := testutil.Open(t, testutil.NewDatabase(t).OwnerURL)
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	w := Window{After: day.AddDate(0, 0, -4), Until: day}
	for name, run := range map[string]func(dry *gorm.DB){
		"tasks due":              func(dry *gorm.DB) { _, _ = Notifications{dry}.TasksDue(ctx, w) },
		"referrals to answer":    func(dry *gorm.DB) { _, _ = Notifications{dry}.ReferralsReplyDue(ctx, w) },
		"referrals that expired": func(dry *gorm.DB) { _, _ = Notifications{dry}.ReferralsExpired(ctx, w) },
	} {
		qs := captureQueries(t, owner.Gorm, run)
		if len(qs) != 1 {
			t.Fatalf("%s: want one query, got %d", name, len(qs))
		}
		var plan []byte
		if err := owner.SQL.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+qs[0].sql, qs[0].vars...).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		eachNode(t, plan, func(n map[string]any, _ int) {
			// A CTE or an InitPlan runs once; a "SubPlan" (not hashed) runs per row.
			if sub, _ := n["Subplan Name"].(string); strings.HasPrefix(sub, "SubPlan") {
				t.Errorf("%s: a subplan (%v) runs per row:\n%s", name, sub, outline(t, plan))
			}
		})
	}
}
