package model

import (
	"time"

	"github.com/google/uuid"
)

// PersonInput is a person of a household as entered: on a new case (the primary person and
// further members) and when a member is added. Server-owned fields (id, case, version,
// search text, times) are not part of it.
type PersonInput struct {
	FamilyName      string
	GivenNames      string
	NameVariants    []string // transliteration variants of the names ("Muhammad", "Mohammed")
	BirthDate       *Date
	Languages       []string // ISO 639 codes ("ar", "uk", "fa")
	ArrivalDate     *Date
	ResidenceStatus string
	District        string
	Phone           string
	Email           string
	Address         string
}

// CaseCreate is the input for a new case. The lead organisation is always the acting
// organisation, the status is open, the reference and version are the server's: none of them
// can be set.
type CaseCreate struct {
	// ResponsibleUserID is the responsible caseworker, a member of the lead organisation;
	// nil: the acting user.
	ResponsibleUserID *uuid.UUID
	// District of the case; empty: the primary person's district.
	District string
	Primary  PersonInput
	// Members are further persons of the household.
	Members []PersonInput
}

// CasePatch changes the fields that are set. The lead organisation and the reference cannot
// be changed; the status only along the allowed transitions.
type CasePatch struct {
	Status *CaseStatus
	// StatusReason says why a case is paused or closed; closing requires one.
	StatusReason      *string
	ResponsibleUserID *uuid.UUID
	District          *string
}

// PersonPatch changes the fields that are set. For BirthDate and ArrivalDate a zero date
// clears the field.
type PersonPatch struct {
	FamilyName      *string
	GivenNames      *string
	NameVariants    *[]string
	BirthDate       *Date
	Languages       *[]string
	ArrivalDate     *Date
	ResidenceStatus *string
	District        *string
	Phone           *string
	Email           *string
	Address         *string
}

// AreaStatusPatch changes one area of a case's plan. Who changed it and when are set by the
// server.
type AreaStatusPatch struct {
	Status *AreaStatusValue
	// ResponsibleOrgID names the responsible organisation; uuid.Nil clears it.
	ResponsibleOrgID *uuid.UUID
	Note             *string
}

// NoteCreate is the input for a new note. Notes are not edited: a correction is a new note.
type NoteCreate struct {
	// Area tags the note; empty for none. A shared note needs an area.
	Area string
	// Visibility is NoteOrg (default) or NoteShared.
	Visibility NoteVisibility
	Body       string
}

// CaseFilter narrows a case list. Every filter is optional; they combine with AND.
type CaseFilter struct {
	// Q searches the names of the household, fuzzy and across transliterations. It finds
	// only cases whose identity data the actor may see.
	Q string
	// Reference matches a reference number exactly or by its beginning ("F-2026-001").
	Reference string
	Status    CaseStatus
	// Area with AreaStatus: cases having that area in that state (e.g. housing, waiting);
	// Area alone: cases having that area in their plan.
	Area       string
	AreaStatus AreaStatusValue
	LeadOrgID  *uuid.UUID
	// Cursor continues a list where the previous page ended (Page.NextCursor); opaque.
	Cursor string
	// Limit is the page size, 1 to 100; 0 means 25.
	Limit int
	ListOrder
}

// CaseAccess says how much of a case the actor sees, and why. Exactly one of Full,
// ReferredAreas (non-empty) and SummaryOnly describes it.
type CaseAccess struct {
	// Full: the actor's organisation (or one below it, for a department head) leads the case.
	Full bool
	// ReferredAreas are the areas of the actor organisations' active, covered referrals: the
	// plan rows and shared notes the actor sees.
	ReferredAreas []string
	// PersonCategories are the person data categories released for every person of the
	// household: all for Full; for a referral the consents' categories (identity for a
	// referral on a legal basis).
	PersonCategories []DataCategory
	// PersonOnly are categories released for one person only, by a consent given for that
	// person.
	PersonOnly map[uuid.UUID][]DataCategory
	// SummaryOnly: the actor reaches the case only through an open task: no persons, no plan.
	SummaryOnly bool
	// Emergency: the actor reaches the case only through an emergency access
	// (EmergencyAccess): Full for reading, nothing to change.
	Emergency bool
}

// CategoriesFor returns the categories released for person id.
func (a CaseAccess) CategoriesFor(id uuid.UUID) []DataCategory {
	out := append([]DataCategory(nil), a.PersonCategories...)
	for _, c := range a.PersonOnly[id] {
		if !containsCategory(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func containsCategory(l []DataCategory, c DataCategory) bool {
	for _, x := range l {
		if x == c {
			return true
		}
	}
	return false
}

// CaseView is a case as one actor may see it: what every read path (single read, list,
// search, export) returns. Fields outside the actor's access are zero: persons only with the
// released categories, plan rows only of the referred areas, neither for a summary.
type CaseView struct {
	ID                uuid.UUID
	Reference         string
	Status            CaseStatus
	LeadOrgID         uuid.UUID
	ResponsibleUserID *uuid.UUID
	OpenedAt          time.Time
	ClosedAt          *time.Time
	UpdatedAt         time.Time
	Version           int
	// StatusReason is shown with full access only.
	StatusReason string
	// District is shown with full access or the residence category.
	District string
	// Persons of the household, masked; primary person first. A person without any released
	// category is left out.
	Persons []Person
	// Plan rows the actor may see, in area order.
	Plan   []AreaStatus
	Access CaseAccess
}

// TableName names the table; GORM would guess "people".
func (Person) TableName() string { return "persons" }

// CaseLabel is how a list names a case: its reference and, where the viewer may see the
// identity, the main person's name and the household size, through the same field mask as
// the case page (CaseView).
type CaseLabel struct {
	Reference string
	// Name is the main person's name ("Family, Given"); empty when the mask hides it.
	Name string
	// NameHidden: the viewer reaches the case but may not see the main person's identity.
	NameHidden bool
	// HouseholdSize is the number of persons, 0 when the viewer may not see every person's
	// identity (then the count itself is not released).
	HouseholdSize int
}

// Label names the case as this view may: the main person's name where the identity is
// released for them, the household size where it is released for everyone.
func (v CaseView) Label() CaseLabel {
	l := CaseLabel{Reference: v.Reference, NameHidden: true}
	for _, p := range v.Persons {
		if p.IsPrimary && containsCategory(v.Access.CategoriesFor(p.ID), CategoryIdentity) {
			l.Name, l.NameHidden = PersonName(p.FamilyName, p.GivenNames), false
		}
	}
	if v.Access.Full || containsCategory(v.Access.PersonCategories, CategoryIdentity) {
		l.HouseholdSize = len(v.Persons)
	}
	return l
}

// PersonName is how Lotse writes a person's name: "Family, Given" (the given names left out
// when there are none).
func PersonName(family, given string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return family + ", " + given
}
