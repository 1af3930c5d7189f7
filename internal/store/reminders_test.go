package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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

// TestRecordNotificationsByIndex: retention deletes the notifications of each case and
// referral it removes by the record (store.Retention.DeleteCase, DeleteReferral), so they
// are found by an index, not by reading every notification (migration 00036): with
// sequential scans forbidden, the plan of each deletion has none left.
func TestRecordNotificationsByIndex(t *testing.T) {
	t.Parallel()
	owner := testutil.Open(t, testutil.NewDatabase(t).OwnerURL)
	id := uuid.New()
	for _, q := range []string{deleteRecordNotifications, deleteCaseNotifications} {
		var plan []byte
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = id
		}
		if err := owner.Gorm.Connection(func(tx *gorm.DB) error {
			if err := tx.Exec(`SET enable_seqscan = off`).Error; err != nil {
				return err
			}
			return tx.Raw("EXPLAIN (FORMAT JSON) "+q, args...).Row().Scan(&plan)
		}); err != nil {
			t.Fatal(err)
		}
		// Every read of notifications looks its rows up by their record in the index that
		// leads with it, not by a scan of the table, nor of another index that holds
		// object_id further back (a scan of the whole index, even with object_id in its
		// condition).
		var reads, byRecord int
		eachNode(t, plan, func(n map[string]any, _ int) {
			index, _ := n["Index Name"].(string)
			if n["Node Type"] == "Seq Scan" && n["Relation Name"] == "notifications" || strings.HasPrefix(index, "notifications") {
				reads++
				if cond, _ := n["Index Cond"].(string); index == "notifications_object_idx" && strings.Contains(cond, "object_id") {
					byRecord++
				}
			}
		})
		if reads == 0 || byRecord != reads {
			t.Errorf("%s reads every notification:\n%s", q, outline(t, plan))
		}
	}
}
