package model

import "github.com/google/uuid"

// OrganisationCreate is the input for a new organisation. Server-owned fields (id, version,
// times) are not part of it.
type OrganisationCreate struct {
	ParentID     *uuid.UUID
	Kind         OrgKind
	Name         string
	ShortName    string
	ContactEmail string
	ContactPhone string
}

// OrganisationPatch changes the fields that are set.
type OrganisationPatch struct {
	ParentID     *uuid.UUID
	Kind         *OrgKind
	Name         *string
	ShortName    *string
	ContactEmail *string
	ContactPhone *string
	Active       *bool
	// AllowAdminCasework switches the organisation setting of the same name: system
	// administrators only, partner organisations only.
	AllowAdminCasework *bool
}

// MemberCreate is the input for a new account together with its first grant.
type MemberCreate struct {
	Issuer      string
	Subject     string // empty: pre-provisioned by e-mail, linked at first sign-in
	Email       string
	DisplayName string
	Service     bool
	OrgID       uuid.UUID
	Role        Role
}

// MemberPatch changes the fields that are set.
type MemberPatch struct {
	DisplayName *string
	Email       *string
	Active      *bool
}

// Member is an account with the grants the viewer may see.
type Member struct {
	User   User
	Grants []Grant
}

// GrantCreate gives a user a role in an organisation.
type GrantCreate struct {
	UserID uuid.UUID
	OrgID  uuid.UUID
	Role   Role
}
