-- Separation of duties: an organisation administrator never also holds a role with case
-- content, unless a partner organisation allows it for its own administrators (a small
-- association whose administrator is also a counsellor). The system administrator switches
-- the setting, audited; a municipal department can never have it.

-- +goose Up
ALTER TABLE organisations
    ADD COLUMN allow_admin_casework boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT organisations_admin_casework_partner_only CHECK (NOT allow_admin_casework OR kind <> 'municipal');

-- +goose Down
ALTER TABLE organisations
    DROP CONSTRAINT organisations_admin_casework_partner_only,
    DROP COLUMN allow_admin_casework;
