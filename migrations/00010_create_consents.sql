-- Consent (Einwilligung / Schweigepflichtentbindung): the person's release to share data
-- with named organisations, for named areas, data categories and a purpose, valid from/to,
-- with the signed form as evidence. Revoking it ends the partners' access at once.

-- +goose Up
-- The calendar day in the city. Consent validity and deadlines are days in Europe/Berlin,
-- while the database session runs in UTC; between midnight and 1 or 2 a.m. the two differ.
CREATE FUNCTION berlin_today() RETURNS date LANGUAGE sql STABLE
    AS $$ SELECT (now() AT TIME ZONE 'Europe/Berlin')::date $$;

CREATE TABLE consents (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    person_id       uuid REFERENCES persons (id) ON DELETE SET NULL,
    areas           text[] NOT NULL CHECK (cardinality(areas) > 0),
    data_categories text[] NOT NULL DEFAULT '{}',
    purpose         text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
    valid_from      date NOT NULL,
    valid_until     date NOT NULL,
    evidence        text NOT NULL CHECK (length(evidence) BETWEEN 1 AND 500),
    language        text NOT NULL DEFAULT 'de',
    recorded_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_org_id uuid NOT NULL REFERENCES organisations (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    version         integer NOT NULL DEFAULT 1,
    CHECK (valid_until >= valid_from)
);
CREATE INDEX consents_case_idx ON consents (case_id);

CREATE TABLE consent_recipients (
    consent_id uuid NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (consent_id, org_id)
);
CREATE INDEX consent_recipients_org_idx ON consent_recipients (org_id);

-- +goose Down
DROP TABLE consent_recipients;
DROP TABLE consents;
DROP FUNCTION berlin_today();
