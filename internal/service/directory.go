package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Directory manages organisations, accounts (members) and role grants. Its rules keep the
// separation of duties: nobody changes their own grants, organisation administrators act in
// their own organisation only, and a role can be granted only by a role allowed to grant it.
type Directory struct{ base }

const (
	objOrganisation = "organisation"
	objMember       = "member"
	actRead         = "read"
	actCreate       = "create"
	actUpdate       = "update"
	actManage       = "manage"
)

// grantObject is the policy object that controls granting role r ("grant:caseworker").
func grantObject(r model.Role) string { return "grant:" + string(r) }

// ListOrganisations returns the organisations the actor may see.
func (d *Directory) ListOrganisations(ctx context.Context, a model.Actor) ([]model.Organisation, error) {
	sc, err := d.require(a, objOrganisation, actRead, false)
	if err != nil {
		return nil, err
	}
	var out []model.Organisation
	// One statement: no transaction (Store.One), one round trip instead of three.
	err = d.store.One(ctx, a, func(tx *store.Tx) error {
		out, err = d.visibleOrganisations(ctx, tx, sc)
		return err
	})
	return out, err
}

// GetOrganisation returns one organisation, or ErrNotFound when it is missing or hidden.
func (d *Directory) GetOrganisation(ctx context.Context, a model.Actor, id uuid.UUID) (*model.Organisation, error) {
	sc, err := d.require(a, objOrganisation, actRead, true)
	if err != nil {
		return nil, err
	}
	var out *model.Organisation
	err = d.store.One(ctx, a, func(tx *store.Tx) error {
		out, err = tx.Organisations().Get(ctx, sc, id)
		return err
	})
	return out, err
}

var shortNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

func validateOrganisation(o *model.Organisation) error {
	v := &model.ValidationError{}
	if !o.Kind.Valid() {
		v.Add("kind", model.CodeNotOneOf, model.Params{"allowed": "municipal, jobcenter, welfare, school, civil_society"})
	}
	checkLength(v, "name", strings.TrimSpace(o.Name), true, 200)
	if !shortNamePattern.MatchString(o.ShortName) {
		v.Add("short_name", model.CodeFormat)
	}
	if o.ContactEmail != "" {
		if _, err := mail.ParseAddress(o.ContactEmail); err != nil {
			v.Add("contact_email", model.CodeNotEmail)
		}
	}
	if len(o.ContactPhone) > 50 {
		v.Add("contact_phone", model.CodeTooLong, model.Params{"max": 50})
	}
	if o.AllowAdminCasework && o.Kind.Valid() && o.Kind.Class() != model.ClassPartner {
		v.Add("allow_admin_casework", model.CodePartnerOnly)
	}
	return v.Err()
}

// CreateOrganisation adds an organisation below an existing one (or a new root).
func (d *Directory) CreateOrganisation(ctx context.Context, a model.Actor, in model.OrganisationCreate) (*model.Organisation, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := d.require(a, objOrganisation, actCreate, false)
	if err != nil {
		return nil, err
	}
	o := &model.Organisation{
		ParentID: in.ParentID, Kind: in.Kind, Name: strings.TrimSpace(in.Name), ShortName: in.ShortName,
		ContactEmail: strings.TrimSpace(in.ContactEmail), ContactPhone: strings.TrimSpace(in.ContactPhone), Active: true,
	}
	if err := validateOrganisation(o); err != nil {
		return nil, err
	}
	replayed, err := d.keyed(ctx, a, created, objOrganisation, &o.ID, func(tx *store.Tx) error {
		if o.ParentID != nil {
			if _, err := tx.Organisations().Get(ctx, sc, *o.ParentID); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid("parent_id", model.CodeNotUsable)
				}
				return err
			}
		}
		if err := tx.Organisations().Create(ctx, o); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return fmt.Errorf("%w: %w", model.Invalid("short_name", model.CodeNameTaken), err)
			}
			return err
		}
		return d.changed(ctx, tx, event(a, "organisation.create", objOrganisation, o.ID, model.JSONMap{"kind": o.Kind, "short_name": o.ShortName}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return d.GetOrganisation(ctx, a, o.ID)
	}
	d.reloadPolicy(ctx)
	return o, nil
}

