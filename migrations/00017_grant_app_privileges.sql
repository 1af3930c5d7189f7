-- Two database roles (see migrations/README.md and deploy/README.md): these migrations run as
-- the owner of the schema; the server runs as a login role that owns nothing and is a member
-- of the group role lotse_app, which gets exactly the privileges the code needs. On the audit
-- trail that is INSERT and SELECT: the server cannot update, delete, truncate, disable its
-- triggers or alter it, so not even a compromised instance can rewrite history.
--
-- lotse_app is created here when it is missing and the migration role may create roles;
-- otherwise an administrator creates it first (CREATE ROLE lotse_app NOLOGIN). Roles belong
-- to the whole cluster, so Down revokes the privileges but leaves the role: other databases
-- (a test template and its clones, say) may still hold grants to it.
--
-- Every later migration that creates a table grants lotse_app its privileges explicitly in
-- the same file; ALTER DEFAULT PRIVILEGES is not relied on (it applies only to objects of
-- the role that ran it, and silently not to those of anyone else).
-- internal/db/roles_test.go declares the expected privileges of every table and fails on a
-- table without them. Identity columns (audit_events.id) need no sequence privilege.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lotse_app') THEN
        BEGIN
            CREATE ROLE lotse_app NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- created concurrently by another database's migration
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'the group role lotse_app is missing and the migration role may not create it: as an administrator run CREATE ROLE lotse_app NOLOGIN (see deploy/README.md)'
                    USING ERRCODE = 'insufficient_privilege';
        END;
    END IF;
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO lotse_app;

-- Read by the schema check of every instance (readyz, start).
GRANT SELECT ON goose_db_version TO lotse_app;

-- The audit trail: append and read, nothing else.
GRANT SELECT, INSERT ON audit_events TO lotse_app;

-- Reference data the application only reads.
GRANT SELECT ON areas TO lotse_app;

-- Written once and never changed: notes are corrected by a new note, comments likewise.
GRANT SELECT, INSERT ON notes, task_comments, consent_recipients TO lotse_app;

-- Records with a life cycle (optimistic locking via their version column).
GRANT SELECT, INSERT, UPDATE ON
    organisations, users, reference_counters, cases, persons, area_statuses, consents,
    referrals, tasks
    TO lotse_app;

-- Rows the application removes: withdrawn grants, ended sessions (scs), stale idempotency keys.
GRANT SELECT, INSERT, DELETE ON role_grants TO lotse_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, idempotency_keys TO lotse_app;

-- +goose Down
REVOKE ALL ON
    organisations, users, role_grants, sessions, reference_counters, cases, persons,
    area_statuses, consents, consent_recipients, referrals, tasks, task_comments, notes,
    idempotency_keys, areas, audit_events, goose_db_version
    FROM lotse_app;
REVOKE USAGE ON SCHEMA public FROM lotse_app;
