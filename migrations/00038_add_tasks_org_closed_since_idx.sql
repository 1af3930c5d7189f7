-- +goose NO TRANSACTION
-- The team dashboard's weekly series (store.Dashboard.TaskSeries) counts the tasks open at
-- each of the last twelve weeks: every open task of the team, and the closed ones that
-- closed after the first week began (done or last changed since). Without this index it read
-- every task the team ever had through tasks_org_status_due_idx and dropped the ones closed
-- before: for the largest department of the generated city 105,000 read for 69,000 kept.
-- With it the series reads the open ones (tasks_org_assignee_open_idx) and the recently
-- closed ones (this one) only (docs/performance.md, "Sixth round"). greatest() skips an
-- empty done_at, so the key is the later of the two. Built concurrently: tasks is the
-- biggest table, and writes go on during the build.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_org_closed_since_idx
    ON tasks (org_id, (greatest(updated_at, done_at)))
    WHERE status IN ('done', 'cancelled');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS tasks_org_closed_since_idx;
