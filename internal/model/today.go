package model

import (
	"time"

	"github.com/google/uuid"
)

// The start page ("Mein Tag") is a worklist of the acting organisation and role, read in one
// service call (service.Today.Worklist). Each section is present only when the actor's
// permissions in the acting organisation allow it; a section the role may not see is nil,
// not empty.

// WorklistLimit is how many rows a section of the start page lists at most; its Total counts
// all, and the page links the full list.
const WorklistLimit = 10

// WorklistWeekDays is the length of "due this week": the days after today up to today plus
// six, a rolling week (follow-ups, Wiedervorlagen, do not exist yet; this is their stand-in).
const WorklistWeekDays = 7

// WorklistReplyDays is how far back the replies to the organisation's referrals reach.
const WorklistReplyDays = 14

// WorklistCaseDays is how far back "recently changed cases" reach.
const WorklistCaseDays = 7

// WorklistRepliedStatuses are the states of a referral that the recipient has answered:
// accepted, declined, begun or completed.
var WorklistRepliedStatuses = []ReferralStatus{ReferralAccepted, ReferralDeclined, ReferralInProgress, ReferralCompleted}

// Section is one section of the start page: at most WorklistLimit items and the number of all.
type Section[T any] struct {
	Items []T
	Total int
}

// RecentCase is a case in "recently changed cases": named as the viewer may see it.
type RecentCase struct {
	ID        uuid.UUID
	Label     CaseLabel
	Status    CaseStatus
	UpdatedAt time.Time
}

// TeamSummary is the department head's team in figures (the dashboard's aggregates): open
// and overdue tasks, tasks without anybody, and the active referrals going out of and into
// the team. Referrals is false when the head may not read referrals (then their figures are 0).
type TeamSummary struct {
	OpenTasks, OverdueTasks, UnassignedTasks int
	Referrals                                bool
	OutgoingOpen, OutgoingOverdue            int
	IncomingOpen, IncomingOverdue            int
}

// WorklistLink names a page a role without case content on the start page is sent to.
type WorklistLink string

// The link cards of the start page.
const (
	LinkStatistics     WorklistLink = "statistics"
	LinkAdministration WorklistLink = "administration"
	LinkAuditLog       WorklistLink = "audit_log"
	LinkRetention      WorklistLink = "retention"
	// LinkPrivacy is the data protection officer's start page (/datenschutz), which stands for
	// LinkAuditLog and LinkRetention too.
	LinkPrivacy WorklistLink = "privacy"
)

// Worklist is the start page of one actor.
type Worklist struct {
	// Today is the calendar day (Europe/Berlin) as midnight UTC; WeekEnd the last day of
	// DueThisWeek.
	Today, WeekEnd time.Time
	// Overdue, DueToday and DueThisWeek are the open tasks of the acting organisation
	// assigned to the actor or to nobody (as on "Meine Aufgaben"), by due date: before today,
	// today, and from tomorrow to WeekEnd. Present for those who work tasks (task.update).
	Overdue, DueToday, DueThisWeek *Section[Task]
	// Incoming are the referrals to the acting organisation still waiting for an answer,
	// the reply deadline first. Present for those who answer referrals (referral.answer).
	Incoming *Section[Referral]
	// Replies are the referrals the acting organisation sent that the recipient answered
	// (WorklistRepliedStatuses) with a change in the last WorklistReplyDays days, newest
	// first. Present for those who send referrals (referral.create).
	Replies *Section[Referral]
	// RecentCases are the cases the actor may read that changed in the last
	// WorklistCaseDays days, newest first (case.read).
	RecentCases *Section[RecentCase]
	// Team is the head's team in figures (task.reassign).
	Team *TeamSummary
	// FollowUps are the actor's own open follow-ups on the cases and tasks the acting
	// membership may read (case.read or task.read), by day (service/followups.go).
	FollowUps *FollowUpSections
	// Links are the pages of roles without case content here: statistics, administration,
	// audit log, each when its permission is granted.
	Links []WorklistLink
	// OrgNames names the organisations on the other side of the referrals listed.
	OrgNames map[uuid.UUID]string
	// Areas are the areas in use, for the names of the areas of the tasks and referrals.
	Areas []Area
}

// ShowsCaseContent reports whether any section lists case content.
func (w *Worklist) ShowsCaseContent() bool {
	return w.FollowUps != nil || w.Overdue != nil || w.DueToday != nil || w.DueThisWeek != nil || w.Incoming != nil || w.Replies != nil || w.RecentCases != nil
}
