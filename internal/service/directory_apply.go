package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// errDryRun rolls back the transaction of a dry run after every change was made in it.
var errDryRun = errors.New("service: directory dry run")

// Apply makes the database match a parsed directory file and returns the changes, one
// human-readable line each. The file is authoritative for what it lists: organisations
// (matched by short name) and accounts (matched by issuer and subject, else by e-mail) are
// created or updated, and a listed account's grants become exactly the file's list.
// Organisations and accounts the file does not list are left alone. Identity fields (email,
// issuer, subject) are set when given and never cleared by leaving them out, so that an
// account linked at its first sign-in stays linked.
//
// Everything happens in one transaction: either every change with its audit event, or, on
// any problem, nothing. Problems of the file that need the database (unknown organisations,
// cycles with the stored tree, accounts that clash) come back as one *directory.Error naming
// every line. A dry run makes the same changes and rolls them back. Applying the same file
// again returns no changes and writes no audit events.
//
// The system actor (the directory tool, the demo seed) may apply any file; a user needs the
// system-wide right to manage organisations, members and every role.
func (d *Directory) Apply(ctx context.Context, a model.Actor, f *directory.File, dryRun bool) ([]string, error) {
	// directory.Parse has refused such text at its line already; this holds for any caller.
	entries := struct {
		Organisations []directory.Organisation
		Users         []directory.User
	}{f.Organisations, f.Users}
	if err := refuseBadText(entries); err != nil {
		return nil, err
	}
	if err := d.mayApply(a); err != nil {
		return nil, err
	}
	var changes []string
	err := d.store.Tx(ctx, a, func(tx *store.Tx) error {
		ap := &applier{d: d, tx: tx, a: a, f: f}
		if err := ap.run(ctx); err != nil {
			return err
		}
		changes = ap.changes
		if dryRun {
			return errDryRun
		}
		return nil
	})
	var problems *directory.Error
	switch {
	case dryRun && errors.Is(err, errDryRun):
		return changes, nil
	case errors.As(err, &problems):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("service: apply directory %s: %w", f.Name, err)
	}
	if len(changes) > 0 {
		d.reloadPolicy(ctx)
	}
	return changes, nil
}

// mayApply lets a user apply a directory only with the system-wide rights it exercises.
func (d *Directory) mayApply(a model.Actor) error {
	if a.System {
		return nil
	}
	checks := [][2]string{
		{objOrganisation, actCreate}, {objOrganisation, actUpdate},
		{objMember, actCreate}, {objMember, actUpdate},
	}
	for _, r := range model.Roles {
		checks = append(checks, [2]string{grantObject(r), actManage})
	}
	for _, c := range checks {
		sc, err := d.scope(a, c[0], c[1])
		if err != nil {
			return err
		}
		if !sc.Has(model.ScopeAll) {
			return fmt.Errorf("service: apply directory: needs %s %s for every organisation: %w", c[0], c[1], model.ErrForbidden)
		}
	}
	return nil
}

// applier is one application of a file inside one transaction.
type applier struct {
	d  *Directory
	tx *store.Tx
	a  model.Actor
	f  *directory.File

	orgs   map[string]*model.Organisation    // lower-case short name -> stored or created
	orgIDs map[uuid.UUID]*model.Organisation // id -> the same
	users  []model.User                      // every stored account
	match  []*model.User                     // per file user: the stored account, nil to create

	changes []string
}

