-- Handing a case's lead over to another organisation (Federführung übergeben): the lead
-- organisation's caseworker asks, the receiving organisation accepts or declines (with a
-- reason), or the sender withdraws while it is pending. Accepting changes cases.lead_org_id
-- in the same transaction. At most one pending handover per case. The reason is the
-- sender's (or the decliner's) word to the other side; no person data belongs in it.

-- +goose Up
CREATE TABLE case_handovers (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_org_id    uuid NOT NULL REFERENCES organisations (id),
    to_org_id      uuid NOT NULL REFERENCES organisations (id),
    requested_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    status         text NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested', 'accepted', 'declined', 'withdrawn')),
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    answer_reason  text NOT NULL DEFAULT '' CHECK (length(answer_reason) <= 500),
    answered_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    answered_at    timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (from_org_id <> to_org_id),
    CHECK ((status = 'requested') = (answered_at IS NULL))
);
CREATE UNIQUE INDEX case_handovers_one_pending_idx ON case_handovers (case_id) WHERE status = 'requested';
CREATE INDEX case_handovers_to_org_idx ON case_handovers (to_org_id, status);
CREATE INDEX case_handovers_from_org_idx ON case_handovers (from_org_id, status);
GRANT SELECT, INSERT, UPDATE ON case_handovers TO lotse_app;

-- +goose Down
DROP TABLE case_handovers;
