package model

import "github.com/google/uuid"

// The create, patch and filter types of consents, referrals and tasks. Server-owned fields
// (ids, references, status, versions, recording and answering users, the lead and the
// sending organisation, times) are deliberately not part of them, so no request can set them.

// ConsentCreate records a consent for a case. The recording user and organisation are the
// actor's.
type ConsentCreate struct {
	// PersonID, when set, names the person of the case who gave the consent.
	PersonID *uuid.UUID
	// Recipients are the organisations the data may be shared with (at least one).
	Recipients []uuid.UUID
	// Areas are the area codes the consent covers (at least one).
	Areas []string
	// DataCategories are the person data categories released (see DataCategories).
	DataCategories []DataCategory
	Purpose        string
	ValidFrom      Date
	ValidUntil     Date
	// Evidence refers to the signed form (file number, archive reference).
	Evidence string
	// Language is the ISO 639 code of the language the consent was explained in.
	Language string
}

// ReferralCreate sends a referral of a case. The sending organisation is always the actor's.
// Cover is a ConsentID naming a consent of the case that covers recipient, areas and today,
// or a LegalBasis from the configured list.
type ReferralCreate struct {
	ToOrgID uuid.UUID
	Areas   []string
	Message string
	// ReplyDays is the reply deadline in working days (Lower Saxony); nil means 10.
	ReplyDays  *int
	ConsentID  *uuid.UUID
	LegalBasis string
}

// ReferralBox chooses the side of a referral list.
type ReferralBox string

// The referral boxes.
const (
	// ReferralsAll lists every referral the actor may see.
	ReferralsAll ReferralBox = ""
	// ReferralsIncoming lists referrals to the actor's organisation, by reply deadline.
	ReferralsIncoming ReferralBox = "incoming"
	// ReferralsOutgoing lists referrals from the actor's organisation, newest first.
	ReferralsOutgoing ReferralBox = "outgoing"
)

// ReferralFilter narrows a referral list. Visibility is applied in any case; the filter
// only narrows further.
type ReferralFilter struct {
	Box    ReferralBox
	Status []ReferralStatus
	CaseID *uuid.UUID
	// Cursor is the opaque NextCursor of the previous page; empty for the first page.
	Cursor string
	// Limit is the page size, 1 to 100; 0 means 25.
	Limit int
	ListOrder
}

// TaskCreate creates a task.
type TaskCreate struct {
	// OrgID is the organisation that works the task (required).
	OrgID       uuid.UUID
	AssigneeID  *uuid.UUID
	CaseID      *uuid.UUID
	Area        *string
	ReferralID  *uuid.UUID
	Title       string
	Description string
	DueDate     *Date
	// Priority is empty for normal.
	Priority TaskPriority
}

// TaskPatch changes the fields that are set. Organisation and assignee change through
// reassignment only.
type TaskPatch struct {
	Title       *string
	Description *string
	DueDate     *Date
	// ClearDueDate removes the due date (DueDate must then be nil).
	ClearDueDate bool
	Priority     *TaskPriority
	Status       *TaskStatus
	// Area sets the task's area; an empty string removes it.
	Area *string
}

// TaskReassign moves a task to an organisation in the department head's subtree and,
// optionally, to one of its members (nil leaves it unassigned).
type TaskReassign struct {
	OrgID      uuid.UUID
	AssigneeID *uuid.UUID
}

// TaskFilter narrows a task list. Visibility is applied in any case; the filter only narrows
// further.
type TaskFilter struct {
	// Mine lists the tasks assigned to the actor.
	Mine bool
	// Queue lists the actor's worklist: the tasks assigned to the actor and the unassigned
	// tasks of the acting organisation.
	Queue      bool
	AssigneeID *uuid.UUID
	// OrgID lists the tasks of one organisation; with Subtree, also of those below it.
	OrgID   *uuid.UUID
	Subtree bool
	Status  []TaskStatus
	// DueBefore and DueAfter bound the due date (inclusive).
	DueBefore *Date
	DueAfter  *Date
	// Overdue lists open tasks whose due date has passed.
	Overdue    bool
	Area       *string
	CaseID     *uuid.UUID
	ReferralID *uuid.UUID
	// Cursor is the opaque NextCursor of the previous page; empty for the first page.
	Cursor string
	// Limit is the page size, 1 to 100; 0 means 25.
	Limit int
	ListOrder
}
