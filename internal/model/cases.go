package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Date is a calendar day (birth date, deadline, consent validity), without time or zone.
// It is stored as a Postgres date and written as YYYY-MM-DD.
type Date = time.Time

// CaseStatus is the life cycle of a case.
type CaseStatus string

// The case states.
const (
	CaseOpen   CaseStatus = "open"
	CasePaused CaseStatus = "paused"
	CaseClosed CaseStatus = "closed"
)

// caseTransitions lists, for every state, the states a case may move to.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseOpen:   {CasePaused, CaseClosed},
	CasePaused: {CaseOpen, CaseClosed},
	CaseClosed: {CaseOpen},
}

// CanTransition reports whether a case may move from s to to.
func (s CaseStatus) CanTransition(to CaseStatus) bool { return slices.Contains(caseTransitions[s], to) }

// Valid reports whether s is a state of a case at all.
func (s CaseStatus) Valid() bool {
	_, ok := caseTransitions[s]
	return ok
}

// Case is the integration case of a person or household.
type Case struct {
	ID                uuid.UUID `gorm:"type:uuid;primaryKey"`
	Reference         string
	LeadOrgID         uuid.UUID  `gorm:"type:uuid"`
	ResponsibleUserID *uuid.UUID `gorm:"type:uuid"`
	Status            CaseStatus
	StatusReason      string
	District          string
	OpenedAt          time.Time
	ClosedAt          *time.Time
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Person is a member of a case's household. Only what the work needs.
type Person struct {
	ID              uuid.UUID `gorm:"type:uuid;primaryKey"`
	CaseID          uuid.UUID `gorm:"type:uuid"`
	IsPrimary       bool
	FamilyName      string
	GivenNames      string
	NameVariants    StringList `gorm:"type:text[]"`
	BirthDate       *Date      `gorm:"type:date"`
	Languages       StringList `gorm:"type:text[]"`
	ArrivalDate     *Date      `gorm:"type:date"`
	ResidenceStatus string
	District        string
	Phone           string
	Email           string
	Address         string
	SearchText      string
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DataCategory groups person fields for consent: a partner sees a category only if the
// consent behind its referral names it.
type DataCategory string

// The data categories of person fields.
const (
	// CategoryIdentity: family name, given names, name variants, date of birth.
	CategoryIdentity DataCategory = "identity"
	// CategoryContact: phone, e-mail, address.
	CategoryContact DataCategory = "contact"
	// CategoryResidence: residence status, arrival date, district.
	CategoryResidence DataCategory = "residence"
	// CategoryLanguages: the languages spoken.
	CategoryLanguages DataCategory = "languages"
)

// DataCategories lists every category.
var DataCategories = []DataCategory{CategoryIdentity, CategoryContact, CategoryResidence, CategoryLanguages}

// Valid reports whether c is a known category.
func (c DataCategory) Valid() bool { return slices.Contains(DataCategories, c) }

// AreaStatusValue is the state of one area of a plan.
type AreaStatusValue string

// The area states.
const (
	AreaNotStarted AreaStatusValue = "not_started"
	AreaInProgress AreaStatusValue = "in_progress"
	AreaWaiting    AreaStatusValue = "waiting"
	AreaAchieved   AreaStatusValue = "achieved"
	AreaNotNeeded  AreaStatusValue = "not_needed"
)

// AreaStatusValues lists every area state in display order.
var AreaStatusValues = []AreaStatusValue{AreaNotStarted, AreaInProgress, AreaWaiting, AreaAchieved, AreaNotNeeded}

// Valid reports whether v is a known area state.
func (v AreaStatusValue) Valid() bool { return slices.Contains(AreaStatusValues, v) }

// Area is one configurable area (Handlungsfeld).
type Area struct {
	Code     string `gorm:"primaryKey"`
	NameDE   string `gorm:"column:name_de"`
	NameEN   string `gorm:"column:name_en"`
	Position int
	Active   bool
}

// AreaStatus is one row of a case's integration plan.
type AreaStatus struct {
	CaseID           uuid.UUID `gorm:"type:uuid;primaryKey"`
	Area             string    `gorm:"primaryKey"`
	Status           AreaStatusValue
	ResponsibleOrgID *uuid.UUID `gorm:"type:uuid"`
	Note             string
	ChangedBy        *uuid.UUID `gorm:"type:uuid"`
	ChangedAt        time.Time
	Version          int
}

// Consent is a person's release to share data with named organisations.
type Consent struct {
	ID             uuid.UUID  `gorm:"type:uuid;primaryKey"`
	CaseID         uuid.UUID  `gorm:"type:uuid"`
	PersonID       *uuid.UUID `gorm:"type:uuid"`
	Areas          StringList `gorm:"type:text[]"`
	DataCategories StringList `gorm:"type:text[]"`
	Purpose        string
	ValidFrom      Date `gorm:"type:date"`
	ValidUntil     Date `gorm:"type:date"`
	Evidence       string
	Language       string
	RecordedBy     *uuid.UUID `gorm:"type:uuid"`
	RecordedOrgID  uuid.UUID  `gorm:"type:uuid"`
	RecordedAt     time.Time
	RevokedAt      *time.Time
	RevokedBy      *uuid.UUID `gorm:"type:uuid"`
	Version        int
	// Recipients are the organisations the consent releases data to (consent_recipients).
	Recipients []uuid.UUID `gorm:"-"`
}

// Covers reports whether the consent allows sharing areas with org on day.
func (c *Consent) Covers(org uuid.UUID, areas []string, day Date) bool {
	if c.RevokedAt != nil || day.Before(c.ValidFrom) || day.After(c.ValidUntil) || !slices.Contains(c.Recipients, org) {
		return false
	}
	for _, a := range areas {
		if !slices.Contains(c.Areas, a) {
			return false
		}
	}
	return true
}

// ReferralStatus is the life cycle of a referral.
type ReferralStatus string

// The referral states.
const (
	ReferralSent       ReferralStatus = "sent"
	ReferralAccepted   ReferralStatus = "accepted"
	ReferralDeclined   ReferralStatus = "declined"
	ReferralInProgress ReferralStatus = "in_progress"
	ReferralCompleted  ReferralStatus = "completed"
	ReferralWithdrawn  ReferralStatus = "withdrawn"
	ReferralExpired    ReferralStatus = "expired"
	ReferralRevoked    ReferralStatus = "revoked"
)

// ReferralStatuses lists every referral state.
var ReferralStatuses = []ReferralStatus{ReferralSent, ReferralAccepted, ReferralDeclined, ReferralInProgress, ReferralCompleted, ReferralWithdrawn, ReferralExpired, ReferralRevoked}

var referralTransitions = map[ReferralStatus][]ReferralStatus{
	ReferralSent:       {ReferralAccepted, ReferralDeclined, ReferralWithdrawn, ReferralExpired, ReferralRevoked},
	ReferralAccepted:   {ReferralInProgress, ReferralCompleted, ReferralWithdrawn, ReferralRevoked},
	ReferralInProgress: {ReferralCompleted, ReferralWithdrawn, ReferralRevoked},
}

// ActiveReferralStatuses are the states in which the recipient works with the case.
var ActiveReferralStatuses = []ReferralStatus{ReferralSent, ReferralAccepted, ReferralInProgress}

// CanTransition reports whether a referral may move from s to to.
func (s ReferralStatus) CanTransition(to ReferralStatus) bool {
	return slices.Contains(referralTransitions[s], to)
}

// Active reports whether the recipient currently has access through the referral.
func (s ReferralStatus) Active() bool { return slices.Contains(ActiveReferralStatuses, s) }

// Referral is a referral of a case, for some areas, from one organisation to another.
type Referral struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	Reference  string
	CaseID     uuid.UUID  `gorm:"type:uuid"`
	FromOrgID  uuid.UUID  `gorm:"type:uuid"`
	ToOrgID    uuid.UUID  `gorm:"type:uuid"`
	Areas      StringList `gorm:"type:text[]"`
	Message    string
	ReplyDue   Date `gorm:"type:date"`
	Status     ReferralStatus
	ConsentID  *uuid.UUID `gorm:"type:uuid"`
	LegalBasis string
	// LegalBasisCategories are the person data categories the legal basis releases to the
	// recipient, recorded from the configured list when the referral is sent.
	LegalBasisCategories StringList `gorm:"type:text[]"`
	Reply                string
	Outcome              string
	SentBy               *uuid.UUID `gorm:"type:uuid"`
	AnsweredBy           *uuid.UUID `gorm:"type:uuid"`
	// AssigneeID is who answers the referral in the receiving organisation: the member who
	// accepted it, or whom the department head named (referral.reassign).
	AssigneeID *uuid.UUID `gorm:"type:uuid"`
	AnsweredAt *time.Time
	ClosedAt   *time.Time
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Case names the referral's case in lists, as far as the reader may see it; nil where the
	// reader does not reach the case. Filled by the service's list reads, not stored.
	Case *CaseLabel `gorm:"-"`
	// Contacts are the contact persons of both sides, filled by Referrals.Get (staff.go).
	Contacts *ReferralContacts `gorm:"-"`
}

// Transition moves the referral to `to`, or returns a *TransitionError naming the allowed states.
func (r *Referral) Transition(to ReferralStatus) error {
	if !r.Status.CanTransition(to) {
		return transitionError("referral", string(r.Status), string(to), referralTransitions[r.Status])
	}
	r.Status = to
	return nil
}

// TaskStatus is the life cycle of a task.
type TaskStatus string

// The task states.
const (
	TaskOpen       TaskStatus = "open"
	TaskInProgress TaskStatus = "in_progress"
	TaskWaiting    TaskStatus = "waiting"
	TaskDone       TaskStatus = "done"
	TaskCancelled  TaskStatus = "cancelled"
)

// TaskStatuses lists every task state.
// TaskStatusReason is a code saying why the system closed a task; the UI translates it.
type TaskStatusReason string

// TaskReasonAccessEnded: the referral the task hung on ended (consent revoked, referral
// withdrawn, declined, completed or expired), so its organisation lost access to the case
// and its open task was cancelled ("Zugang beendet").
const TaskReasonAccessEnded TaskStatusReason = "access_ended"

var TaskStatuses = []TaskStatus{TaskOpen, TaskInProgress, TaskWaiting, TaskDone, TaskCancelled}

var taskTransitions = map[TaskStatus][]TaskStatus{
	TaskOpen:       {TaskInProgress, TaskWaiting, TaskDone, TaskCancelled},
	TaskInProgress: {TaskOpen, TaskWaiting, TaskDone, TaskCancelled},
	TaskWaiting:    {TaskOpen, TaskInProgress, TaskDone, TaskCancelled},
	TaskDone:       {TaskOpen},
	TaskCancelled:  {TaskOpen},
}

// CanTransition reports whether a task may move from s to to.
func (s TaskStatus) CanTransition(to TaskStatus) bool { return slices.Contains(taskTransitions[s], to) }

// Closed reports whether the task is finished (done or cancelled).
func (s TaskStatus) Closed() bool { return slices.Contains(ClosedTaskStatuses, s) }

// ClosedTaskStatuses are the states in which a task is finished: it no longer counts as
// open, overdue or due, and gives its organisation no access to the case.
var ClosedTaskStatuses = []TaskStatus{TaskDone, TaskCancelled}

// TaskPriority orders tasks.
type TaskPriority string

// The task priorities.
const (
	PriorityLow    TaskPriority = "low"
	PriorityNormal TaskPriority = "normal"
	PriorityHigh   TaskPriority = "high"
	PriorityUrgent TaskPriority = "urgent"
)

// TaskPriorities lists every priority.
var TaskPriorities = []TaskPriority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Task is a piece of work for an organisation and optionally one person in it.
type Task struct {
	ID          uuid.UUID  `gorm:"type:uuid;primaryKey"`
	OrgID       uuid.UUID  `gorm:"type:uuid"`
	AssigneeID  *uuid.UUID `gorm:"type:uuid"`
	CaseID      *uuid.UUID `gorm:"type:uuid"`
	Area        *string
	ReferralID  *uuid.UUID `gorm:"type:uuid"`
	Title       string
	Description string
	DueDate     *Date `gorm:"type:date"`
	Priority    TaskPriority
	Status      TaskStatus
	// StatusReason says why the system closed the task (TaskReasonAccessEnded), empty when
	// people closed it.
	StatusReason TaskStatusReason
	CreatedBy    *uuid.UUID `gorm:"type:uuid"`
	DoneAt       *time.Time
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Case names the task's case in lists, as far as the reader may see it; nil without a
	// case or where the reader does not reach it. Filled by the service's list reads.
	Case *CaseLabel `gorm:"-"`
}

// TaskComment is a comment on a task.
type TaskComment struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey"`
	TaskID    uuid.UUID  `gorm:"type:uuid"`
	AuthorID  *uuid.UUID `gorm:"type:uuid"`
	OrgID     uuid.UUID  `gorm:"type:uuid"`
	Body      string
	CreatedAt time.Time
}

