-- Nothing falls between desks (issue 12): notifications, each member's choice of channel per
-- kind, the language of a member's e-mails, and follow-up dates (Wiedervorlagen).
--
-- * notifications hold references, never content: who (user_id, in the membership org_id),
--   what kind, which record (object_type, object_id) and on which occasion (a reminder's day,
--   an answer's status), so that the same reminder is written once even when two instances
--   run the same job (UNIQUE ... ON CONFLICT DO NOTHING). Their text is rendered when read,
--   through the reader's scope (service/notifications.go); emailed_at records the e-mail.
-- * notification_settings: per member and kind the channel (immediate e-mail, daily digest,
--   off); a missing row is the kind's default (model.DefaultChannel).
-- * users.language is the language of a member's e-mails ('de' or 'en').
-- * follow_ups: a member's follow-up date on a case or a task, one per member and record;
--   done_at when the member cleared it.

-- +goose Up
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      uuid NOT NULL REFERENCES organisations (id),
    kind        text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    object_type text NOT NULL CHECK (object_type IN ('case', 'task', 'referral', 'consent')),
    object_id   uuid NOT NULL,
    occasion    text NOT NULL DEFAULT '' CHECK (length(occasion) <= 40),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    emailed_at  timestamptz,
    UNIQUE (user_id, kind, object_id, occasion)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed_idx ON notifications (user_id, created_at) WHERE emailed_at IS NULL;

CREATE TABLE notification_settings (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    channel text NOT NULL CHECK (channel IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en'));

CREATE TABLE follow_ups (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    case_id    uuid REFERENCES cases (id) ON DELETE CASCADE,
    task_id    uuid REFERENCES tasks (id) ON DELETE CASCADE,
    due_on     date NOT NULL,
    done_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((case_id IS NULL) <> (task_id IS NULL))
);
CREATE UNIQUE INDEX follow_ups_case_idx ON follow_ups (user_id, case_id) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX follow_ups_task_idx ON follow_ups (user_id, task_id) WHERE task_id IS NOT NULL;
CREATE INDEX follow_ups_due_idx ON follow_ups (due_on) WHERE done_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications, notification_settings, follow_ups TO lotse_app;

-- +goose Down
DROP TABLE follow_ups;
ALTER TABLE users DROP COLUMN language;
DROP TABLE notification_settings;
DROP TABLE notifications;
