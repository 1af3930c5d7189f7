-- The audit trail: who read or changed which record, when, in which role and organisation,
-- for what purpose. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE whatever the role,
-- so not even a compromised application can rewrite history. Retention (a later migration)
-- gets its own narrowly defined path.

-- +goose Up
CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    actor_name  text NOT NULL DEFAULT '',
    org_id      uuid,
    role        text NOT NULL DEFAULT '',
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL DEFAULT '',
    case_id     uuid,
    purpose     text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    remote_addr text NOT NULL DEFAULT '',
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id);
CREATE INDEX audit_events_case_idx ON audit_events (case_id, at) WHERE case_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