// UpdateOrganisation changes an organisation if version is still current.
//
// AllowAdminCasework is the system administrator's alone (policy object admin_casework),
// for partner organisations only; anyone else sending a change of it gets ErrForbidden. It
// cannot be switched off (nor the organisation made municipal) while an account holds
// org_admin together with a case-content role there: that is refused with a
// *model.RoleConflictError naming them, so that the combination is taken apart first.
func (d *Directory) UpdateOrganisation(ctx context.Context, a model.Actor, id uuid.UUID, p model.OrganisationPatch, version int) (*model.Organisation, error) {
	if err := refuseBadText(p); err != nil {
		return nil, err
	}
	sc, err := d.require(a, objOrganisation, actUpdate, true)
	if err != nil {
		return nil, err
	}
	mayAllow := false
	if p.AllowAdminCasework != nil {
		// Whether the actor may switch the setting at all is known before the record is read;
		// whether it changes is decided below.
		asc, err := d.scope(a, objAdminCasework, actAllow)
		if err != nil {
			return nil, err
		}
		mayAllow = asc.Has(model.ScopeAll)
	}
	var o *model.Organisation
	err = d.store.Tx(ctx, a, func(tx *store.Tx) error {
		if o, err = tx.Organisations().Get(ctx, sc, id); err != nil {
			return err
		}
		if o.Version != version {
			return fmt.Errorf("service: update organisation: %w", model.ErrConflict)
		}
		allowedBefore := o.AllowsAdminCasework()
		changed := model.JSONMap{}
		if p.ParentID != nil {
			if *p.ParentID == id {
				return model.Invalid("parent_id", model.CodeParentCycle)
			}
			below, err := tx.Organisations().IsBelow(ctx, *p.ParentID, id)
			if err != nil {
				return err
			}
			if below {
				return model.Invalid("parent_id", model.CodeParentCycle)
			}
			if _, err := tx.Organisations().Get(ctx, sc, *p.ParentID); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid("parent_id", model.CodeNotUsable)
				}
				return err
			}
			o.ParentID, changed["parent_id"] = p.ParentID, p.ParentID.String()
		}
		if p.Kind != nil {
			o.Kind, changed["kind"] = *p.Kind, *p.Kind
		}
		if p.Name != nil {
			o.Name, changed["name"] = strings.TrimSpace(*p.Name), true
		}
		if p.ShortName != nil {
			o.ShortName, changed["short_name"] = *p.ShortName, *p.ShortName
		}
		if p.ContactEmail != nil {
			o.ContactEmail, changed["contact_email"] = strings.TrimSpace(*p.ContactEmail), true
		}
		if p.ContactPhone != nil {
			o.ContactPhone, changed["contact_phone"] = strings.TrimSpace(*p.ContactPhone), true
		}
		if p.Active != nil {
			o.Active, changed["active"] = *p.Active, *p.Active
		}
		if p.AllowAdminCasework != nil && *p.AllowAdminCasework != o.AllowAdminCasework {
			if !mayAllow {
				return fmt.Errorf("service: update organisation: allow_admin_casework is the system administrator's: %w", model.ErrForbidden)
			}
			o.AllowAdminCasework, changed["allow_admin_casework"] = *p.AllowAdminCasework, *p.AllowAdminCasework
		}
		if err := validateOrganisation(o); err != nil {
			return err
		}
		if allowedBefore && !o.AllowsAdminCasework() {
			if _, err := tx.Organisations().Lock(ctx, o.ID); err != nil {
				return err
			}
			if err := d.checkAdminCaseworkOff(ctx, tx, o.ID); err != nil {
				return err
			}
		}
		if err := tx.Organisations().Update(ctx, o, version); err != nil {
			if errors.Is(err, model.ErrDuplicate) && p.ShortName != nil {
				return fmt.Errorf("%w: %w", model.Invalid("short_name", model.CodeNameTaken), err)
			}
			return err
		}
		return d.changed(ctx, tx, event(a, "organisation.update", objOrganisation, o.ID, changed))
	})
	if err != nil {
		return nil, err
	}
	d.reloadPolicy(ctx)
	return o, nil
}

