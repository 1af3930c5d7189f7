-- Extensions Lotse relies on. All three are "trusted" since PostgreSQL 13, so the database
-- owner may create them without superuser rights.
--   pg_trgm:    fuzzy name search (transliteration variants of names)
--   unaccent:   accent-insensitive search (Müller = Muller)
--   btree_gist: exclusion constraints mixing equality and ranges (consent validity)

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- +goose Down
DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;
