package app

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestSweepPurgesExpiredIdempotencyKeys: the background sweep removes the Idempotency-Keys
// older than their retention of a day and keeps the current ones.
func TestSweepPurgesExpiredIdempotencyKeys(t *testing.T) {
	t.Parallel()
	tdb := testutil.NewDatabase(t)
	a, _, logs := newTestApp(t, tdb, nil)
	ctx := context.Background()
	user := uuid.New()
	for key, age := range map[string]string{"old": "25 hours", "fresh": "23 hours", "new": "1 second"} {
		if _, err := a.db.Pool.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at)
			VALUES ($1, $2, 'h', 201, now() - $3::interval)`, user, key, age); err != nil {
			t.Fatal(err)
		}
	}
	a.sweepOnce(ctx)
	rows, err := a.db.Pool.Query(ctx, `SELECT key FROM idempotency_keys ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var left []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		left = append(left, k)
	}
	if len(left) != 2 || left[0] != "fresh" || left[1] != "new" {
		t.Errorf("left after the sweep: %v\n%s", left, logs.String())
	}
}
