package model

import (
	"time"

	"github.com/google/uuid"
)

// Follow-up dates (Wiedervorlagen, issue 12): a member brings a case or a task back to
// themself on a day (service/followups.go). A follow-up is the member's own: nobody else sees
// it, sets it or clears it.

// FollowUpMaxWorkingDays bounds "in N working days" (about a year).
const FollowUpMaxWorkingDays = 250

// FollowUpMaxYears bounds how far ahead a follow-up date may lie.
const FollowUpMaxYears = 2

// FollowUpInput sets the actor's follow-up on one record: Object is ObjectCase or
// ObjectTask, ID the record. Either DueOn (a calendar day; the zero time is "not a date") or
// WorkingDays (1..FollowUpMaxWorkingDays working days from today) is given, never both.
type FollowUpInput struct {
	Object      string
	ID          uuid.UUID
	DueOn       *time.Time
	WorkingDays int
}

// FollowUpSet is the answer to setting a follow-up: the follow-up as stored and, when the
// day asked for was no working day (a weekend or a Lower Saxony holiday), Moved with the day
// asked for (Requested); the follow-up then lies on the next working day.
type FollowUpSet struct {
	FollowUp  FollowUp
	Moved     bool
	Requested time.Time
}

// FollowUpItem is an open follow-up on the start page: the task's title (a follow-up on a
// task), and the case the follow-up concerns (the case itself, or the task's case) named
// through the case mask; Case is nil where the viewer may not see the case.
type FollowUpItem struct {
	FollowUp
	TaskTitle  string
	TaskCaseID *uuid.UUID
	Case       *CaseLabel
}

// Object is the type of the record the follow-up is on (ObjectCase or ObjectTask).
func (f FollowUp) Object() string {
	if f.TaskID != nil {
		return ObjectTask
	}
	return ObjectCase
}

// RecordID is the record the follow-up is on.
func (f FollowUp) RecordID() uuid.UUID {
	if f.TaskID != nil {
		return *f.TaskID
	}
	if f.CaseID != nil {
		return *f.CaseID
	}
	return uuid.Nil
}

// FollowUpSections are the start page's follow-ups of the member: before today, today, and
// from tomorrow to the worklist's WeekEnd, each by day.
type FollowUpSections struct {
	Overdue, Today, ThisWeek Section[FollowUpItem]
}