// changed records the audit event of a directory change and tells every instance to reload
// its policy, both inside the change's transaction.
func (d *Directory) changed(ctx context.Context, tx *store.Tx, ev *model.AuditEvent) error {
	if err := tx.Audit().Record(ctx, ev); err != nil {
		return err
	}
	return tx.NotifyPolicyChanged(ctx)
}

// ListMembers returns the accounts the actor may see, optionally only those with a grant in
// one organisation, each with the grants the actor may see.
func (d *Directory) ListMembers(ctx context.Context, a model.Actor, org *uuid.UUID) ([]model.Member, error) {
	sc, err := d.require(a, objMember, actRead, false)
	if err != nil {
		return nil, err
	}
	var out []model.Member
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		users, err := tx.Users().List(ctx, sc, store.MemberFilter{OrgID: org})
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
			if d.grantVisible(sc, g) {
				byUser[g.UserID] = append(byUser[g.UserID], g)
			}
		}
		for _, u := range users {
			out = append(out, model.Member{User: u, Grants: byUser[u.ID]})
		}
		return nil
	})
	return out, err
}

// grantVisible limits the grants shown to the organisations the member scope reaches.
func (d *Directory) grantVisible(sc model.Scope, g model.Grant) bool {
	switch {
	case sc.Has(model.ScopeAll):
		return true
	case sc.Has(model.ScopeOrgTree) && slices.Contains(sc.OrgTree, g.OrgID):
		return true
	case sc.Has(model.ScopeOrg) && g.OrgID == sc.OrgID:
		return true
	}
	return false
}

// GetMember returns one account with its visible grants, or ErrNotFound.
func (d *Directory) GetMember(ctx context.Context, a model.Actor, id uuid.UUID) (*model.Member, error) {
	sc, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return nil, err
	}
	var out *model.Member
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		u, err := tx.Users().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		grants, err := tx.Grants().ForUser(ctx, id)
		if err != nil {
			return err
		}
		out = &model.Member{User: *u}
		for _, g := range grants {
			if d.grantVisible(sc, g) {
				out.Grants = append(out.Grants, g)
			}
		}
		return nil
	})
	return out, err
}

func validateUser(u *model.User) error {
	v := &model.ValidationError{}
	checkLength(v, "display_name", strings.TrimSpace(u.DisplayName), true, 200)
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			v.Add("email", model.CodeNotEmail)
		}
	}
	if (u.Subject == nil || *u.Subject == "") && u.Email == "" {
		v.Add("subject", model.CodeRequired)
	}
	if u.Subject != nil && *u.Subject != "" && u.Issuer == "" {
		v.Add("issuer", model.CodeRequired)
	}
	if len(u.Issuer) > 500 || (u.Subject != nil && len(*u.Subject) > 255) {
		v.Add("subject", model.CodeTooLong, model.Params{"max": 255})
	}
	return v.Err()
}

