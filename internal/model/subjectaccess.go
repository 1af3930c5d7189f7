package model

import (
	"time"

	"github.com/google/uuid"
)

// Subject access (GDPR Art. 15, docs/subject-access.md): the data protection officer finds a
// person by name and date of birth, starts a request, the lead organisation of each of the
// person's cases confirms it, and the officer exports what Lotse holds about the person with
// the access history.

// SubjectAccessFind identifies a person without browsing case content: family name, given
// names and date of birth, matched exactly after normalisation (case, umlauts, diacritics,
// punctuation).
type SubjectAccessFind struct {
	FamilyName string
	GivenNames string
	BirthDate  *time.Time
}

// SubjectAccessMatch is one person record that matches: its id, its case's reference and the
// name of the case's lead organisation, nothing else.
type SubjectAccessMatch struct {
	PersonID      uuid.UUID
	CaseReference string
	LeadOrgName   string
}

// SubjectAccessStart starts a request for the person records PersonIDs (one human being,
// possibly in several cases) under the officer's file Reference.
type SubjectAccessStart struct {
	PersonIDs []uuid.UUID
	Reference string
}

// SubjectAccessConfirmation is the confirmation of one lead organisation (pending while
// ConfirmedAt is nil).
type SubjectAccessConfirmation struct {
	RequestID   uuid.UUID
	OrgID       uuid.UUID
	ConfirmedBy *uuid.UUID
	ConfirmedAt *time.Time
	// OrgName is the organisation's name (read, not stored).
	OrgName string
}

// SubjectAccessRequest is a request with its confirmations.
type SubjectAccessRequest struct {
	ID          uuid.UUID
	PersonIDs   []uuid.UUID
	Reference   string
	RequestedBy uuid.UUID
	RequestedAt time.Time
	ExportedAt  *time.Time
	// Confirmations are one per lead organisation of the persons' cases at the start.
	Confirmations []SubjectAccessConfirmation
}

// Confirmed says whether every lead organisation has confirmed.
func (r *SubjectAccessRequest) Confirmed() bool {
	for _, c := range r.Confirmations {
		if c.ConfirmedAt == nil {
			return false
		}
	}
	return len(r.Confirmations) > 0
}

// Status is started (waiting for confirmations), confirmed (exportable) or exported.
func (r *SubjectAccessRequest) Status() string {
	switch {
	case r.ExportedAt != nil:
		return "exported"
	case r.Confirmed():
		return "confirmed"
	}
	return "started"
}

// SubjectAccessExport is everything Lotse holds about the person records of a request: one
// section per table, whose fields are the table's client columns of the data catalogue
// (privacy.ClientColumns), and the access history.
type SubjectAccessExport struct {
	RequestID   uuid.UUID                   `json:"request_id"`
	Reference   string                      `json:"reference"`
	RequestedAt time.Time                   `json:"requested_at"`
	ExportedAt  time.Time                   `json:"exported_at"`
	Confirmed   []SubjectAccessConfirmedBy  `json:"confirmed_by"`
	Sections    []SubjectAccessSection      `json:"sections"`
	History     []SubjectAccessHistoryEntry `json:"access_history"`
}

// SubjectAccessConfirmedBy names an organisation that confirmed, and when.
type SubjectAccessConfirmedBy struct {
	Organisation string    `json:"organisation"`
	At           time.Time `json:"at"`
}

// SubjectAccessSection is one table's records about the person.
type SubjectAccessSection struct {
	Table   string             `json:"table"`
	Columns []string           `json:"columns"`
	Rows    []SubjectAccessRow `json:"rows"`
}

// SubjectAccessRow is one record: its catalogued client fields (values as the database
// holds them) and, for free texts that name another person of the same household, those
// names per field: the officer reviews them before release ("Prüfen vor Herausgabe").
type SubjectAccessRow struct {
	Fields map[string]any      `json:"fields"`
	Review map[string][]string `json:"review,omitempty"`
}

// SubjectAccessHistoryEntry is one audit event about the person: when, which organisation
// and role, what (the audit action), for what purpose. No member's name: the person learns
// which body read their data, the staff's names are staff data.
type SubjectAccessHistoryEntry struct {
	At           time.Time `json:"at"`
	Organisation string    `json:"organisation"`
	Role         string    `json:"role"`
	Action       string    `json:"action"`
	Purpose      string    `json:"purpose"`
}

// SubjectAccessPending is a request that waits for the confirmation of a department head's
// organisation, with the references of the cases concerned that the organisation leads.
type SubjectAccessPending struct {
	Request        SubjectAccessRequest
	CaseReferences []string
}
