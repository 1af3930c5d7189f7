package model

import (
	"slices"

	"github.com/google/uuid"
)

// ScopeKind names which records of an object type a permission reaches. The vocabulary is
// small and fixed; each kind is exactly one SQL predicate per object type in the store.
type ScopeKind string

// The scope vocabulary of policies/policy.csv.
const (
	// ScopeAll reaches every record (system administration, audit review; never case content).
	ScopeAll ScopeKind = "all"
	// ScopeOrgTree reaches records of the acting organisation and all organisations below it.
	ScopeOrgTree ScopeKind = "org_tree"
	// ScopeOrg reaches records of the acting organisation.
	ScopeOrg ScopeKind = "org"
	// ScopeReferred reaches records of cases referred to the acting organisation with an
	// active referral covered by consent, limited to the referred areas.
	ScopeReferred ScopeKind = "referred"
	// ScopeAssigned reaches records through a task assigned to the acting organisation.
	ScopeAssigned ScopeKind = "assigned"
	// ScopeSelf reaches the acting user's own record.
	ScopeSelf ScopeKind = "self"
)

// ScopeKinds lists the vocabulary from widest to narrowest.
var ScopeKinds = []ScopeKind{ScopeAll, ScopeOrgTree, ScopeOrg, ScopeReferred, ScopeAssigned, ScopeSelf}

// Valid reports whether k is part of the vocabulary.
func (k ScopeKind) Valid() bool { return slices.Contains(ScopeKinds, k) }

// Scope is the answer to "which records of this object type may the actor reach for this
// action": the union of its kinds, with the facts the predicates need. The zero Scope reaches
// nothing: access is denied unless granted.
type Scope struct {
	Object string
	Action string
	Kinds  []ScopeKind
	UserID uuid.UUID
	OrgID  uuid.UUID
	// OrgTree is OrgID and every organisation below it; filled when Kinds has ScopeOrgTree.
	OrgTree []uuid.UUID
}

// Has reports whether the scope includes kind k.
func (s Scope) Has(k ScopeKind) bool { return slices.Contains(s.Kinds, k) }

// Allowed reports whether the scope reaches anything at all.
func (s Scope) Allowed() bool { return len(s.Kinds) > 0 }

// Actor is who acts: a user, in one chosen organisation, with the roles held there. Every
// service call takes one; the audit trail records it.
type Actor struct {
	UserID     uuid.UUID
	Name       string
	OrgID      uuid.UUID
	OrgKind    OrgKind
	Roles      []Role
	RequestID  string
	RemoteAddr string
	// Purpose says why case content is read, for the audit trail (e.g. "case work",
	// "referral review"); the web layer sets it from the request.
	Purpose string
	// System is set for the directory tool and background jobs, which act without a user.
	System bool
}

// RoleNames joins the actor's roles for the audit trail.
func (a Actor) RoleNames() string {
	s := ""
	for i, r := range a.Roles {
		if i > 0 {
			s += ","
		}
		s += string(r)
	}
	return s
}

// PolicyChannel is the Postgres NOTIFY channel on which grant, organisation and area
// changes are announced, so that every instance reloads its policy and its Catalogue (the
// services announce theirs; triggers on areas and organisations announce any other, migration
// 00037).
const PolicyChannel = "lotse_policy"

// Catalogue is the configuration every page labels with, kept in memory by each instance
// with its policy (authz.Snapshot) and reloaded with it: the active areas in display order and
// every organisation, active or not, by name. It is not case content, and every role that
// reads organisations reads all of them. Its slices are shared: read them, never change them.
type Catalogue struct {
	Areas         []Area
	Organisations []Organisation
}
