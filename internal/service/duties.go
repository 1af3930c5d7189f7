package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The separation of duties at the moment a role is granted. The incompatible pairs come
// from authz.Duties (derived from the policy); here they are checked against the stored
// grants, in the transaction that writes, under the account's row lock, so that two grants
// given at the same time cannot both pass.

// objAdminCasework is the policy object of the organisation setting allow_admin_casework.
const (
	objAdminCasework = "admin_casework"
	actAllow         = "allow"
)

// checkDuties refuses grant g with a *model.RoleConflictError when its account holds a role
// that may not be combined with it, in any organisation.
func (b base) checkDuties(ctx context.Context, tx *store.Tx, g model.Grant) error {
	if err := tx.Users().Lock(ctx, g.UserID); err != nil {
		return err
	}
	held, err := tx.Grants().ForUser(ctx, g.UserID)
	if err != nil {
		return err
	}
	// The organisation's setting counts as it is when this transaction commits: its row
	// lock keeps a concurrent switch-off waiting, and the switch-off then sees this grant.
	org, err := tx.Organisations().Lock(ctx, g.OrgID)
	if err != nil {
		return err
	}
	allows := func(id uuid.UUID) bool { return id == org.ID && org.AllowsAdminCasework() }
	conflicts := b.authz.Duties().Against(held, g, allows)
	if len(conflicts) == 0 {
		return nil
	}
	return b.roleConflict(ctx, tx, conflicts)
}

// roleConflict names the organisations of the conflicts for the message.
func (b base) roleConflict(ctx context.Context, tx *store.Tx, conflicts []model.RoleConflict) error {
	orgs, err := tx.Organisations().All(ctx)
	if err != nil {
		return err
	}
	names := map[uuid.UUID]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	for i := range conflicts {
		conflicts[i].OrgName, conflicts[i].WithOrgName = names[conflicts[i].OrgID], names[conflicts[i].WithOrgID]
	}
	return fmt.Errorf("service: %w", &model.RoleConflictError{Conflicts: conflicts})
}

// checkAdminCaseworkOff refuses to end an organisation's permission for administrators to
// work its cases while someone holds the combination there: the grants would breach the
// separation of duties at once. The caller holds the organisation's row lock, so no such
// grant can be added meanwhile.
func (b base) checkAdminCaseworkOff(ctx context.Context, tx *store.Tx, org uuid.UUID) error {
	gs, err := tx.Grants().InOrg(ctx, org)
	if err != nil {
		return err
	}
	conflicts := b.authz.Duties().Conflicts(gs, nil)
	if len(conflicts) == 0 {
		return nil
	}
	return b.roleConflict(ctx, tx, conflicts)
}

// DutyConflicts lists every stored grant that breaches the separation of duties, whether its
// account and organisation are active or not, and the organisations that allow their
// administrators case work: the operator's report (`lotse policy conflicts`). It acts for
// the system.
func (d *Directory) DutyConflicts(ctx context.Context) (conflicts []model.RoleConflict, allowing []model.Organisation, err error) {
	err = d.store.Read(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		orgs, err := tx.Organisations().All(ctx)
		if err != nil {
			return err
		}
		byID := map[uuid.UUID]model.Organisation{}
		for _, o := range orgs {
			byID[o.ID] = o
			if o.AllowsAdminCasework() {
				allowing = append(allowing, o)
			}
		}
		gs, err := tx.Grants().All(ctx)
		if err != nil {
			return err
		}
		conflicts = d.authz.Duties().Conflicts(gs, func(id uuid.UUID) bool { return byID[id].AllowsAdminCasework() })
		for i := range conflicts {
			conflicts[i].OrgName, conflicts[i].WithOrgName = byID[conflicts[i].OrgID].ShortName, byID[conflicts[i].WithOrgID].ShortName
		}
		return nil
	})
	return conflicts, allowing, err
}
