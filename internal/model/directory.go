package model

import (
	"time"

	"github.com/google/uuid"
)

// OrgKind is the kind of an organisation. Municipal departments lead cases; the other kinds are
// partners that see only what is referred to them.
type OrgKind string

// The organisation kinds.
const (
	OrgMunicipal    OrgKind = "municipal"
	OrgJobcenter    OrgKind = "jobcenter"
	OrgWelfare      OrgKind = "welfare"
	OrgSchool       OrgKind = "school"
	OrgCivilSociety OrgKind = "civil_society"
)

// OrgKinds lists every kind in display order.
var OrgKinds = []OrgKind{OrgMunicipal, OrgJobcenter, OrgWelfare, OrgSchool, OrgCivilSociety}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Class is the policy's coarse view of an organisation: municipal or partner.
func (k OrgKind) Class() OrgClass {
	if k == OrgMunicipal {
		return ClassMunicipal
	}
	return ClassPartner
}

// OrgClass groups organisation kinds for the policy: a partner is any non-municipal kind.
type OrgClass string

// The organisation classes used in policies/policy.csv.
const (
	ClassMunicipal OrgClass = "municipal"
	ClassPartner   OrgClass = "partner"
)

// Organisation is a node in the tree of organisations (city, department, unit, partner).
type Organisation struct {
	ID           uuid.UUID  `gorm:"type:uuid;primaryKey"`
	ParentID     *uuid.UUID `gorm:"type:uuid"`
	Kind         OrgKind
	Name         string
	ShortName    string
	ContactEmail string
	ContactPhone string
	Active       bool
	// AllowAdminCasework lets the organisation's administrators also hold case-content roles
	// in it (a small partner whose administrator is also a counsellor). Only the system
	// administrator switches it, only for partner organisations; see AllowsAdminCasework.
	AllowAdminCasework bool
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// AllowsAdminCasework reports whether the organisation's administrators may also hold
// case-content roles in it: the setting is on and the organisation is a partner. A municipal
// department never allows it, whatever is stored.
func (o Organisation) AllowsAdminCasework() bool {
	return o.AllowAdminCasework && o.Kind.Class() == ClassPartner
}

// Role is what a user may do in an organisation.
type Role string

// The roles. A partner is a caseworker in an organisation of a partner kind.
const (
	RoleCaseworker  Role = "caseworker"
	RoleLead        Role = "lead"
	RoleCoordinator Role = "coordinator"
	RoleOrgAdmin    Role = "org_admin"
	RoleSysadmin    Role = "sysadmin"
	RoleDPO         Role = "dpo"
)

// Roles lists every role in display order.
var Roles = []Role{RoleCaseworker, RoleLead, RoleCoordinator, RoleOrgAdmin, RoleSysadmin, RoleDPO}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// User is an account, keyed by (Issuer, Subject) of its identity provider. Subject is nil for
// an account pre-provisioned by e-mail until its first sign-in links it.
type User struct {
	ID          uuid.UUID `gorm:"type:uuid;primaryKey"`
	Issuer      string
	Subject     *string
	Email       string
	DisplayName string
	// BusinessPhone and BusinessEmail are the member's business contact data, shown to
	// colleagues and to the other side of a referral; empty when not recorded. Email above is
	// the sign-in address and is never shown as contact data.
	BusinessPhone string
	BusinessEmail string
	// Language is the language of the member's e-mails ("de" or "en").
	Language    string `gorm:"default:de"`
	Active      bool
	Service     bool
	LastLoginAt *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// BusinessContact is what a member changes of their own business contact data (the page
// "Meine Kontaktdaten"): both fields as they are to be stored, empty for "not recorded".
type BusinessContact struct {
	Phone string
	Email string
}

// Grant gives a user a role in an organisation.
type Grant struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID    uuid.UUID `gorm:"type:uuid"`
	OrgID     uuid.UUID `gorm:"type:uuid"`
	Role      Role
	GrantedBy *uuid.UUID `gorm:"type:uuid"`
	CreatedAt time.Time
}

// TableName keeps the table name explicit; GORM would guess "grants".
func (Grant) TableName() string { return "role_grants" }

// NewID returns a new UUIDv7: ids in URLs reveal neither counts nor order of creation to
// people, yet index well.
func NewID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}
