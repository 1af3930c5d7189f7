package model

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// RoleConflict is one breach of the separation of duties: a user would hold (or holds) Role
// in one organisation and With, a role incompatible with it, in another or the same one.
// Role is the side that reaches case content, With the side that must not (or the other way
// round, as the check found it); the names are filled in for messages where known.
type RoleConflict struct {
	UserID      uuid.UUID
	Role        Role
	OrgID       uuid.UUID
	OrgName     string
	With        Role
	WithOrgID   uuid.UUID
	WithOrgName string
}

// RoleConflictError refuses a change that would breach the separation of duties. It
// unwraps to ErrConflict; the API and the pages render it with the code "role_conflict",
// naming the roles.
type RoleConflictError struct {
	Conflicts []RoleConflict
}

// Code is the stable code of the refusal in the API's error body.
const CodeRoleConflict = "role_conflict"

func (e *RoleConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = fmt.Sprintf("%s in %s conflicts with %s in %s", c.Role, c.OrgID, c.With, c.WithOrgID)
	}
	return "role conflict (separation of duties): " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *RoleConflictError) Unwrap() error { return ErrConflict }
