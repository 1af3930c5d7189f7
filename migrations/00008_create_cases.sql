-- Cases and the persons of their household. A case has one lead organisation and a
-- responsible caseworker. People see readable reference numbers (F-2026-00123); URLs use
-- the UUID. Person fields are only what the work needs; search_text is a folded copy of
-- the names (lowercase, umlauts and accents folded, transliteration variants) for trigram
-- search, maintained by the application.

-- +goose Up
CREATE TABLE reference_counters (
    prefix text NOT NULL,
    year   integer NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id                  uuid PRIMARY KEY,
    reference           text NOT NULL UNIQUE,
    lead_org_id         uuid NOT NULL REFERENCES organisations (id),
    responsible_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paused', 'closed')),
    status_reason       text NOT NULL DEFAULT '',
    district            text NOT NULL DEFAULT '',
    opened_at           timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX cases_lead_org_idx ON cases (lead_org_id, status, updated_at DESC, id);
CREATE INDEX cases_responsible_idx ON cases (responsible_user_id) WHERE responsible_user_id IS NOT NULL;

CREATE TABLE persons (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    is_primary       boolean NOT NULL DEFAULT false,
    family_name      text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 200),
    given_names      text NOT NULL DEFAULT '' CHECK (length(given_names) <= 200),
    name_variants    text[] NOT NULL DEFAULT '{}',
    birth_date       date,
    languages        text[] NOT NULL DEFAULT '{}',
    arrival_date     date,
    residence_status text NOT NULL DEFAULT '',
    district         text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    email            text NOT NULL DEFAULT '',
    address          text NOT NULL DEFAULT '',
    search_text      text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_case_idx ON persons (case_id);
CREATE UNIQUE INDEX persons_one_primary_idx ON persons (case_id) WHERE is_primary;
CREATE INDEX persons_search_trgm_idx ON persons USING gin (search_text gin_trgm_ops);

-- +goose Down
DROP TABLE persons;
DROP TABLE cases;
DROP TABLE reference_counters;
