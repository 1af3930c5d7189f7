package model

import "time"

// AuditRowColumns are the columns of audit_events in the order the audit chain hashes them
// (internal/auditchain): every column of the table, so that a change to any of them breaks
// the chain. A test compares the list with the migrated schema.
var AuditRowColumns = []string{
	"id", "at", "actor_id", "actor_name", "org_id", "role", "action", "object_type",
	"object_id", "case_id", "purpose", "request_id", "remote_addr", "details",
}

// SealedAuditRow is one audit event as the chain hashes it: each column of AuditRowColumns as
// Postgres prints it (timestamps in UTC with microseconds, details as jsonb text), nil for
// NULL. Postgres prints, not Go, so that the serialisation does not depend on a driver.
type SealedAuditRow struct {
	ID     int64
	Values []*string
}

// AuditChainEntry is one sealed event: its place in the chain and the chained hash.
type AuditChainEntry struct {
	Seq     int64
	EventID int64
	Hash    []byte
}

// AuditCheckpoint is a signed statement that the chain had Hash at Seq at SignedAt.
type AuditCheckpoint struct {
	Seq       int64
	Hash      []byte
	SignedAt  time.Time
	KeyID     string
	Signature []byte
}
