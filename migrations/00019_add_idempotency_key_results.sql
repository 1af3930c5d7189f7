-- Idempotency keys keep a reference to the result of their request, not a copy of it: the
-- status, and the resource (type and id) that the request created or changed, or for a
-- refused request the error code. They are written in the operation's own transaction, so a
-- crash after the commit never leaves a retry stuck. A retry re-reads the resource through
-- the normal, access-checked read.
--
-- Expand only (migrations/README.md, rule 5): body and headers, where older binaries kept a
-- copy of the whole answer, stay until no binary writes them; the new code leaves them
-- empty, and the stored copies disappear with the keys after a day (model.IdempotencyRetention),
-- when the background sweep purges them. The privileges of lotse_app on the table are unchanged.

-- +goose Up
ALTER TABLE idempotency_keys
    ADD COLUMN code          text NOT NULL DEFAULT '',
    ADD COLUMN resource_type text NOT NULL DEFAULT '',
    ADD COLUMN resource_id   uuid,
    ALTER COLUMN body SET DEFAULT '';

-- +goose Down
-- Keys written by the new code carry no copy of the answer: an older binary could not replay them.
DELETE FROM idempotency_keys WHERE resource_id IS NOT NULL OR code <> '';
ALTER TABLE idempotency_keys
    DROP COLUMN code,
    DROP COLUMN resource_type,
    DROP COLUMN resource_id,
    ALTER COLUMN body DROP DEFAULT;
