package model

import "github.com/google/uuid"

// AdminOverview is what the administration's start page shows an actor: the organisations
// whose members they may see, and whether they may create organisations.
type AdminOverview struct {
	// Organisations are in tree order: each organisation before the ones below it, siblings
	// by name.
	Organisations []AdminOrgEntry
	// CanCreate: the actor may create organisations; Parents are the ones they may put a new
	// organisation below.
	CanCreate bool
	Parents   []Organisation
}

// AdminOrgEntry is an organisation with its depth in the tree as shown (0 for a root, or for
// an organisation whose parent the actor does not administer).
type AdminOrgEntry struct {
	Organisation
	Depth int
}

// AdminOrganisation is the administration page of one organisation: its data, its members
// with their roles, and what the actor may change there.
type AdminOrganisation struct {
	Org Organisation
	// Parent names the parent organisation; nil for a root.
	Parent *Organisation
	// Members hold a role in Org; each with the grants the actor may see (also in other
	// organisations, named in OrgNames).
	Members  []Member
	OrgNames map[uuid.UUID]string
	// CanUpdate: the actor may edit the organisation; Parents are the organisations it may be
	// moved below (empty: the parent stays as it is).
	CanUpdate bool
	Parents   []Organisation
	// CanCreateMember: the actor may create accounts with a role here.
	CanCreateMember bool
	// CanUpdateMembers: the actor may deactivate and reactivate the members.
	CanUpdateMembers bool
	// GrantableRoles are the roles the actor may grant (and take away) in Org, in display
	// order; empty when none.
	GrantableRoles []Role
	// CanAllowAdminCasework: the actor may switch Org's setting AllowAdminCasework (a system
	// administrator, a partner organisation).
	CanAllowAdminCasework bool
}

// AdminGrant is a role grant the actor may take away, with the account and organisation it
// names.
type AdminGrant struct {
	Grant  Grant
	Member User
	Org    Organisation
}
