-- When the relation that gave an organisation access to a case ends, what hung on it ends too
-- (issue: the end of a relation leaves traces):
-- * tasks.status_reason says why a task was closed by the system, as a code that the UI
--   translates ('access_ended': "Zugang beendet"); empty for tasks closed by people.
-- * referrals.legal_basis_categories are the person data categories that the referral's
--   legal basis releases to the recipient, recorded from the configured list when the
--   referral is sent, exactly like a consent's categories. Referrals sent before this
--   migration released the identity category, which is what they keep.

-- +goose Up
ALTER TABLE tasks ADD COLUMN status_reason text NOT NULL DEFAULT ''
    CHECK (status_reason IN ('', 'access_ended'));
ALTER TABLE referrals ADD COLUMN legal_basis_categories text[] NOT NULL DEFAULT '{}'
    CHECK (legal_basis_categories <@ ARRAY['identity', 'contact', 'residence', 'languages']::text[]);
UPDATE referrals SET legal_basis_categories = '{identity}' WHERE legal_basis <> '';

-- +goose Down
ALTER TABLE referrals DROP COLUMN legal_basis_categories;
ALTER TABLE tasks DROP COLUMN status_reason;
