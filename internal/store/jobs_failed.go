package store

import (
	"context"
	"time"
)

// FailedJob is a background job that failed: retrying, or given up (discarded) after its
// last attempt. It carries no arguments: they are references only, and an administrator's
// list has no use for them.
type FailedJob struct {
	ID          int64
	Kind        string
	State       string
	Attempt     int
	MaxAttempts int
	// At is when it last ran (or was created, if it never ran); Next is when River tries
	// again (retryable jobs).
	At        time.Time
	Next      *time.Time
	LastError string
}

// FailedJobs lists the failed jobs in River's table, newest first, at most limit.
func (tx *Tx) FailedJobs(ctx context.Context, limit int) ([]FailedJob, error) {
	var out []FailedJob
	err := tx.db.WithContext(ctx).Raw(`
		SELECT id, kind, state::text AS state, attempt, max_attempts,
		       COALESCE(attempted_at, created_at) AS at,
		       CASE WHEN state = 'retryable' THEN scheduled_at END AS next,
		       COALESCE(errors[array_length(errors, 1)]->>'error', '') AS last_error
		  FROM river_job
		 WHERE state IN ('retryable', 'discarded')
		 ORDER BY COALESCE(attempted_at, created_at) DESC, id DESC
		 LIMIT ?`, limit).Scan(&out).Error
	return out, translate("failed jobs", err)
}
