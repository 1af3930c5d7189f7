package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The administration pages' views of the directory. They read what the pages show in one
// snapshot and answer, with the same rules as the changing methods of directory.go, which
// changes the actor may make, so that a page offers only what would succeed.

// reaches reports whether a scope of the directory's objects reaches organisation org.
func reaches(sc model.Scope, org uuid.UUID) bool {
	switch {
	case sc.Has(model.ScopeAll):
		return true
	case sc.Has(model.ScopeOrgTree):
		for _, id := range sc.OrgTree {
			if id == org {
				return true
			}
		}
	}
	return sc.Has(model.ScopeOrg) && sc.OrgID == org
}

// AdminOverview lists the organisations whose members the actor may see (an organisation
// administrator: their own; a system administrator or the data protection officer: all), in
// tree order, and whether the actor may create organisations.
func (d *Directory) AdminOverview(ctx context.Context, a model.Actor) (*model.AdminOverview, error) {
	msc, err := d.require(a, objMember, actRead, false)
	if err != nil {
		return nil, err
	}
	osc, err := d.require(a, objOrganisation, actRead, false)
	if err != nil {
		return nil, err
	}
	csc, err := d.scope(a, objOrganisation, actCreate)
	if err != nil {
		return nil, err
	}
	out := &model.AdminOverview{CanCreate: csc.Allowed()}
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		all, err := tx.Organisations().List(ctx, osc)
		if err != nil {
			return err
		}
		var mine []model.Organisation
		for _, o := range all {
			if reaches(msc, o.ID) {
				mine = append(mine, o)
			}
		}
		out.Organisations = orgTree(mine)
		if out.CanCreate {
			ps, err := tx.Organisations().List(ctx, csc)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Active {
					out.Parents = append(out.Parents, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// orgTree orders organisations as a tree: each before its children, siblings by name. An
// organisation whose parent is not in the list is a root of the list.
func orgTree(orgs []model.Organisation) []model.AdminOrgEntry {
	in := map[uuid.UUID]bool{}
	for _, o := range orgs {
		in[o.ID] = true
	}
	children := map[uuid.UUID][]model.Organisation{}
	var roots []model.Organisation
	for _, o := range orgs {
		if o.ParentID != nil && in[*o.ParentID] {
			children[*o.ParentID] = append(children[*o.ParentID], o)
		} else {
			roots = append(roots, o)
		}
	}
	byName := func(os []model.Organisation) {
		sort.SliceStable(os, func(i, j int) bool { return os[i].Name < os[j].Name })
	}
	var out []model.AdminOrgEntry
	var walk func(os []model.Organisation, depth int)
	walk = func(os []model.Organisation, depth int) {
		byName(os)
		for _, o := range os {
			out = append(out, model.AdminOrgEntry{Organisation: o, Depth: depth})
			if depth < 20 { // the tree is acyclic (UpdateOrganisation refuses cycles); a bound all the same
				walk(children[o.ID], depth+1)
			}
		}
	}
	walk(roots, 0)
	return out
}

// AdminOrganisation is the administration page of one organisation: ErrNotFound unless the
// actor may see its members.
func (d *Directory) AdminOrganisation(ctx context.Context, a model.Actor, id uuid.UUID) (*model.AdminOrganisation, error) {
	msc, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return nil, err
	}
	if !reaches(msc, id) {
		return nil, fmt.Errorf("service: admin organisation: %w", model.ErrNotFound)
	}
	osc, err := d.require(a, objOrganisation, actRead, true)
	if err != nil {
		return nil, err
	}
	usc, err := d.scope(a, objOrganisation, actUpdate)
	if err != nil {
		return nil, err
	}
	mcsc, err := d.scope(a, objMember, actCreate)
	if err != nil {
		return nil, err
	}
	musc, err := d.scope(a, objMember, actUpdate)
	if err != nil {
		return nil, err
	}
	asc, err := d.scope(a, objAdminCasework, actAllow)
	if err != nil {
		return nil, err
	}
	out := &model.AdminOrganisation{OrgNames: map[uuid.UUID]string{}}
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		org, err := tx.Organisations().Get(ctx, osc, id)
		if err != nil {
			return err
		}
		out.Org = *org
		all, err := tx.Organisations().List(ctx, osc)
		if err != nil {
			return err
		}
		for i, o := range all {
			out.OrgNames[o.ID] = o.Name
			if org.ParentID != nil && o.ID == *org.ParentID {
				out.Parent = &all[i]
			}
		}
		users, err := tx.Users().List(ctx, msc, store.MemberFilter{OrgID: &id})
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		grants, err := tx.Grants().ForUsers(ctx, ids)
		if err != nil {
			return err
		}
		byUser := map[uuid.UUID][]model.Grant{}
		for _, g := range grants {
			if d.grantVisible(msc, g) {
				byUser[g.UserID] = append(byUser[g.UserID], g)
			}
		}
		for _, u := range users {
			out.Members = append(out.Members, model.Member{User: u, Grants: byUser[u.ID]})
		}

		out.CanUpdate = reaches(usc, id)
		if out.CanUpdate && (usc.Has(model.ScopeAll) || usc.Has(model.ScopeOrgTree)) {
			below := subtree(all, id)
			for _, o := range all {
				isParent := org.ParentID != nil && o.ID == *org.ParentID
				if !below[o.ID] && reaches(usc, o.ID) && (o.Active || isParent) {
					out.Parents = append(out.Parents, o)
				}
			}
		}
		out.CanAllowAdminCasework = out.CanUpdate && asc.Has(model.ScopeAll) && org.Kind.Class() == model.ClassPartner
		out.CanCreateMember = org.Active && reaches(mcsc, id)
		out.CanUpdateMembers = reaches(musc, id)
		for _, r := range model.Roles {
			err := d.mayGrant(ctx, tx, a, id, r)
			switch {
			case err == nil:
				out.GrantableRoles = append(out.GrantableRoles, r)
			case errors.Is(err, model.ErrForbidden), errors.Is(err, model.ErrNotFound), errors.Is(err, model.ErrInvalid):
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// subtree returns root and every organisation below it, by the parent links of orgs.
func subtree(orgs []model.Organisation, root uuid.UUID) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{root: true}
	for changed := true; changed; {
		changed = false
		for _, o := range orgs {
			if o.ParentID != nil && out[*o.ParentID] && !out[o.ID] {
				out[o.ID], changed = true, true
			}
		}
	}
	return out
}

// AdminGrant returns a role grant that the actor may take away, with its account and
// organisation, for the confirmation before DeleteGrant. A grant the actor may not see or not
// take away is ErrNotFound; the actor's own grant is ErrForbidden.
func (d *Directory) AdminGrant(ctx context.Context, a model.Actor, id uuid.UUID) (*model.AdminGrant, error) {
	msc, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return nil, err
	}
	osc, err := d.require(a, objOrganisation, actRead, true)
	if err != nil {
		return nil, err
	}
	var out *model.AdminGrant
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		g, err := tx.Grants().Get(ctx, id)
		if err != nil {
			return err
		}
		if !d.grantVisible(msc, *g) {
			return fmt.Errorf("service: admin grant: %w", model.ErrNotFound)
		}
		if g.UserID == a.UserID {
			return fmt.Errorf("service: admin grant: you cannot change your own roles: %w", model.ErrOwnAccount)
		}
		if err := d.mayGrant(ctx, tx, a, g.OrgID, g.Role); err != nil {
			if errors.Is(err, model.ErrForbidden) || errors.Is(err, model.ErrInvalid) {
				return fmt.Errorf("service: admin grant: %w: %w", model.ErrNotFound, err)
			}
			return err
		}
		u, err := tx.Users().Get(ctx, msc, g.UserID)
		if err != nil {
			return err
		}
		o, err := tx.Organisations().Get(ctx, osc, g.OrgID)
		if err != nil {
			return err
		}
		out = &model.AdminGrant{Grant: *g, Member: *u, Org: *o}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GrantByEmail gives the account with this e-mail address a role in org: for people who
// already have an account (in another organisation) and now work here too. An address
// without an account, or of an account the actor may not see, is the same invalid input, so
// that the form reveals no account the actor does not manage.
func (d *Directory) GrantByEmail(ctx context.Context, a model.Actor, org uuid.UUID, email string, role model.Role) (*model.Grant, error) {
	if err := refuseBadText(textInput{"email": email, "role": string(role)}); err != nil {
		return nil, err
	}
	msc, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, model.Invalid("email", model.CodeRequired)
	}
	var user uuid.UUID
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		u, err := tx.Users().ByEmail(ctx, email)
		if err == nil {
			_, err = tx.Users().Get(ctx, msc, u.ID)
		}
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("email", model.CodeNoAccount)
		}
		if err != nil {
			return err
		}
		user = u.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.CreateGrant(ctx, a, model.GrantCreate{UserID: user, OrgID: org, Role: role})
}
