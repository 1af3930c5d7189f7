-- Indexes for the case lists (keyset pagination by updated_at DESC, id DESC), checked with
-- EXPLAIN on realistic data in internal/store/cases_test.go:
--   cases_lead_updated_idx:      a department's page of cases in list order, without sorting
--                                all of its cases (cases_lead_org_idx has the status first)
--   cases_reference_pattern_idx: reference prefix search (LIKE 'F-2026-001%'), which the
--                                unique index cannot serve under a non-C collation
-- The tables are new in this release and empty when this runs, so plain (non-concurrent)
-- builds are fine.

-- +goose Up
CREATE INDEX cases_lead_updated_idx ON cases (lead_org_id, updated_at DESC, id DESC);
CREATE INDEX cases_reference_pattern_idx ON cases (reference text_pattern_ops);

-- +goose Down
DROP INDEX cases_reference_pattern_idx;
DROP INDEX cases_lead_updated_idx;
