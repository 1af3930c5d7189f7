-- Emergency access (Notfallzugriff, "break the glass"; issue 14, docs/emergency-access.md): a
-- caseworker of a municipal department opens a case outside their scope after stating a
-- reason. The access is limited to that case, to the member (user in the organisation they
-- acted for) and to a time (LOTSE_EMERGENCY_ACCESS_DURATION); while expires_at lies ahead,
-- the case read paths admit the case (store/scopes.go, emergencyAccess). Rows are never
-- changed: an access ends by its time, and the data protection officer reviews every row.

-- +goose Up
CREATE TABLE emergency_accesses (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    case_id    uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    reason     text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 1000),
    granted_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > granted_at)
);
CREATE INDEX emergency_accesses_user_case_idx ON emergency_accesses (user_id, case_id, expires_at);
CREATE INDEX emergency_accesses_granted_idx ON emergency_accesses (granted_at DESC, id DESC);

GRANT SELECT, INSERT ON emergency_accesses TO lotse_app;

-- +goose Down
DROP TABLE emergency_accesses;
