-- +goose NO TRANSACTION
-- The start page's task sections (store.Tasks.WorkSections) and "my open tasks" ask for the
-- open tasks of one organisation assigned to the member or to nobody, by due date. Without
-- this index they read every open task of the organisation (tasks_org_open_idx) and keep a
-- few: on a tenth of the generated city 3,555 rows read for 443 kept (docs/performance.md).
-- Built concurrently: tasks is the biggest table, and writes go on during the build.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_org_assignee_open_idx
    ON tasks (org_id, assignee_id, due_date)
    WHERE status NOT IN ('done', 'cancelled');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS tasks_org_assignee_open_idx;
