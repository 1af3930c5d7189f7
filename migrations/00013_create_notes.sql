-- Notes (Vermerke): a journal on a case, tagged with an area, visible to the author's own
-- organisation or shared with the organisations involved in that area. Notes are not edited:
-- a correction is a new note.

-- +goose Up
CREATE TABLE notes (
    id         uuid PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    area       text REFERENCES areas (code),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    visibility text NOT NULL DEFAULT 'org' CHECK (visibility IN ('org', 'shared')),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (visibility = 'org' OR area IS NOT NULL)
);
CREATE INDEX notes_case_idx ON notes (case_id, created_at DESC);

-- +goose Down
DROP TABLE notes;
