-- +goose NO TRANSACTION
-- The partner inbox (issue 13): the active referrals to one organisation in reply order, so
-- that the inbox reads one page of them in index order and checks the consent cover of that
-- page only, instead of sorting every active referral of the office after checking each
-- (referrals_to_org_idx has the status before the deadline, and the three active states
-- break its order). Partial to the active states, which is the recipient's visibility
-- condition word for word (store/scopes.go, sqlActiveReferral), so the planner can prove it.
-- Concurrently: referrals is a big table in a running city (migrations/README.md, rule 4).
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS referrals_to_org_active_due_idx ON referrals (to_org_id, reply_due, id)
    WHERE status IN ('sent', 'accepted', 'in_progress');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS referrals_to_org_active_due_idx;
