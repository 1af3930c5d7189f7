-- +goose NO TRANSACTION
-- The open tasks of an organisation (issue 13), for the "cases with an open task" branch of
-- the case list (store.openTaskCases) and the team dashboard's figures and list: partial to
-- the open tasks, which are a small part of all tasks, with the columns those queries read,
-- so that the figures come from an index-only scan. The predicate is the queries' own
-- condition word for word (store/statuses.go, sqlClosedTask), so the planner can prove it.
-- Concurrently: tasks is the biggest table in a running city (migrations/README.md, rule 4).
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_org_open_idx ON tasks (org_id, case_id)
    INCLUDE (referral_id, assignee_id, area, due_date, created_at, status)
    WHERE status NOT IN ('done', 'cancelled');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS tasks_org_open_idx;
