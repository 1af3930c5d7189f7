package model

import (
	"time"

	"github.com/google/uuid"
)

// TaskPage is the page of one task: the task as the viewer may see it (its case named
// through the case mask), its comments, its history read from the task's audit events, the
// names of the people it mentions that the viewer may know, and what the viewer may do next.
type TaskPage struct {
	Task Task
	// OrgName names the organisation that works the task.
	OrgName string
	// Comments, oldest first.
	Comments []TaskComment
	// History is what happened to the task, oldest first.
	History []TaskHistoryEntry
	// People names the accounts the page mentions (assignee, authors, who changed the task)
	// that belong to the viewer's organisation: colleagues' names are staff data of the own
	// organisation. Others stay unnamed and are shown by their organisation (Orgs).
	People map[uuid.UUID]string
	// Orgs names the organisations the page mentions.
	Orgs map[uuid.UUID]string
	// Areas are the configured areas, for the edit form.
	Areas []Area
	// May is what the viewer may do next.
	May TaskCapabilities
	// FollowUp is the viewer's own open follow-up on this task, or nil.
	FollowUp *FollowUp
}

// TaskCapabilities are the actions a viewer may take on a task, decided by the service.
type TaskCapabilities struct {
	// Edit: change title, description, area, due date, priority and status; Comment: add a
	// comment (both need task.update on this task).
	Edit, Comment bool
	// StatusNext are the statuses the task may move to (empty without Edit).
	StatusNext []string
}

// TaskHistoryKind names the kinds of history entries of a task.
type TaskHistoryKind string

// The kinds of task history entries.
const (
	TaskHistoryCreated    TaskHistoryKind = "created"
	TaskHistoryChanged    TaskHistoryKind = "changed"
	TaskHistoryStatus     TaskHistoryKind = "status"
	TaskHistoryReassigned TaskHistoryKind = "reassigned"
	TaskHistoryComment    TaskHistoryKind = "comment"
	TaskHistoryCancelled  TaskHistoryKind = "cancelled"
)

// TaskHistoryKinds lists every kind; each has a name in the UI's catalogues.
var TaskHistoryKinds = []TaskHistoryKind{TaskHistoryCreated, TaskHistoryChanged, TaskHistoryStatus, TaskHistoryReassigned, TaskHistoryComment, TaskHistoryCancelled}

// TaskHistoryEntry is one event of a task's history.
type TaskHistoryEntry struct {
	Kind TaskHistoryKind
	At   time.Time
	// ActorID and OrgID are who did it, in which organisation; System is set for what Lotse
	// did itself (a task cancelled because the referral it hung on ended).
	ActorID *uuid.UUID
	OrgID   *uuid.UUID
	System  bool
	// Fields are the changed fields of a change (title, description, area, due_date,
	// priority); Status the new status of a status change or creation.
	Fields []string
	Status TaskStatus
	// AssigneeID and AssigneeOrgID are the new assignee of a creation or reassignment.
	AssigneeID    *uuid.UUID
	AssigneeOrgID *uuid.UUID
}

// TaskForm is the form of a new task: the case it is for (when one), the areas to choose
// from, and who may be given the task.
type TaskForm struct {
	// CaseID and Case name the task's case, through the case mask; nil without a case.
	CaseID *uuid.UUID
	Case   *CaseLabel
	Areas  []Area
	// Assignees are the members of the viewer's organisation who may work tasks (their
	// names only), by name.
	Assignees []TaskAssignee
	// Queues are the organisations whose queue the task may go to without a person: the
	// viewer's own first, then (on a case the viewer's organisation leads) the organisations
	// the case is referred to with an active referral.
	Queues []Organisation
}

// TaskAssignee is a person a task may be given to.
type TaskAssignee struct {
	UserID uuid.UUID
	Name   string
}
