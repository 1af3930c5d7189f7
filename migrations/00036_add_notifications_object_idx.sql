-- +goose NO TRANSACTION
-- Retention deletes the notifications of each case and referral it removes
-- (store.Retention.DeleteCase, DeleteReferral: "WHERE object_id = ..."), and nothing else
-- finds notifications by their record: without this index every deletion read the whole
-- table, 137 ms each on the generated city (a few hundred thousand notifications), tens of
-- seconds for a run that removes 500 referrals (docs/performance.md, "Fourth round").
-- Built concurrently: notifications grow by the thousands each working day.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS notifications_object_idx ON notifications (object_id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS notifications_object_idx;
