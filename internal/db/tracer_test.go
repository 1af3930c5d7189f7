package db_test

import (
	"context"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestQueryCounterCountsStatements: the pool's tracer counts every statement in total, and
// apart those sent with a tracked context (a transaction's BEGIN and COMMIT included, via
// Gorm and database/sql as well as pgx), and nothing of other contexts.
func TestQueryCounterCountsStatements(t *testing.T) {
	t.Parallel()
	d := testutil.NewDB(t)
	ctx := context.Background()
	total0 := d.Queries.Total()
	tracked, count := d.Queries.Track(ctx)
	if _, err := d.Pool.Exec(tracked, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	tx, err := d.SQL.BeginTx(tracked, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(tracked, `SELECT 2`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Gorm.WithContext(tracked).Raw(`SELECT 3`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `SELECT 4`); err != nil { // not tracked
		t.Fatal(err)
	}
	if got := count(); got != 5 { // SELECT 1, BEGIN, SELECT 2, COMMIT, SELECT 3
		t.Errorf("tracked statements = %d, want 5", got)
	}
	if got := d.Queries.Total() - total0; got < 6 {
		t.Errorf("total grew by %d, want at least the 6 statements sent", got)
	}
}
