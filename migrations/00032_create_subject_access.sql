-- Subject access requests (GDPR Art. 15, issue 14, docs/subject-access.md): the data
-- protection officer starts a request for the person records of one human being (found by
-- name and date of birth, possibly in several cases); the lead organisation of each of their
-- cases confirms it (four eyes); then the officer exports everything Lotse holds about them.
--
-- person_ids has no foreign key (an array): a person deleted later (retention) is simply
-- missing from a later export. reference is the officer's file reference of the request
-- (e.g. the letter's date and number), no personal data beyond that.

-- +goose Up
CREATE TABLE subject_access_requests (
    id           uuid PRIMARY KEY,
    person_ids   uuid[] NOT NULL CHECK (cardinality(person_ids) BETWEEN 1 AND 20),
    reference    text NOT NULL CHECK (btrim(reference) <> '' AND length(reference) <= 200),
    requested_by uuid NOT NULL REFERENCES users (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    exported_at  timestamptz
);

CREATE TABLE subject_access_confirmations (
    request_id   uuid NOT NULL REFERENCES subject_access_requests (id) ON DELETE CASCADE,
    org_id       uuid NOT NULL REFERENCES organisations (id),
    confirmed_by uuid REFERENCES users (id),
    confirmed_at timestamptz,
    PRIMARY KEY (request_id, org_id),
    CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL))
);
CREATE INDEX subject_access_confirmations_org_idx ON subject_access_confirmations (org_id) WHERE confirmed_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON subject_access_requests TO lotse_app;
GRANT SELECT, INSERT, UPDATE ON subject_access_confirmations TO lotse_app;

-- +goose Down
DROP TABLE subject_access_confirmations;
DROP TABLE subject_access_requests;
