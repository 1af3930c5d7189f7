package model

import "github.com/google/uuid"

// Background jobs (internal/jobs, on River): their arguments are references, never content.

// SweepArgs is the periodic round of the leader instance: expire overdue referrals, purge
// stale idempotency keys, write the reminders that are due (service.Reminders).
type SweepArgs struct{}

// Kind names the job in River's table.
func (SweepArgs) Kind() string { return "sweep" }

// DeliverArgs sends the e-mails of new notifications whose recipient chose "immediately";
// enqueued in the transaction that wrote them (store.Tx.EnqueueDelivery), each recipient's
// in one job.
type DeliverArgs struct {
	IDs []uuid.UUID `json:"ids"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "deliver_notifications" }

// DigestArgs sends the daily digest e-mails of Day (YYYY-MM-DD), on working days.
type DigestArgs struct {
	Day string `json:"day"`
}

// Kind names the job in River's table.
func (DigestArgs) Kind() string { return "digest" }
