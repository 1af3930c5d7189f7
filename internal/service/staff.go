package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Names of staff and contact persons (issue 11, item 5).
//
// Staff contact data, a member's name, organisation, business phone and business e-mail, is
// not case content: it names nobody of a case. Who may see it is the policy object "staff"
// (policies/policy.csv, docs/sharing.md "Names of staff and contact persons"):
//
//   - caseworkers see the names of the members of their own organisation (scope org; heads
//     of their subtree, org_tree), so that "who did this" on a case is a name, not "another
//     person";
//   - both sides of a referral see the contact person of the other side (scope referred):
//     the sender (or the case's responsible caseworker when no sender is recorded) and who
//     answers it (its assignee, else who answered it), with the organisation's contact data
//     where the member has none of their own;
//   - an organisation with no referral to or from another organisation reaches none of its
//     staff; the sign-in e-mail and every other account field are never shown.
//
// Reading staff names is not audited: it is no case content, and the page that shows them
// (a referral, a case) is audited itself.

// objStaff is the policy object of staff names and business contact data.
const objStaff = "staff"

// systemOrgs reaches every organisation: organisations are public directory data, and the
// contact persons name the two organisations of a referral the reader already reaches.
var systemOrgs = model.Scope{Object: objOrganisation, Action: actRead, Kinds: []model.ScopeKind{model.ScopeAll}}

// referralContacts names both sides of ref for the actor, through the actor's staff scope:
// a side whose member the scope does not reach stays nil (its organisation is still named).
func (b base) referralContacts(ctx context.Context, tx *store.Tx, a model.Actor, ref *model.Referral) (*model.ReferralContacts, error) {
	sc, err := b.scope(a, objStaff, actRead)
	if err != nil {
		return nil, err
	}
	out := &model.ReferralContacts{}
	for _, side := range []struct {
		id  uuid.UUID
		dst *model.StaffContact
	}{{ref.FromOrgID, &out.SenderOrg}, {ref.ToOrgID, &out.RecipientOrg}} {
		o, err := tx.Organisations().Get(ctx, systemOrgs, side.id)
		if err != nil {
			return nil, err
		}
		*side.dst = model.StaffContact{OrgID: o.ID, OrgName: o.Name, OrgPhone: o.ContactPhone, OrgEmail: o.ContactEmail}
	}
	sender := ref.SentBy
	if sender == nil {
		c, err := tx.Cases().ByID(ctx, ref.CaseID)
		if err != nil {
			return nil, err
		}
		sender = c.ResponsibleUserID
	}
	recipient := ref.AssigneeID
	if recipient == nil {
		recipient = ref.AnsweredBy
	}
	var ids []uuid.UUID
	for _, id := range []*uuid.UUID{sender, recipient} {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	rows, err := tx.Staff().Contacts(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	person := func(id *uuid.UUID, org model.StaffContact) *model.StaffContact {
		if id == nil {
			return nil
		}
		u, ok := rows[*id]
		if !ok {
			return nil
		}
		c := org
		c.UserID, c.Name, c.Phone, c.Email = u.ID, u.DisplayName, u.BusinessPhone, u.BusinessEmail
		return &c
	}
	out.Sender, out.Recipient = person(sender, out.SenderOrg), person(recipient, out.RecipientOrg)
	return out, nil
}
