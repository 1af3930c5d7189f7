-- Indexes for the reminder rules (internal/store/reminders.go), so that a sweep reads what
-- is due today and not every task, referral or consent of the city: each is partial to the
-- records a rule can still fire for (open tasks, referrals awaiting an answer or just
-- expired, consents not revoked), ordered by the day the rule compares.
-- The reminders are new in this release; plain (non-concurrent) builds are fine.

-- +goose Up
CREATE INDEX tasks_open_due_idx ON tasks (due_date) WHERE status IN ('open', 'in_progress', 'waiting') AND due_date IS NOT NULL;
CREATE INDEX referrals_sent_due_idx ON referrals (reply_due) WHERE status = 'sent';
CREATE INDEX referrals_expired_due_idx ON referrals (reply_due) WHERE status = 'expired';
CREATE INDEX consents_open_until_idx ON consents (valid_until) WHERE revoked_at IS NULL;

-- +goose Down
DROP INDEX consents_open_until_idx;
DROP INDEX referrals_expired_due_idx;
DROP INDEX referrals_sent_due_idx;
DROP INDEX tasks_open_due_idx;
