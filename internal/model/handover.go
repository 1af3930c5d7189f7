package model

import (
	"time"

	"github.com/google/uuid"
)

// HandoverStatus is the life cycle of a lead-organisation handover.
type HandoverStatus string

// The handover states: requested by the lead organisation, then accepted or declined by the
// receiving organisation, or withdrawn by the sender while it is pending.
const (
	HandoverRequested HandoverStatus = "requested"
	HandoverAccepted  HandoverStatus = "accepted"
	HandoverDeclined  HandoverStatus = "declined"
	HandoverWithdrawn HandoverStatus = "withdrawn"
)

// HandoverStatuses lists every handover state.
var HandoverStatuses = []HandoverStatus{HandoverRequested, HandoverAccepted, HandoverDeclined, HandoverWithdrawn}

// CaseHandover hands a case's lead (Federführung) from one organisation to another; the
// receiving organisation accepts or declines it.
type CaseHandover struct {
	ID           uuid.UUID  `gorm:"type:uuid;primaryKey"`
	CaseID       uuid.UUID  `gorm:"type:uuid"`
	FromOrgID    uuid.UUID  `gorm:"type:uuid"`
	ToOrgID      uuid.UUID  `gorm:"type:uuid"`
	RequestedBy  *uuid.UUID `gorm:"type:uuid"`
	Status       HandoverStatus
	Reason       string
	AnswerReason string
	AnsweredBy   *uuid.UUID `gorm:"type:uuid"`
	AnsweredAt   *time.Time
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// HandoverItem is a handover as the lists show it: with the case's reference (which both
// sides may see) and what the viewer may do with it. The receiving organisation sees no
// person data before it accepts (docs/sharing.md).
type HandoverItem struct {
	CaseHandover
	Reference string
	// MayAnswer: the viewer's organisation receives it and may accept or decline it now;
	// MayWithdraw: the viewer's organisation sent it and may withdraw it now.
	MayAnswer, MayWithdraw bool
}

// Handovers are the pending handovers of the viewer's organisation: to it and from it.
type Handovers struct {
	Incoming, Outgoing []HandoverItem
	// Organisations names the organisations of the lists.
	Organisations map[uuid.UUID]string
}

// HandoverForm is the form "Federführung übergeben" of a case: the organisations that may
// lead it, and the pending handover, if any.
type HandoverForm struct {
	CaseID    uuid.UUID
	Reference string
	Version   int
	LeadOrgID uuid.UUID
	// Targets are the active organisations that may lead cases, except the current lead.
	Targets []Organisation
	// Pending is the handover waiting for the receiving organisation's answer.
	Pending *HandoverItem
}

// ResponsibleForm is the form "Zuständigkeit übergeben" of a case: the case's responsible
// caseworker and the colleagues who may take it over.
type ResponsibleForm struct {
	CaseID      uuid.UUID
	Reference   string
	Version     int
	Responsible *uuid.UUID
	// Choices are the active members of the lead organisation holding the caseworker role,
	// by name.
	Choices []Colleague
}

// Colleague is a member of the organisation as a choice list shows them.
type Colleague struct {
	ID   uuid.UUID
	Name string
}

// PersonForm is the form of a person of a household: the case, the person (nil for a new
// one), and what may be done with them.
type PersonForm struct {
	CaseID    uuid.UUID
	Reference string
	Person    *Person
	// MayRemove: not the main person and named by no consent; NamedByConsent says why not.
	MayRemove, NamedByConsent bool
	// MayMakePrimary: not the main person yet.
	MayMakePrimary bool
}