func (ap *applier) run(ctx context.Context) error {
	if err := ap.load(ctx); err != nil {
		return err
	}
	problems := directory.NewError(ap.f.Name)
	existing := directory.Existing{}
	for _, o := range ap.orgIDs {
		parent := ""
		if o.ParentID != nil {
			if p, ok := ap.orgIDs[*o.ParentID]; ok {
				parent = p.ShortName
			}
		}
		existing[o.ShortName] = parent
	}
	ap.f.Check(problems, existing)
	ap.matchUsers(problems)
	ap.checkDuties(problems)
	if err := problems.Err(); err != nil {
		return err
	}
	if err := ap.applyOrganisations(ctx); err != nil {
		return err
	}
	for i := range ap.f.Users {
		if err := ap.applyUser(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// load reads every organisation and account; a city has thousands, not millions.
func (ap *applier) load(ctx context.Context) error {
	// The separation-of-duties check below relies on the organisations' exception for their
	// administrators as read here: keep it from being switched off until this commits.
	if err := ap.tx.Organisations().LockAllowingAdminCasework(ctx); err != nil {
		return err
	}
	orgs, err := ap.tx.Organisations().All(ctx)
	if err != nil {
		return err
	}
	ap.orgs = make(map[string]*model.Organisation, len(orgs))
	ap.orgIDs = make(map[uuid.UUID]*model.Organisation, len(orgs))
	for i := range orgs {
		o := &orgs[i]
		ap.orgs[strings.ToLower(o.ShortName)] = o
		ap.orgIDs[o.ID] = o
	}
	ap.users, err = ap.tx.Users().All(ctx)
	return err
}

func identityKey(issuer, subject string) string { return issuer + "\x00" + subject }

// matchUsers finds the stored account of every file user and reports clashes: an e-mail
// address that belongs to an account with another sign-in, two entries for one account, an
// e-mail address that would end up on two accounts.
func (ap *applier) matchUsers(problems *directory.Error) {
	byIdentity, byEmail := map[string]*model.User{}, map[string]*model.User{}
	for i := range ap.users {
		u := &ap.users[i]
		if u.Subject != nil {
			byIdentity[identityKey(u.Issuer, *u.Subject)] = u
		}
		if u.Email != "" {
			byEmail[strings.ToLower(u.Email)] = u
		}
	}
	ap.match = make([]*model.User, len(ap.f.Users))
	claimed := map[uuid.UUID]int{}
	bad := map[int]bool{} // file users with a problem already
	for i, fu := range ap.f.Users {
		var m *model.User
		if fu.Subject != "" {
			m = byIdentity[identityKey(fu.Issuer, fu.Subject)]
		}
		if m == nil && fu.Email != "" {
			if c := byEmail[strings.ToLower(fu.Email)]; c != nil {
				if fu.Subject != "" && c.Subject != nil {
					problems.Add(fu.Line, "user %q: the email belongs to an account with another issuer and subject", fu.Label())
					bad[i] = true
					continue
				}
				m = c
			}
		}
		if m == nil {
			continue
		}
		if prev, dup := claimed[m.ID]; dup {
			problems.Add(fu.Line, "user %q: is the same account as the user at line %d", fu.Label(), prev)
			bad[i] = true
			continue
		}
		claimed[m.ID] = fu.Line
		if !ap.a.System && m.ID == ap.a.UserID {
			problems.Add(fu.Line, "user %q: you cannot change your own account", fu.Label())
			bad[i] = true
			continue
		}
		ap.match[i] = m
	}
	// Every e-mail address must belong to one account once the file is applied.
	owner := map[string]bool{}
	for _, u := range ap.users {
		if _, listed := claimed[u.ID]; !listed && u.Email != "" {
			owner[strings.ToLower(u.Email)] = true
		}
	}
	for i, fu := range ap.f.Users {
		if fu.Email != "" && owner[strings.ToLower(fu.Email)] && !bad[i] {
			problems.Add(fu.Line, "user %q: the email belongs to another account that the file does not list", fu.Label())
		}
	}
}

// applyOrganisations creates and updates the file's organisations, parents first.
func (ap *applier) applyOrganisations(ctx context.Context) error {
	index := map[string]int{}
	for i, o := range ap.f.Organisations {
		index[strings.ToLower(o.ShortName)] = i
	}
	done := map[string]bool{}
	var visit func(i int) error
	visit = func(i int) error {
		o := ap.f.Organisations[i]
		k := strings.ToLower(o.ShortName)
		if done[k] {
			return nil
		}
		done[k] = true // cycles were rejected, so this ends
		if j, ok := index[strings.ToLower(o.Parent)]; ok && o.Parent != "" {
			if err := visit(j); err != nil {
				return err
			}
		}
		return ap.applyOrganisation(ctx, o)
	}
	for i := range ap.f.Organisations {
		if err := visit(i); err != nil {
			return err
		}
	}
	return nil
}

func (ap *applier) applyOrganisation(ctx context.Context, o directory.Organisation) error {
	var parentID *uuid.UUID
	if o.Parent != "" {
		id := ap.orgs[strings.ToLower(o.Parent)].ID // Check made sure it exists
		parentID = &id
	}
	cur, ok := ap.orgs[strings.ToLower(o.ShortName)]
	if !ok {
		n := &model.Organisation{
			ParentID: parentID, Kind: o.Kind, Name: o.Name, ShortName: o.ShortName,
			ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone, Active: o.Active,
		}
		if err := ap.tx.Organisations().Create(ctx, n); err != nil {
			return err
		}
		ap.orgs[strings.ToLower(n.ShortName)], ap.orgIDs[n.ID] = n, n
		return ap.record(ctx, "create organisation "+o.ShortName,
			event(ap.a, "organisation.create", objOrganisation, n.ID, model.JSONMap{"kind": n.Kind, "short_name": n.ShortName, "active": n.Active}))
	}
	var fields []string
	details := model.JSONMap{}
	if cur.ShortName != o.ShortName {
		cur.ShortName, details["short_name"] = o.ShortName, o.ShortName
		fields = append(fields, "short_name")
	}
	if cur.Name != o.Name {
		cur.Name, details["name"] = o.Name, true
		fields = append(fields, "name")
	}
	if cur.Kind != o.Kind {
		cur.Kind, details["kind"] = o.Kind, o.Kind
		fields = append(fields, "kind")
	}
	if !sameID(cur.ParentID, parentID) {
		cur.ParentID, details["parent_id"] = parentID, idText(parentID)
		fields = append(fields, "parent")
	}
	if cur.ContactEmail != o.ContactEmail {
		cur.ContactEmail, details["contact_email"] = o.ContactEmail, true
		fields = append(fields, "contact_email")
	}
	if cur.ContactPhone != o.ContactPhone {
		cur.ContactPhone, details["contact_phone"] = o.ContactPhone, true
		fields = append(fields, "contact_phone")
	}
	if cur.Active != o.Active {
		cur.Active, details["active"] = o.Active, o.Active
		fields = append(fields, "active")
	}
	if len(fields) == 0 {
		return nil
	}
	if err := ap.tx.Organisations().Update(ctx, cur, cur.Version); err != nil {
		return err
	}
	return ap.record(ctx, fmt.Sprintf("update organisation %s: %s", o.ShortName, strings.Join(fields, ", ")),
		event(ap.a, "organisation.update", objOrganisation, cur.ID, details))
}

func sameID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func idText(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

// applyUser creates or updates the i-th file user and sets its grants to the file's list.
func (ap *applier) applyUser(ctx context.Context, i int) error {
	fu := ap.f.Users[i]
	label := fu.Label()
	u := ap.match[i]
	if u == nil {
		u = &model.User{Issuer: fu.Issuer, Email: fu.Email, DisplayName: fu.DisplayName, Active: fu.Active}
		if fu.Subject != "" {
			s := fu.Subject
			u.Subject = &s
		}
		if err := ap.tx.Users().Create(ctx, u); err != nil {
			return err
		}
		if err := ap.record(ctx, "create user "+label,
			event(ap.a, "member.create", objMember, u.ID, model.JSONMap{"service": u.Service, "active": u.Active})); err != nil {
			return err
		}
	} else {
		var fields []string
		details := model.JSONMap{}
		if u.DisplayName != fu.DisplayName {
			u.DisplayName, details["display_name"] = fu.DisplayName, true
			fields = append(fields, "display_name")
		}
		if fu.Email != "" && u.Email != fu.Email {
			u.Email, details["email"] = fu.Email, true
			fields = append(fields, "email")
		}
		if fu.Subject != "" && (u.Issuer != fu.Issuer || u.Subject == nil || *u.Subject != fu.Subject) {
			s := fu.Subject
			u.Issuer, u.Subject, details["identity"] = fu.Issuer, &s, true
			fields = append(fields, "issuer", "subject")
		}
		if u.Active != fu.Active {
			u.Active, details["active"] = fu.Active, fu.Active
			fields = append(fields, "active")
		}
		if len(fields) > 0 {
			if err := ap.tx.Users().Update(ctx, u, u.Version); err != nil {
				return err
			}
			if err := ap.record(ctx, fmt.Sprintf("update user %s: %s", label, strings.Join(fields, ", ")),
				event(ap.a, "member.update", objMember, u.ID, details)); err != nil {
				return err
			}
		}
	}
	return ap.applyGrants(ctx, u, fu)
}

type grantKey struct {
	org  uuid.UUID
	role model.Role
}

// applyGrants makes the account's grants exactly the file's list: missing ones are created
// in file order, extra ones revoked.
func (ap *applier) applyGrants(ctx context.Context, u *model.User, fu directory.User) error {
	// The row lock makes a grant given through the API meanwhile wait, and then check
	// itself against the file's grants (separation of duties).
	if err := ap.tx.Users().Lock(ctx, u.ID); err != nil {
		return err
	}
	current, err := ap.tx.Grants().ForUser(ctx, u.ID)
	if err != nil {
		return err
	}
	have := map[grantKey]model.Grant{}
	for _, g := range current {
		have[grantKey{g.OrgID, g.Role}] = g
	}
	want := map[grantKey]bool{}
	for _, fg := range fu.Grants {
		org := ap.orgs[strings.ToLower(fg.Org)] // Check made sure it exists
		k := grantKey{org.ID, fg.Role}
		want[k] = true
		if _, ok := have[k]; ok {
			continue
		}
		g := &model.Grant{UserID: u.ID, OrgID: org.ID, Role: fg.Role, GrantedBy: actorRef(ap.a)}
		if err := ap.tx.Grants().Create(ctx, g); err != nil {
			return err
		}
		if err := ap.record(ctx, fmt.Sprintf("grant %s in %s to %s", g.Role, org.ShortName, fu.Label()),
			event(ap.a, "grant.create", "grant", g.ID, grantDetails(g))); err != nil {
			return err
		}
	}
	var revoke []model.Grant
	for k, g := range have {
		if !want[k] {
			revoke = append(revoke, g)
		}
	}
	sort.Slice(revoke, func(i, j int) bool {
		a, b := ap.orgName(revoke[i].OrgID), ap.orgName(revoke[j].OrgID)
		if a != b {
			return a < b
		}
		return revoke[i].Role < revoke[j].Role
	})
	for _, g := range revoke {
		if err := ap.tx.Grants().Delete(ctx, g.ID); err != nil {
			return err
		}
		if err := ap.record(ctx, fmt.Sprintf("revoke %s in %s from %s", g.Role, ap.orgName(g.OrgID), fu.Label()),
			event(ap.a, "grant.delete", "grant", g.ID, grantDetails(&g))); err != nil {
			return err
		}
	}
	return nil
}

func grantDetails(g *model.Grant) model.JSONMap {
	return model.JSONMap{"user_id": g.UserID.String(), "org_id": g.OrgID.String(), "role": g.Role}
}

func (ap *applier) orgName(id uuid.UUID) string {
	if o, ok := ap.orgIDs[id]; ok {
		return o.ShortName
	}
	return id.String()
}

// record notes one change with its audit event and the policy notification, in the
// transaction.
func (ap *applier) record(ctx context.Context, change string, ev *model.AuditEvent) error {
	ap.changes = append(ap.changes, change)
	return ap.d.changed(ctx, ap.tx, ev)
}

// checkDuties reports, at the line of the grant, every listed account whose grants once the
// file is applied (exactly the file's list) would breach the separation of duties, and every
// organisation the file makes municipal while it allows its administrators case work. An
// organisation's permission for its administrators to work its cases is not part of the
// file: it counts as stored (off for organisations the file creates), and a municipal kind
// never allows it.
func (ap *applier) checkDuties(problems *directory.Error) {
	kinds := map[string]model.OrgKind{}
	for _, o := range ap.f.Organisations {
		kinds[strings.ToLower(o.ShortName)] = o.Kind
	}
	for _, o := range ap.f.Organisations {
		if cur, ok := ap.orgs[strings.ToLower(o.ShortName)]; ok && cur.AllowAdminCasework && o.Kind.Class() != model.ClassPartner {
			problems.Add(o.Line, "organisation %q: cannot become %s while it allows its administrators case work (allow_admin_casework); a system administrator must switch that off first",
				o.ShortName, o.Kind)
		}
	}
	// Organisations by lower-case short name, with a stand-in id for those the file creates.
	ids := map[string]uuid.UUID{}
	allows := map[uuid.UUID]bool{}
	id := func(short string) uuid.UUID {
		k := strings.ToLower(short)
		if v, ok := ids[k]; ok {
			return v
		}
		v := uuid.New()
		if cur, ok := ap.orgs[k]; ok {
			v = cur.ID
			kind, inFile := kinds[k]
			if !inFile {
				kind = cur.Kind
			}
			allows[v] = model.Organisation{Kind: kind, AllowAdminCasework: cur.AllowAdminCasework}.AllowsAdminCasework()
		}
		ids[k] = v
		return v
	}
	duties := ap.d.authz.Duties()
	for _, fu := range ap.f.Users {
		var held []model.Grant
		var lines []directory.Grant
		for _, fg := range fu.Grants {
			g := model.Grant{OrgID: id(fg.Org), Role: fg.Role}
			for _, c := range duties.Against(held, g, func(o uuid.UUID) bool { return allows[o] }) {
				first := lines[slices.IndexFunc(held, func(h model.Grant) bool { return h.OrgID == c.WithOrgID && h.Role == c.With })]
				problems.Add(fg.Line, "user %q: %s in %s cannot be combined with %s in %s (line %d): separation of duties, a role without case content is never held together with one that has it",
					fu.Label(), fg.Role, fg.Org, first.Role, first.Org, first.Line)
			}
			held = append(held, g)
			lines = append(lines, fg)
		}
	}
}
