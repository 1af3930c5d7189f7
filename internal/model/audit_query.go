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
	// User is an account's e-mail address (exact, any case) or part of a name (of the account
	// or as recorded in the event).
	User string
	// OrgID is the organisation the actor acted in.
	OrgID *uuid.UUID
	// From and To are calendar days in Europe/Berlin, both included.
	From, To *time.Time
	// Action is an action ("case.read") or the object part of actions ("case" finds
	// case.read, case.update, …).
	Action string
	// Before continues a list after the event with this id (keyset pagination, newest first);
	// 0 starts with the newest.
	Before int64
	// Limit is the page size (default 50, at most 200); the export ignores it.
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

// AuditPage is one page of the audit log.
type AuditPage struct {
	Rows []AuditRow
	// Next continues the list (AuditFilter.Before); 0 when this is the last page.
	Next int64
	// Organisations are the organisations to filter by.
	Organisations []Organisation
}
