package store

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/testutil"
)

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
