-- Tasks (Aufgaben) for an organisation and optionally one person in it, linked to a case,
-- an area or a referral where they belong, with comments.

-- +goose Up
CREATE TABLE tasks (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id),
    assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    case_id     uuid REFERENCES cases (id) ON DELETE CASCADE,
    area        text REFERENCES areas (code),
    referral_id uuid REFERENCES referrals (id) ON DELETE SET NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    due_date    date,
    priority    text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'waiting', 'done', 'cancelled')),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    done_at     timestamptz,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_org_status_due_idx ON tasks (org_id, status, due_date, id);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status, due_date, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tasks_case_idx ON tasks (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX tasks_referral_idx ON tasks (referral_id) WHERE referral_id IS NOT NULL;

CREATE TABLE task_comments (
    id         uuid PRIMARY KEY,
    task_id    uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at);

-- +goose Down
DROP TABLE task_comments;
DROP TABLE tasks;
