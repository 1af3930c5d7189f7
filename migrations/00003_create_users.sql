-- Accounts are keyed by (issuer, subject) of their identity provider, never by e-mail.
-- A pre-provisioned account may lack the subject until its first sign-in links it.

-- +goose Up
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    issuer        text NOT NULL DEFAULT '',
    subject       text,
    email         text NOT NULL DEFAULT '',
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    active        boolean NOT NULL DEFAULT true,
    service       boolean NOT NULL DEFAULT false,
    last_login_at timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (subject IS NOT NULL OR email <> '')
);
CREATE UNIQUE INDEX users_issuer_subject_key ON users (issuer, subject) WHERE subject IS NOT NULL;
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email <> '';

-- +goose Down
DROP TABLE users;
