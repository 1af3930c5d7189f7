package model

import (
	"time"

	"github.com/google/uuid"
)

// AuditFilter narrows the audit log for its review by the data protection officer. Empty
// fields do not filter.
type AuditFilter struct {
	// Case is a case's reference number (F-2026-00123) or id.
	Case string
	// User is part of an account's e-mail address or name (any case), or of the name recorded
	// in the event.
	User string
	// OrgID is the organisation the actor acted in.
	OrgID *uuid.UUID
	// From and To are calendar days in Europe/Berlin, both included.
	From, To *time.Time
	// Action is an action ("case.read") or the object part of actions ("case" finds
	// case.read, case.update, …).
	Action string
	// Cursor continues the list where the previous page ended (its NextCursor; the list runs
	// newest first); empty starts with the newest. The export ignores it.
	Cursor string
	// Limit is the page size, 1 to 200; 0 means 50. The export ignores it.
	Limit int
}

// Kinds names the filters in use ("case", "user", "org", "from", "to", "action"), for the
// audit event of reading the log, which records how it was searched but not for whom.
func (f AuditFilter) Kinds() []string {
	var out []string
	add := func(on bool, k string) {
		if on {
			out = append(out, k)
		}
	}
	add(f.Case != "", "case")
	add(f.User != "", "user")
	add(f.OrgID != nil, "org")
	add(f.From != nil, "from")
	add(f.To != nil, "to")
	add(f.Action != "", "action")
	return out
}

// AuditRow is an audit event with the names it refers to: the organisation's name and the
// case's reference number (empty when the case is gone).
type AuditRow struct {
	AuditEvent
	OrgName       string
	CaseReference string
}

// AuditLog is what the review of the audit log shows: one page of events and the
// organisations to filter by.
type AuditLog struct {
	Page[AuditRow]
	Organisations []Organisation
}
