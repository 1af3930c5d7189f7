-- Server-side sessions (alexedwards/scs postgresstore layout), so that a session made on one
-- instance works on every instance using the same database, and logout ends it everywhere.

-- +goose Up
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
