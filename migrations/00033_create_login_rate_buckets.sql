-- The sign-in rate limit (LOTSE_LOGIN_RATE_LIMIT), shared by every instance: one token bucket
-- per client address, so that N instances behind a load balancer allow the configured rate in
-- all rather than N times it. The address is kept only as a SHA-256 digest, and a bucket that
-- is full again (10 minutes without an attempt) is deleted.

-- +goose Up
CREATE TABLE login_rate_buckets (
    client     text PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_rate_buckets TO lotse_app;

-- +goose Down
DROP TABLE login_rate_buckets;
