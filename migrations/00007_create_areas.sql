-- The areas (Handlungsfelder) of an integration plan. The list is data, so that a city can
-- add or retire areas; housing, work and schooling are the heart.

-- +goose Up
CREATE TABLE areas (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{1,30}$'),
    name_de  text NOT NULL,
    name_en  text NOT NULL,
    position integer NOT NULL,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO areas (code, name_de, name_en, position) VALUES
    ('housing',   'Wohnen',               'Housing',                1),
    ('work',      'Arbeit und Ausbildung', 'Work and training',     2),
    ('schooling', 'Schule und Kita',       'Schooling and childcare', 3),
    ('language',  'Sprache',               'Language',              4),
    ('health',    'Gesundheit',            'Health',                5),
    ('residence', 'Aufenthalt',            'Residence',             6);

-- +goose Down
DROP TABLE areas;
