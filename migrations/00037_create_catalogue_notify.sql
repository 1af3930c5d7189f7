-- Every instance keeps the areas and the organisations in memory, with the grants (the
-- enforcer's snapshot, model.Catalogue): pages label with them without reading them on every
-- request. The snapshot is reloaded on the NOTIFY channel lotse_policy
-- (model.PolicyChannel). The directory service announces its own organisation changes;
-- areas are reference data a city changes in SQL, and an organisation may be corrected in
-- SQL by operations: these triggers announce any change to either table, so no instance
-- keeps labelling with an old name. A notification is delivered when its transaction
-- commits, and several in one transaction arrive as one.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_policy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lotse_policy', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER areas_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_changed();
CREATE TRIGGER organisations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_changed();

-- +goose Down
DROP TRIGGER organisations_changed ON organisations;
DROP TRIGGER areas_changed ON areas;
DROP FUNCTION notify_policy_changed();