// NoteVisibility says who reads a note.
type NoteVisibility string

// The note visibilities.
const (
	// NoteOrg: only the author's organisation.
	NoteOrg NoteVisibility = "org"
	// NoteShared: also the organisations involved in the note's area of the case.
	NoteShared NoteVisibility = "shared"
)

// Note is a journal entry on a case.
type Note struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	CaseID     uuid.UUID `gorm:"type:uuid"`
	Area       *string
	OrgID      uuid.UUID  `gorm:"type:uuid"`
	AuthorID   *uuid.UUID `gorm:"type:uuid"`
	Visibility NoteVisibility
	Body       string
	CreatedAt  time.Time
}

func transitionError[T ~string](object, from, to string, allowed []T) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return &TransitionError{Object: object, From: from, To: to, Allowed: names}
}

// RefuseTransition is the *TransitionError for a change of kind ("case", "referral",
// "task") from one state to another that AllowedTransitions does not list.
func RefuseTransition(kind, from, to string) error {
	return &TransitionError{Object: kind, From: from, To: to, Allowed: AllowedTransitions(kind, from)}
}

// AllowedTransitions returns the states reachable from a task, referral or case state, for
// error messages and the UI.
func AllowedTransitions(kind, from string) []string {
	var out []string
	switch kind {
	case "case":
		for _, s := range caseTransitions[CaseStatus(from)] {
			out = append(out, string(s))
		}
	case "referral":
		for _, s := range referralTransitions[ReferralStatus(from)] {
			out = append(out, string(s))
		}
	case "task":
		for _, s := range taskTransitions[TaskStatus(from)] {
			out = append(out, string(s))
		}
	case "handover":
		if HandoverStatus(from) == HandoverRequested {
			out = []string{string(HandoverAccepted), string(HandoverDeclined), string(HandoverWithdrawn)}
		}
	default:
		panic(fmt.Sprintf("model: unknown kind %q", kind))
	}
	return out
}
