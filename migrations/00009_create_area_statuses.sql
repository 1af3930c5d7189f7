-- The integration plan: per case and area one status, the responsible organisation, a short
-- note, and who changed it when.

-- +goose Up
CREATE TABLE area_statuses (
    case_id            uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    area               text NOT NULL REFERENCES areas (code),
    status             text NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'waiting', 'achieved', 'not_needed')),
    responsible_org_id uuid REFERENCES organisations (id),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    changed_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    changed_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    PRIMARY KEY (case_id, area)
);
CREATE INDEX area_statuses_area_idx ON area_statuses (area, status);

-- +goose Down
DROP TABLE area_statuses;
