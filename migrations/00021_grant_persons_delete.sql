-- A household member who left the household is removed from the case (issue 11): the row is
-- deleted, not hidden, since nothing needs the data any more (data minimisation). The
-- service refuses to remove the main person and a person that a consent names (the consent
-- is evidence of what that person released). The audit event keeps the person's id only.

-- +goose Up
GRANT DELETE ON persons TO lotse_app;

-- +goose Down
REVOKE DELETE ON persons FROM lotse_app;
