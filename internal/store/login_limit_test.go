package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestLoginLimiterShared: two limiters on one database, as two instances would have, share
// one bucket per address: together they allow the burst and no more, refill at the rate, keep
// addresses apart, store no address in the clear, and drop buckets left alone for 10 minutes.
func TestLoginLimiterShared(t *testing.T) {
	t.Parallel()
	d := testutil.NewDB(t)
	var nowNs atomic.Int64
	nowNs.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, nowNs.Load()) }
	// The process's one clock stands still: the limiter runs on the time the caller gives.
	frozen := func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }
	a := store.New(d.Gorm, frozen).LoginLimiter(0.5, 20)
	b := store.New(d.Gorm, frozen).LoginLimiter(0.5, 20)
	ctx := context.Background()

	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(l *store.LoginLimiter) {
			defer wg.Done()
			ok, err := l.Allow(ctx, "192.0.2.7", clock())
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		}([]*store.LoginLimiter{a, b}[i%2])
	}
	wg.Wait()
	if n := allowed.Load(); n != 20 {
		t.Fatalf("two instances allowed %d of 30 attempts from one address, want the burst of 20 in all", n)
	}
	if ok, _ := b.Allow(ctx, "198.51.100.1", clock()); !ok {
		t.Error("another address was refused: the buckets are not per address")
	}
	// Refused attempts went down to one below empty: 2 tokens' time (4 s at 0.5/s) to the next.
	nowNs.Add(int64(3 * time.Second))
	if ok, _ := a.Allow(ctx, "192.0.2.7", clock()); ok {
		t.Error("allowed 3 s after the flood, before two tokens were back")
	}
	nowNs.Add(int64(5 * time.Second))
	if ok, _ := b.Allow(ctx, "192.0.2.7", clock()); !ok {
		t.Error("refused after the refill")
	}
	var clear int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM login_rate_buckets WHERE client LIKE '%192.0.2%' OR client LIKE '%198.51%'`).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("addresses stored in the clear: %d (%v)", clear, err)
	}
	nowNs.Add(int64(11 * time.Minute))
	if ok, _ := a.Allow(ctx, "203.0.113.9", clock()); !ok {
		t.Error("a new address was refused")
	}
	var rows int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM login_rate_buckets`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d buckets after 11 idle minutes, want only the new one (%v)", rows, err)
	}
}
