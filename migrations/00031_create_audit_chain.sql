-- The tamper-evident audit (issue 14, docs/audit.md): a hash chain over audit_events and
-- signed checkpoints of it. Requests keep writing audit_events exactly as before, each in its
-- own transaction; an asynchronous sealer (a periodic job of the elected leader, serialised
-- by an advisory lock) appends every committed event to audit_chain with
-- hash = SHA-256(previous hash, seq, every column of the event), and now and then signs the
-- head of the chain with the installation's Ed25519 key into audit_checkpoints.
--
-- The application role may only append and read both tables (it seals and signs); nothing
-- it does can change or remove a sealed entry. Retention of old audit events (lotse audit
-- prune, run as the owner) is the one narrow path that deletes: only when the transaction
-- says so (SET LOCAL lotse.audit_retention = 'checkpointed') and only events and chain
-- entries at or before a signed checkpoint, so that verification starts from that
-- checkpoint's hash. Checkpoints are never deleted.

-- +goose Up
CREATE TABLE audit_chain (
    seq      bigint PRIMARY KEY CHECK (seq > 0),
    event_id bigint NOT NULL UNIQUE,
    hash     bytea NOT NULL CHECK (length(hash) = 32)
);

CREATE TABLE audit_checkpoints (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    hash      bytea NOT NULL CHECK (length(hash) = 32),
    signed_at timestamptz NOT NULL,
    key_id    text NOT NULL,
    signature bytea NOT NULL CHECK (length(signature) = 64)
);

-- +goose StatementBegin
CREATE FUNCTION audit_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Nested, since OLD has no event_id on audit_checkpoints and is unset for TRUNCATE.
    IF TG_TABLE_NAME = 'audit_chain' AND TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
       AND current_setting('lotse.audit_retention', true) = 'checkpointed' THEN
        IF OLD.seq <= (SELECT max(seq) FROM audit_checkpoints)
           AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = OLD.event_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_chain_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_chain_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_append_only();

-- Retention's path through the append-only trigger of audit_events (00005): a row delete in
-- a transaction that set lotse.audit_retention, of an event sealed at or before a checkpoint.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
       AND current_setting('lotse.audit_retention', true) = 'checkpointed' THEN
        IF EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = OLD.id
                   AND c.seq <= (SELECT max(seq) FROM audit_checkpoints)) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

-- The sealer appends and reads; nothing more (see above).
GRANT SELECT, INSERT ON audit_chain, audit_checkpoints TO lotse_app;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
DROP TABLE audit_checkpoints;
DROP TABLE audit_chain;
DROP FUNCTION audit_chain_append_only();
