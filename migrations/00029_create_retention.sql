-- Retention and deletion (issue 14, docs/retention.md): legal holds on cases, the anonymised
-- counts that statistics keep of deleted records, and the indexes of the retention run.
--
-- statistics_archive holds only counts (no ids, no text): the city-wide statistics add them
-- to the live rows, so that they are equal before and after a deletion run.

-- +goose Up
CREATE TABLE case_holds (
    case_id  uuid PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    reason   text NOT NULL CHECK (btrim(reason) <> ''),
    held_by  uuid NOT NULL REFERENCES users (id),
    held_at  timestamptz NOT NULL DEFAULT now(),
    until    date
);

CREATE TABLE statistics_archive (
    kind text NOT NULL,
    a    text NOT NULL,
    b    text NOT NULL DEFAULT '',
    n    bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (kind, a, b)
);

CREATE INDEX cases_closed_at_idx ON cases (closed_at) WHERE status = 'closed';
CREATE INDEX referrals_ended_closed_at_idx ON referrals (closed_at) WHERE status IN ('declined', 'expired', 'withdrawn', 'revoked');
CREATE INDEX notifications_read_at_idx ON notifications (read_at) WHERE read_at IS NOT NULL;

-- The retention run clears the evidence text of ended consents (model.RetentionRules).
ALTER TABLE consents DROP CONSTRAINT consents_evidence_check,
    ADD CONSTRAINT consents_evidence_check CHECK (length(evidence) <= 500);

GRANT SELECT, INSERT, UPDATE, DELETE ON case_holds TO lotse_app;
GRANT SELECT, INSERT, UPDATE ON statistics_archive TO lotse_app;
GRANT DELETE ON cases, referrals TO lotse_app;

-- +goose Down
UPDATE consents SET evidence = '-' WHERE evidence = '';
ALTER TABLE consents DROP CONSTRAINT consents_evidence_check,
    ADD CONSTRAINT consents_evidence_check CHECK (length(evidence) BETWEEN 1 AND 500);
REVOKE DELETE ON cases, referrals FROM lotse_app;
DROP INDEX notifications_read_at_idx;
DROP INDEX referrals_ended_closed_at_idx;
DROP INDEX cases_closed_at_idx;
DROP TABLE statistics_archive;
DROP TABLE case_holds;
