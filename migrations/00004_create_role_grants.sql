-- A grant gives a user one role in one organisation. Casbin reads them as its g-lines.

-- +goose Up
CREATE TABLE role_grants (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('caseworker', 'lead', 'coordinator', 'org_admin', 'sysadmin', 'dpo')),
    granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, org_id, role)
);
CREATE INDEX role_grants_org_id_idx ON role_grants (org_id);

-- +goose Down
DROP TABLE role_grants;
