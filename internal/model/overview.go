package model

import (
	"time"

	"github.com/google/uuid"
)

// The read models of pages: what one screen (or one API call) shows, read by the service in
// one transaction with one audit event, with what the viewer may do next decided by the
// service. The browser UI and the API map the same read model, so both show the same thing.

// CaseOverview is the case page: the case as the viewer may see it, its consents, referrals,
// tasks and notes as far as the viewer may read them, the names of the people mentioned, the
// timeline, and what the viewer may do next.
type CaseOverview struct {
	// Case is the masked case (persons and plan through the same mask as Cases.Get).
	Case CaseView
	// Emergency is the viewer's emergency access when it is what shows the case (the banner
	// of the case's pages), else nil.
	Emergency *EmergencyAccess
	// Consents of the case, newest first; empty unless May.ReadConsents.
	Consents []ConsentItem
	// Referrals of the case the viewer may read, newest first.
	Referrals []ReferralItem
	// Tasks of the case the viewer may read, by due date.
	Tasks []Task
	// Notes of the case the viewer may read, newest first.
	Notes []Note
	// More is set when a list was cut at OverviewLimit (the API's lists give the rest).
	More bool
	// People names the accounts mentioned on the page (responsible caseworker, authors,
	// assignees, who changed a plan row or recorded a consent) that the viewer may see as
	// members; the others stay unnamed.
	People map[uuid.UUID]string
	// Organisations are the organisations the viewer may see (names, and the choices of a
	// plan row's responsible organisation); Areas the areas in use, in display order.
	Organisations []Organisation
	Areas         []Area
	// Timeline is what happened on the case as far as the viewer may see it, newest first.
	Timeline []TimelineEntry
	// May is what the viewer may do next on this case.
	May CaseCapabilities
	// FollowUp is the viewer's own open follow-up on this case, or nil.
	FollowUp *FollowUp
}

// OverviewLimit bounds each list of a case overview (referrals, tasks).
const OverviewLimit = 100

// CaseCapabilities are the actions a viewer may take on a case, decided by the service from
// the policy and the viewer's access to this case. Handlers and templates show what these
// allow and derive nothing themselves; the service still checks every action.
type CaseCapabilities struct {
	// Update: change the case's status, responsible caseworker or district.
	Update bool
	// EditPersons: change, add and remove the persons of the household and mark the main
	// person. HandOverResponsible: give the case to another caseworker of the lead
	// organisation (who may update it, or a department head who may reassign cases).
	// HandOverLead: ask another organisation to take over the lead (not for a closed case).
	EditPersons, HandOverResponsible, HandOverLead bool
	// EditPlan: change the rows of the plan the viewer sees.
	EditPlan bool
	// AddNote: write a note (a partner only for a referred area).
	AddNote bool
	// AddTask: create a task on the case.
	AddTask bool
	// ReadConsents, RecordConsent, RevokeConsent: the consents of the case.
	ReadConsents, RecordConsent, RevokeConsent bool
	// Refer: send the case to another organisation.
	Refer bool
	// NoteAreaRequired: a note needs one of NoteAreas (a partner's notes are about its areas).
	NoteAreaRequired bool
	// NoteAreas are the areas a note may name; StatusNext the statuses the case may move to
	// (empty without Update).
	NoteAreas  []string
	StatusNext []string
}

// ConsentItem is a consent as a page shows it, with what the viewer may do with it.
type ConsentItem struct {
	Consent
	// Valid: neither revoked nor expired today.
	Valid bool
	// MayRevoke: the viewer may revoke it now.
	MayRevoke bool
}

// ReferralItem is a referral as a page shows it, with what the viewer may do with it.
type ReferralItem struct {
	Referral
	// MayAnswer: the viewer's organisation received it and may accept or decline it now;
	// MayWithdraw: the viewer's organisation sent it and may withdraw it now.
	MayAnswer, MayWithdraw bool
}

// TimelineKind names the kinds of timeline entries.
type TimelineKind string

// The kinds of timeline entries.
const (
	TimelineOpened   TimelineKind = "opened"
	TimelineClosed   TimelineKind = "closed"
	TimelinePlan     TimelineKind = "plan"
	TimelineNote     TimelineKind = "note"
	TimelineReferral TimelineKind = "referral"
	TimelineAnswered TimelineKind = "answered"
	TimelineTask     TimelineKind = "task"
)

// TimelineKinds lists the kinds of timeline entries; each has a name in the UI's catalogues.
var TimelineKinds = []TimelineKind{TimelineOpened, TimelineClosed, TimelinePlan, TimelineNote, TimelineReferral, TimelineAnswered, TimelineTask}

// TimelineEntry is one event of a case's timeline. It names its record (a note, referral or
// task of the overview by ID, a plan row by Area); the record holds the details.
type TimelineEntry struct {
	Kind TimelineKind
	At   time.Time
	// ID is the note, referral or task; nil for opened, closed and plan.
	ID *uuid.UUID
	// Area is the plan row of a plan entry.
	Area string
}

// ConsentCovering is the referral form: the case, the organisations and areas to choose from,
// the legal bases, and the valid consents of the case with whether each covers the referral
// being prepared (an organisation and areas, when chosen).
type ConsentCovering struct {
	CaseID    uuid.UUID
	Reference string
	// Org and ChosenAreas are the referral being prepared (nil and empty when not chosen yet).
	Org         *uuid.UUID
	ChosenAreas []string
	// Ready: an organisation the viewer may refer to and at least one area are chosen.
	Ready bool
	// Consents are the consents of the case valid today, newest first, each with Covers.
	Consents []CoveringConsent
	// Organisations the viewer may refer to (active, not the own); Areas in use.
	Organisations []Organisation
	Areas         []Area
	// LegalBases are the names of the configured legal bases a referral may rest on instead.
	LegalBases []string
}

// CoveringConsent is a valid consent with whether it covers the referral being prepared.
type CoveringConsent struct {
	Consent
	Covers bool
}

// Covering returns the consents that cover the referral being prepared.
func (c ConsentCovering) Covering() []Consent {
	var out []Consent
	for _, co := range c.Consents {
		if co.Covers {
			out = append(out, co.Consent)
		}
	}
	return out
}
