-- The head's review and named counterparts (issue 11, items 5 and 6):
-- * users.business_phone and users.business_email are a member's business contact data
--   (Dienstnummer, Funktionspostfach), shown to colleagues and to the counterpart of a
--   referral as its contact person (docs/sharing.md, "Staff names and contact persons").
--   Empty means "not recorded": the page then shows the organisation's contact data. The
--   sign-in e-mail is never shown as contact data.
-- * referrals.assignee_id is who answers a referral in the receiving organisation: set to
--   the accepting member, changed by the department head (referral.reassign). Empty for
--   referrals accepted before this migration, which then name the member who answered.

-- +goose Up
ALTER TABLE users ADD COLUMN business_phone text NOT NULL DEFAULT ''
    CHECK (length(business_phone) <= 50);
ALTER TABLE users ADD COLUMN business_email text NOT NULL DEFAULT ''
    CHECK (length(business_email) <= 254);
ALTER TABLE referrals ADD COLUMN assignee_id uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX referrals_assignee_id_idx ON referrals (assignee_id) WHERE assignee_id IS NOT NULL;

-- +goose Down
DROP INDEX referrals_assignee_id_idx;
ALTER TABLE referrals DROP COLUMN assignee_id;
ALTER TABLE users DROP COLUMN business_email;
ALTER TABLE users DROP COLUMN business_phone;
