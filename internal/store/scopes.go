package store

import (
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// predicate turns one scope kind into one SQL condition on an object's table.
type predicate func(sc model.Scope) (string, []any)

// predicates is the single source of truth for "which records": for each object type and
// scope kind, one SQL condition. List, count, search, export and the single-record check all
// go through visible, so they cannot disagree. A kind missing here reaches nothing.
var predicates = map[string]map[model.ScopeKind]predicate{
	"organisation": {
		model.ScopeAll: func(model.Scope) (string, []any) { return "TRUE", nil },
		model.ScopeOrgTree: func(sc model.Scope) (string, []any) {
			return "organisations.id = ANY(?::uuid[])", []any{uuids(sc.OrgTree)}
		},
		model.ScopeOrg: func(sc model.Scope) (string, []any) { return "organisations.id = ?", []any{sc.OrgID} },
	},
	// A member is a user seen through the organisations where they hold a grant.
	"member": {
		model.ScopeAll: func(model.Scope) (string, []any) { return "TRUE", nil },
		model.ScopeOrgTree: func(sc model.Scope) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants m WHERE m.user_id = users.id AND m.org_id = ANY(?::uuid[]))", []any{uuids(sc.OrgTree)}
		},
		model.ScopeOrg: func(sc model.Scope) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants m WHERE m.user_id = users.id AND m.org_id = ?)", []any{sc.OrgID}
		},
		model.ScopeSelf: func(sc model.Scope) (string, []any) { return "users.id = ?", []any{sc.UserID} },
	},
}

// visible narrows q to the records of sc.Object that sc reaches: the OR of its kinds'
// predicates, or nothing at all.
func visible(q *gorm.DB, sc model.Scope) *gorm.DB {
	preds := predicates[sc.Object]
	var conds []string
	var args []any
	for _, k := range sc.Kinds {
		p, ok := preds[k]
		if !ok {
			continue
		}
		c, a := p(sc)
		conds = append(conds, "("+c+")")
		args = append(args, a...)
	}
	if len(conds) == 0 {
		return q.Where("FALSE") // deny by default
	}
	return q.Where(strings.Join(conds, " OR "), args...)
}

// HasPredicate reports whether the store knows how to filter obj by kind; a test checks that
// every scope used in the policy for a stored object has one.
func HasPredicate(obj string, kind model.ScopeKind) bool {
	_, ok := predicates[obj][kind]
	return ok
}

// uuids renders ids as a Postgres array literal for `= ANY(?::uuid[])`.
func uuids(ids []uuid.UUID) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}