// CreateMember creates an account with its first grant. The actor needs both the right to
// create members where the grant goes and the right to grant that role there.
func (d *Directory) CreateMember(ctx context.Context, a model.Actor, in model.MemberCreate) (*model.Member, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	if _, err := d.require(a, objMember, actCreate, false); err != nil {
		return nil, err
	}
	u := &model.User{Issuer: strings.TrimSpace(in.Issuer), Email: strings.TrimSpace(in.Email), DisplayName: strings.TrimSpace(in.DisplayName), Active: true, Service: in.Service}
	if s := strings.TrimSpace(in.Subject); s != "" {
		u.Subject = &s
	}
	if err := validateUser(u); err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, model.Invalid("role", model.CodeUnknown, model.Params{"values": string(in.Role)})
	}
	g := &model.Grant{OrgID: in.OrgID, Role: in.Role}
	replayed, err := d.keyed(ctx, a, created, objMember, &u.ID, func(tx *store.Tx) error {
		if err := d.mayGrant(ctx, tx, a, in.OrgID, in.Role); err != nil {
			return err
		}
		if err := d.mayInOrg(ctx, tx, a, objMember, actCreate, in.OrgID); err != nil {
			return err
		}
		if err := tx.Users().Create(ctx, u); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return fmt.Errorf("%w: %w", model.Invalid("email", model.CodeAccountExists), err)
			}
			return err
		}
		g.UserID, g.GrantedBy = u.ID, actorRef(a)
		if err := tx.Grants().Create(ctx, g); err != nil {
			return err
		}
		if err := tx.Audit().Record(ctx, event(a, "member.create", objMember, u.ID, model.JSONMap{"service": u.Service})); err != nil {
			return err
		}
		return d.changed(ctx, tx, event(a, "grant.create", "grant", g.ID, model.JSONMap{"user_id": u.ID.String(), "org_id": g.OrgID.String(), "role": g.Role}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return d.GetMember(ctx, a, u.ID)
	}
	d.reloadPolicy(ctx)
	return &model.Member{User: *u, Grants: []model.Grant{*g}}, nil
}

func actorRef(a model.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// UpdateMember changes an account's name, e-mail or active flag. Deactivating removes the
// account's grants from the policy at once; nobody deactivates themselves.
func (d *Directory) UpdateMember(ctx context.Context, a model.Actor, id uuid.UUID, p model.MemberPatch, version int) (*model.Member, error) {
	if err := refuseBadText(p); err != nil {
		return nil, err
	}
	sc, err := d.require(a, objMember, actUpdate, true)
	if err != nil {
		return nil, err
	}
	if id == a.UserID && p.Active != nil {
		return nil, fmt.Errorf("service: update member: you cannot change your own account's state: %w", model.ErrOwnAccount)
	}
	var u *model.User
	err = d.store.Tx(ctx, a, func(tx *store.Tx) error {
		if u, err = tx.Users().Get(ctx, sc, id); err != nil {
			return err
		}
		if u.Version != version {
			return fmt.Errorf("service: update member: %w", model.ErrConflict)
		}
		changed := model.JSONMap{}
		if p.DisplayName != nil {
			u.DisplayName, changed["display_name"] = strings.TrimSpace(*p.DisplayName), true
		}
		if p.Email != nil {
			u.Email, changed["email"] = strings.TrimSpace(*p.Email), true
		}
		if p.Active != nil {
			u.Active, changed["active"] = *p.Active, *p.Active
		}
		if err := validateUser(u); err != nil {
			return err
		}
		if err := tx.Users().Update(ctx, u, version); err != nil {
			return err
		}
		return d.changed(ctx, tx, event(a, "member.update", objMember, u.ID, changed))
	})
	if err != nil {
		return nil, err
	}
	d.reloadPolicy(ctx)
	return d.GetMember(ctx, a, id)
}

// mayGrant checks that the actor may grant role in org: the policy must allow "manage" on
// "grant:<role>", and its scope must reach org.
func (d *Directory) mayGrant(ctx context.Context, tx *store.Tx, a model.Actor, org uuid.UUID, role model.Role) error {
	return d.mayInOrg(ctx, tx, a, grantObject(role), actManage, org)
}

// mayInOrg checks that the actor's scope for obj/act reaches organisation org. An
// organisation out of reach is ErrNotFound, like one that does not exist.
func (d *Directory) mayInOrg(ctx context.Context, tx *store.Tx, a model.Actor, obj, act string, org uuid.UUID) error {
	sc, err := d.scope(a, obj, act)
	if err != nil {
		return err
	}
	hidden := fmt.Errorf("service: %s %s in organisation: %w", obj, act, model.ErrNotFound)
	if !sc.Allowed() {
		// Knowing that a role exists is no secret; being unable to grant it is "forbidden".
		if obj != objMember {
			return fmt.Errorf("service: %s %s: %w", obj, act, model.ErrForbidden)
		}
		return hidden
	}
	orgScope := model.Scope{Object: objOrganisation, Kinds: sc.Kinds, UserID: sc.UserID, OrgID: sc.OrgID, OrgTree: sc.OrgTree}
	o, err := tx.Organisations().Get(ctx, orgScope, org)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return hidden
		}
		return err
	}
	if !o.Active {
		return model.Invalid("org_id", model.CodeOrgInactive)
	}
	return nil
}

