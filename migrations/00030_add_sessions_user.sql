-- The account a session is signed in as, written with the session: the one session lookup of
-- a request reads the account (name, active) in the same statement (docs/performance.md,
-- "Round trips per request"). Nullable: a session before sign-in has no account, and
-- sessions of an older instance are written without it (the account is then read apart).

-- +goose Up
ALTER TABLE sessions ADD COLUMN user_id uuid;

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
