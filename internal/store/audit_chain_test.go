package store

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestUnsealedReadsTheWindowOfTheChain: the sealer's search for unsealed events reads the
// chain from the bottom of its window on, not every entry ever sealed. With 30,000 events of
// which the first 29,000 are sealed, a search above 19,000 finds the last thousand and reads
// at most the 10,000 chain entries above 19,000 (counted in the executed plan, whatever join
// Postgres picks); without the bound on the chain's side it merges the window with the whole
// chain.
func TestUnsealedReadsTheWindowOfTheChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := testutil.NewDatabase(t)
	owner := testutil.Open(t, tdb.OwnerURL)
	const events, sealed, above = 30000, 29000, 19000
	for _, q := range []string{
		`INSERT INTO audit_events (action, object_type) SELECT 'read', 'case' FROM generate_series(1, 30000)`,
		`INSERT INTO audit_chain (seq, event_id, hash) SELECT i, i, sha256(i::text::bytea) FROM generate_series(1, 29000) i`,
		`ANALYZE audit_events`, `ANALYZE audit_chain`,
	} {
		if _, err := owner.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st := New(testutil.Open(t, tdb.URL).Gorm, nil)
	var rows []model.SealedAuditRow
	if err := st.Read(ctx, model.Actor{System: true}, func(tx *Tx) (err error) {
		rows, err = tx.AuditChain().Unsealed(ctx, above, 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != events-sealed || rows[0].ID != sealed+1 || rows[len(rows)-1].ID != events {
		t.Fatalf("want the events %d to %d, got %d rows", sealed+1, events, len(rows))
	}

	qs := captureQueries(t, owner.Gorm, func(dry *gorm.DB) { _, _ = AuditChain{dry}.Unsealed(ctx, above, 1000) })
	if len(qs) != 1 {
		t.Fatalf("want one query, got %d", len(qs))
	}
	var plan []byte
	if err := owner.SQL.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+qs[0].sql, qs[0].vars...).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var read float64
	eachNode(t, plan, func(n map[string]any, _ int) {
		if n["Relation Name"] == "audit_chain" {
			read += n["Actual Rows"].(float64) * n["Actual Loops"].(float64)
		}
	})
	if read > sealed-above {
		t.Errorf("the search read %.0f chain entries, want at most the %d of its window:\n%s", read, sealed-above, outline(t, plan))
	}
}
