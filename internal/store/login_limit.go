package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lotse-project/lotse/internal/model"
)

// LoginLimiter is the sign-in rate limit shared by every instance on the database: a token
// bucket per client address in login_rate_buckets (migration 00033), refilled at rate per
// second up to burst. One statement takes a token, atomically under concurrent instances.
type LoginLimiter struct {
	s     *Store
	rate  float64
	burst int
}

// loginBucketIdle is how long an untouched bucket is kept: by then it is full again anyway,
// for any rate the configuration allows with the burst of 20 (docs/instances.md).
const loginBucketIdle = 10 * time.Minute

// LoginLimiter returns the shared limiter of rate attempts per second and burst.
func (s *Store) LoginLimiter(rate float64, burst int) *LoginLimiter {
	return &LoginLimiter{s: s, rate: rate, burst: burst}
}

// Allow takes one token from the bucket of client at the time now and reports whether there
// was one. The caller gives the time: a rate limit runs on the wall clock, also where the
// process's one clock is set back or stands still (tests, backdated demo data). A refused
// attempt counts too, down to one token below empty: whoever keeps trying past the limit waits
// for two tokens' time after the last try. The address is stored only as its SHA-256 digest.
func (l *LoginLimiter) Allow(ctx context.Context, client string, at time.Time) (bool, error) {
	sum := sha256.Sum256([]byte(client))
	key := hex.EncodeToString(sum[:])
	now := asStored(at)
	var tokens float64
	// One statement in a transaction of its own (the store's entry point for writes); the
	// buckets nobody used for loginBucketIdle go in the same statement.
	err := l.s.Tx(ctx, model.Actor{System: true, Name: "login rate limit"}, func(tx *Tx) error {
		return tx.db.WithContext(ctx).Raw(`WITH purged AS (DELETE FROM login_rate_buckets WHERE updated_at < ? AND client <> ?)
		INSERT INTO login_rate_buckets AS b (client, tokens, updated_at)
		VALUES (?, ?::float8 - 1, ?)
		ON CONFLICT (client) DO UPDATE SET
			tokens = GREATEST(-1, LEAST(?::float8, b.tokens + ?::float8 * GREATEST(0, EXTRACT(EPOCH FROM (excluded.updated_at - b.updated_at)))) - 1),
			updated_at = excluded.updated_at
		RETURNING tokens`, now.Add(-loginBucketIdle), key, key, l.burst, now, l.burst, l.rate).Scan(&tokens).Error
	})
	if err != nil {
		return false, fmt.Errorf("store: login rate limit: %w", err)
	}
	return tokens >= 0, nil
}
