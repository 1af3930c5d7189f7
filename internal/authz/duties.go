package authz

import (
	"slices"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// CaseContentObjects are the policy objects that carry case content: a role with any policy
// line on one of them reaches case content.
var CaseContentObjects = []string{"case", "plan", "consent", "referral", "task", "note"}

// Duties is the separation of duties, derived from the policy lines and declared nowhere
// else: a role that may not read case content (administration, data protection, the
// coordination staff's statistics) is never held by a person who also holds a role that may,
// in any organisation. The one exception is the organisation administrator of a partner
// organisation that allows its administrator case work (Organisation.AllowsAdminCasework),
// and then only for roles in that same organisation.
type Duties struct {
	content map[model.Role]bool
}

// DeriveDuties reads from the policy lines (role, class, object, action, scope) which roles
// reach case content.
func DeriveDuties(rules [][]string) Duties {
	d := Duties{content: map[model.Role]bool{}}
	for _, r := range rules {
		if slices.Contains(CaseContentObjects, r[2]) {
			d.content[model.Role(r[0])] = true
		}
	}
	return d
}

// CaseContent reports whether role r reaches case content.
func (d Duties) CaseContent(r model.Role) bool { return d.content[r] }

// Incompatible reports whether one person may not hold both a and b: exactly one of them
// reaches case content.
func (d Duties) Incompatible(a, b model.Role) bool { return d.content[a] != d.content[b] }

// Waivable reports whether an incompatible pair may be allowed by an organisation for its own
// administrator: the pair of org_admin and a case-content role.
func (d Duties) Waivable(a, b model.Role) bool {
	return d.Incompatible(a, b) && (a == model.RoleOrgAdmin || b == model.RoleOrgAdmin)
}

// Pairs lists every incompatible pair, the role without case content first, in the order of
// model.Roles.
func (d Duties) Pairs() [][2]model.Role {
	var out [][2]model.Role
	for _, a := range model.Roles {
		if d.content[a] {
			continue
		}
		for _, b := range model.Roles {
			if d.content[b] {
				out = append(out, [2]model.Role{a, b})
			}
		}
	}
	return out
}

// ContentRoles lists the roles that reach case content, in the order of model.Roles.
func (d Duties) ContentRoles() []model.Role {
	var out []model.Role
	for _, r := range model.Roles {
		if d.content[r] {
			out = append(out, r)
		}
	}
	return out
}

// Allows reports whether an organisation allows its administrator case work in it.
type Allows func(org uuid.UUID) bool

// clash reports whether grants g and h of one person breach the separation of duties.
func (d Duties) clash(g, h model.Grant, allows Allows) bool {
	if !d.Incompatible(g.Role, h.Role) {
		return false
	}
	if d.Waivable(g.Role, h.Role) && g.OrgID == h.OrgID && allows != nil && allows(g.OrgID) {
		return false
	}
	return true
}

// Against lists the conflicts that grant g would have with the grants held (of the same
// person): Role is g's role, With the held one. A held grant equal to g is ignored.
func (d Duties) Against(held []model.Grant, g model.Grant, allows Allows) []model.RoleConflict {
	var out []model.RoleConflict
	for _, h := range held {
		if h.OrgID == g.OrgID && h.Role == g.Role {
			continue
		}
		if d.clash(g, h, allows) {
			out = append(out, model.RoleConflict{UserID: g.UserID, Role: g.Role, OrgID: g.OrgID, With: h.Role, WithOrgID: h.OrgID})
		}
	}
	return out
}

// Conflicts lists every breach among the grants (of any number of people): one entry per
// pair, Role the case-content side, With the other, ordered as the grants are.
func (d Duties) Conflicts(grants []model.Grant, allows Allows) []model.RoleConflict {
	byUser := map[uuid.UUID][]model.Grant{}
	var users []uuid.UUID
	for _, g := range grants {
		if _, seen := byUser[g.UserID]; !seen {
			users = append(users, g.UserID)
		}
		byUser[g.UserID] = append(byUser[g.UserID], g)
	}
	var out []model.RoleConflict
	for _, u := range users {
		gs := byUser[u]
		for _, g := range gs {
			if !d.content[g.Role] {
				continue
			}
			for _, h := range gs {
				if d.clash(g, h, allows) {
					out = append(out, model.RoleConflict{UserID: u, Role: g.Role, OrgID: g.OrgID, With: h.Role, WithOrgID: h.OrgID})
				}
			}
		}
	}
	return out
}

// Withhold splits grants into those that count and those withheld because they breach the
// separation of duties: of every conflicting pair the case-content grant is withheld, so
// that a combination stored before the rule was enforced never gives case content to
// someone who administers or audits. The conflicts are returned for the log.
func (d Duties) Withhold(grants []model.Grant, allows Allows) (kept []model.Grant, conflicts []model.RoleConflict) {
	conflicts = d.Conflicts(grants, allows)
	if len(conflicts) == 0 {
		return grants, nil
	}
	drop := map[[3]string]bool{}
	for _, c := range conflicts {
		drop[[3]string{c.UserID.String(), c.OrgID.String(), string(c.Role)}] = true
	}
	for _, g := range grants {
		if !drop[[3]string{g.UserID.String(), g.OrgID.String(), string(g.Role)}] {
			kept = append(kept, g)
		}
	}
	return kept, conflicts
}