// CreateGrant gives an existing, visible account a role in an organisation. A role that the
// separation of duties forbids next to one the account holds, in any organisation, is
// refused with a *model.RoleConflictError (see authz.Duties).
func (d *Directory) CreateGrant(ctx context.Context, a model.Actor, in model.GrantCreate) (*model.Grant, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, model.Invalid("role", model.CodeUnknown, model.Params{"values": string(in.Role)})
	}
	memberScope, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return nil, err
	}
	if in.UserID == a.UserID {
		return nil, fmt.Errorf("service: create grant: you cannot change your own roles: %w", model.ErrOwnAccount)
	}
	g := &model.Grant{UserID: in.UserID, OrgID: in.OrgID, Role: in.Role, GrantedBy: actorRef(a)}
	replayed, err := d.keyed(ctx, a, created, "grant", &g.ID, func(tx *store.Tx) error {
		if _, err := tx.Users().Get(ctx, memberScope, in.UserID); err != nil {
			return err
		}
		if err := d.mayGrant(ctx, tx, a, in.OrgID, in.Role); err != nil {
			return err
		}
		if err := d.checkDuties(ctx, tx, *g); err != nil {
			return err
		}
		if err := tx.Grants().Create(ctx, g); err != nil {
			return err
		}
		return d.changed(ctx, tx, event(a, "grant.create", "grant", g.ID, model.JSONMap{"user_id": g.UserID.String(), "org_id": g.OrgID.String(), "role": g.Role}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return d.grant(ctx, a, in.UserID, g.ID)
	}
	d.reloadPolicy(ctx)
	return g, nil
}

// DeleteGrant takes a role away. The same rules as for granting apply.
func (d *Directory) DeleteGrant(ctx context.Context, a model.Actor, id uuid.UUID) error {
	memberScope, err := d.require(a, objMember, actRead, true)
	if err != nil {
		return err
	}
	err = d.store.Tx(ctx, a, func(tx *store.Tx) error {
		g, err := tx.Grants().Get(ctx, id)
		if err != nil {
			return err
		}
		if !d.grantVisible(memberScope, *g) {
			return fmt.Errorf("service: delete grant: %w", model.ErrNotFound)
		}
		if g.UserID == a.UserID {
			return fmt.Errorf("service: delete grant: you cannot change your own roles: %w", model.ErrOwnAccount)
		}
		if err := d.mayGrant(ctx, tx, a, g.OrgID, g.Role); err != nil {
			return err
		}
		if err := tx.Grants().Delete(ctx, id); err != nil {
			return err
		}
		return d.changed(ctx, tx, event(a, "grant.delete", "grant", g.ID, model.JSONMap{"user_id": g.UserID.String(), "org_id": g.OrgID.String(), "role": g.Role}))
	})
	if err != nil {
		return err
	}
	d.reloadPolicy(ctx)
	return nil
}
