// Package jobs runs Lotse's background work on River (github.com/riverqueue/river) in the
// same Postgres: the periodic sweep (expiry of overdue referrals, stale idempotency keys,
// reminders), the e-mails of notifications and the daily digest.
//
// Every serve instance runs a client; River elects one leader, and only the leader inserts
// the periodic jobs, so several instances never run the same round twice. Jobs that a change
// causes are inserted in that change's transaction (store.Tx.Enqueue), so a rolled-back
// change enqueues nothing. A failing job is retried with River's backoff and, after its last
// attempt, kept as "discarded" with its errors, which `lotse jobs` lists for administrators.
// Job arguments and errors hold references and kinds, never personal data.
package jobs
