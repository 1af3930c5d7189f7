package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Reassign names who answers a referral addressed to the actor's team: the department head
// (referral.reassign, org_tree) moves an active incoming referral of the acting organisation
// or a unit below it to a caseworker of the receiving organisation. The new assignee must be
// an active member with the caseworker role in the referral's receiving organisation
// (CodeNotMember otherwise); a referral outside the team, ended or unseen is ErrNotFound; an
// older version ErrConflict. One "referral.reassign" audit event records it.
func (s *Referrals) Reassign(ctx context.Context, a model.Actor, id uuid.UUID, version int, assignee uuid.UUID) (*model.Referral, error) {
	sc, rsc, err := s.referralReassignScopes(a)
	if err != nil {
		return nil, err
	}
	if assignee == uuid.Nil {
		return nil, model.Invalid("assignee_id", model.CodeRequired)
	}
	var out *model.Referral
	replayed, err := s.keyed(ctx, a, changed, objReferral, &id, func(tx *store.Tx) error {
		ref, err := tx.Referrals().Get(ctx, rsc, id)
		if err != nil {
			return err
		}
		if !mayReassignReferral(sc, ref) {
			return fmt.Errorf("service: reassign referral: %w", model.ErrNotFound)
		}
		if ref.Version != version {
			return fmt.Errorf("service: reassign referral: %w", model.ErrConflict)
		}
		ok, err := tx.Staff().AnswersFor(ctx, assignee, ref.ToOrgID)
		if err != nil {
			return err
		}
		if !ok {
			return model.Invalid("assignee_id", model.CodeNotMember)
		}
		d := referralDetails(ref)
		if ref.AssigneeID != nil {
			d["from_assignee_id"] = ref.AssigneeID.String()
		}
		ref.AssigneeID = &assignee
		if err := tx.Referrals().Update(ctx, ref, version); err != nil {
			return err
		}
		out = ref
		d["assignee_id"], d["version"] = assignee.String(), ref.Version
		return tx.Audit().Record(ctx, caseEvent(a, "referral.reassign", objReferral, ref.ID, ref.CaseID, d))
	})
	if err != nil || !replayed {
		return out, err
	}
	return s.Get(ctx, a, id)
}

// mayReassignReferral: the referral.reassign scope sc lets its holder name who answers ref,
// an active referral addressed to an organisation of the holder's team (the org_tree scope
// of a department head). Reassign, the dashboard's list and the reassignment page ask the
// same.
func mayReassignReferral(sc model.Scope, ref *model.Referral) bool {
	return sc.Has(model.ScopeOrgTree) && slices.Contains(sc.OrgTree, ref.ToOrgID) && ref.Status.Active()
}

// referralReassignScopes are the actor's referral.reassign scope (whom the actor may name)
// and referral.read scope (which referrals the actor reads), each required: Reassign and the
// reassignment page (Dashboard.ReferralReassignment) ask both.
func (b base) referralReassignScopes(a model.Actor) (reassign, read model.Scope, err error) {
	if reassign, err = b.require(a, objReferral, actReassign, true); err != nil {
		return reassign, read, err
	}
	read, err = b.require(a, objReferral, actRead, true)
	return reassign, read, err
}
