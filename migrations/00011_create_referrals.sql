-- Referrals (Vermittlungen) from one organisation to another for a case and some areas.
-- Life cycle: sent -> accepted | declined -> in_progress -> completed; withdrawn by the
-- sender; expired after the reply deadline; revoked when the consent ends. A referral to a
-- partner is covered by a consent or by a recorded legal basis.

-- +goose Up
CREATE TABLE referrals (
    id             uuid PRIMARY KEY,
    reference      text NOT NULL UNIQUE,
    case_id        uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_org_id    uuid NOT NULL REFERENCES organisations (id),
    to_org_id      uuid NOT NULL REFERENCES organisations (id),
    areas          text[] NOT NULL CHECK (cardinality(areas) > 0),
    message        text NOT NULL DEFAULT '' CHECK (length(message) <= 4000),
    reply_due      date NOT NULL,
    status         text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'declined', 'in_progress', 'completed', 'withdrawn', 'expired', 'revoked')),
    consent_id     uuid REFERENCES consents (id),
    legal_basis    text NOT NULL DEFAULT '',
    reply          text NOT NULL DEFAULT '' CHECK (length(reply) <= 4000),
    outcome        text NOT NULL DEFAULT '' CHECK (length(outcome) <= 4000),
    sent_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    answered_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    answered_at    timestamptz,
    closed_at      timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (from_org_id <> to_org_id),
    CHECK (consent_id IS NOT NULL OR legal_basis <> '' OR status IN ('withdrawn', 'revoked', 'expired', 'declined', 'completed'))
);
CREATE INDEX referrals_to_org_idx ON referrals (to_org_id, status, reply_due, id);
CREATE INDEX referrals_from_org_idx ON referrals (from_org_id, status, created_at DESC, id);
CREATE INDEX referrals_case_idx ON referrals (case_id);
CREATE INDEX referrals_consent_idx ON referrals (consent_id) WHERE consent_id IS NOT NULL;

-- +goose Down
DROP TABLE referrals;
