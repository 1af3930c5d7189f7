-- Organisations form a tree (city -> department -> unit; welfare association -> local office).
-- The kind decides whether an organisation is municipal or a partner in the policy.

-- +goose Up
CREATE TABLE organisations (
    id            uuid PRIMARY KEY,
    parent_id     uuid REFERENCES organisations (id) ON DELETE RESTRICT,
    kind          text NOT NULL CHECK (kind IN ('municipal', 'jobcenter', 'welfare', 'school', 'civil_society')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name    text NOT NULL CHECK (short_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    contact_email text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    active        boolean NOT NULL DEFAULT true,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX organisations_short_name_key ON organisations (lower(short_name));
CREATE INDEX organisations_parent_id_idx ON organisations (parent_id);

-- +goose Down
DROP TABLE organisations;
