package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Editing what changes on a case after it was opened: the persons of the household (edit,
// add, remove, mark the main person), the responsible caseworker (a handover within the
// lead organisation) and the lead organisation itself (a handover to another organisation,
// which that organisation accepts or declines). Each action is one transaction with its audit
// event; audit details name ids only, never person data.

const (
	actReassign = "reassign" // the department head names who works a record (case, referral)
	actAnswer   = "answer"
	objHandover = "handover"

	// maxHandovers bounds each list of the handover page.
	maxHandovers = 200
)

// mayLead reports whether organisations of kind k may lead cases: the policy grants some role
// of their class case.create for their own organisation (today: municipal departments).
func (b base) mayLead(k model.OrgKind) bool {
	for _, r := range b.authz.Rules() { // role, class, object, action, scope
		if r[2] == objCase && r[3] == actCreate && (r[4] == string(model.ScopeOrg) || r[4] == string(model.ScopeOrgTree)) &&
			(r[1] == "*" || r[1] == string(k.Class())) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------------------
// Persons of the household

// EditPerson returns the form "Person bearbeiten": the case, and the person (unmasked; only
// who may update the case reaches it) or none for a new one (personID uuid.Nil). It writes
// one "case.read" audit event.
func (s *Cases) EditPerson(ctx context.Context, a model.Actor, caseID, personID uuid.UUID) (*model.PersonForm, error) {
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	out := &model.PersonForm{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		out.CaseID, out.Reference = c.ID, c.Reference
		details := model.JSONMap{"access": "full", "page": "person_new"}
		if personID != uuid.Nil {
			p, err := tx.Persons().Get(ctx, c.ID, personID)
			if err != nil {
				return err
			}
			p.SearchText = ""
			out.Person = p
			if !p.IsPrimary {
				named, err := tx.Persons().NamedByConsents(ctx, p.ID)
				if err != nil {
					return err
				}
				out.MayRemove, out.NamedByConsent, out.MayMakePrimary = !named, named, true
			}
			details["page"], details["person"] = "person_edit", p.ID.String()
		}
		return tx.Audit().Record(ctx, caseEvent(a, "case.read", objCase, c.ID, c.ID, details))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemovePerson removes a person from the household of a case the actor may update, if
// version is still current (else ErrConflict). The main person cannot be removed (mark
// another first), nor a person that a consent names (the consent is the evidence of what
// that person released): both are ErrInvalid with a code. The row is deleted; the audit
// event "person.delete" keeps its id only.
func (s *Cases) RemovePerson(ctx context.Context, a model.Actor, caseID, personID uuid.UUID, version int) error {
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		p, err := tx.Persons().Get(ctx, c.ID, personID)
		if err != nil {
			return err
		}
		if p.Version != version {
			return fmt.Errorf("service: remove person: stale version: %w", model.ErrConflict)
		}
		if p.IsPrimary {
			return model.Invalid("person", model.CodeMainPerson)
		}
		named, err := tx.Persons().NamedByConsents(ctx, p.ID)
		if err != nil {
			return err
		}
		if named {
			return model.Invalid("person", model.CodeNamedByConsent)
		}
		if err := tx.Persons().Delete(ctx, p, version); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "person.delete", objPerson, p.ID, c.ID, nil))
	})
}

// MakePrimary marks a person as the main person of the household, in one transaction with
// taking the mark from the former one, so that a case always has exactly one. version is the
// person's. It writes one "person.primary" audit event naming the former main person's id.
func (s *Cases) MakePrimary(ctx context.Context, a model.Actor, caseID, personID uuid.UUID, version int) error {
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		p, err := tx.Persons().Get(ctx, c.ID, personID)
		if err != nil {
			return err
		}
		if p.Version != version {
			return fmt.Errorf("service: main person: stale version: %w", model.ErrConflict)
		}
		if p.IsPrimary {
			return model.Invalid("person", model.CodeNothingChanged)
		}
		persons, err := tx.Persons().ForCases(ctx, []uuid.UUID{c.ID})
		if err != nil {
			return err
		}
		details := model.JSONMap{}
		for _, o := range persons[c.ID] {
			if o.IsPrimary {
				details["former"] = o.ID.String()
			}
		}
		if err := tx.Persons().SetPrimary(ctx, c.ID, p.ID); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "person.primary", objPerson, p.ID, c.ID, details))
	})
}

// ---------------------------------------------------------------------------------------
// The responsible caseworker

// responsibleScope reaches the cases whose responsible caseworker the actor may change: who
// may update them (their organisation leads them) and department heads who may reassign
// cases (of their organisation and its units).
func (s *Cases) responsibleScope(a model.Actor) (model.Scope, error) {
	upd, err := s.scope(a, objCase, actUpdate)
	if err != nil {
		return upd, err
	}
	re, err := s.scope(a, objCase, actReassign)
	if err != nil {
		return re, err
	}
	sc := upd
	if re.Allowed() {
		sc = re
		if upd.Allowed() {
			sc.Kinds = append(slices.Clone(re.Kinds), upd.Kinds...)
		}
	}
	if !sc.Allowed() {
		return sc, fmt.Errorf("service: case reassign: %w", model.ErrNotFound)
	}
	return sc, nil
}

// ResponsibleForm returns the form "Zuständigkeit übergeben": the case's responsible
// caseworker and the colleagues who may take over (active caseworkers of the lead
// organisation, by name). It writes one "case.read" audit event.
func (s *Cases) ResponsibleForm(ctx context.Context, a model.Actor, caseID uuid.UUID) (*model.ResponsibleForm, error) {
	sc, err := s.responsibleScope(a)
	if err != nil {
		return nil, err
	}
	out := &model.ResponsibleForm{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		out.CaseID, out.Reference, out.Version, out.Responsible = c.ID, c.Reference, c.Version, c.ResponsibleUserID
		if out.Choices, err = tx.Cases().Caseworkers(ctx, c.LeadOrgID); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "case.read", objCase, c.ID, c.ID, model.JSONMap{"access": "full", "page": "responsible"}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HandOverResponsible makes user the responsible caseworker of the case, if version is still
// current (else ErrConflict): an active caseworker of the lead organisation (else ErrInvalid
// not_member on "responsible_user_id"). It writes one "case.handover" audit event with the
// former and the new caseworker's ids.
func (s *Cases) HandOverResponsible(ctx context.Context, a model.Actor, caseID, user uuid.UUID, version int) error {
	sc, err := s.responsibleScope(a)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		if c.Version != version {
			return fmt.Errorf("service: hand over case: stale version: %w", model.ErrConflict)
		}
		choices, err := tx.Cases().Caseworkers(ctx, c.LeadOrgID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(choices, func(m model.Colleague) bool { return m.ID == user }) {
			return model.Invalid("responsible_user_id", model.CodeNotMember)
		}
		if c.ResponsibleUserID != nil && *c.ResponsibleUserID == user {
			return model.Invalid("responsible_user_id", model.CodeNothingChanged)
		}
		details := model.JSONMap{"to": user.String()}
		if c.ResponsibleUserID != nil {
			details["from"] = c.ResponsibleUserID.String()
		}
		c.ResponsibleUserID = &user
		if err := tx.Cases().Update(ctx, c, version); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "case.handover", objCase, c.ID, c.ID, details))
	})
}

// ---------------------------------------------------------------------------------------
// The lead organisation

// HandoverForm returns the form "Federführung übergeben" of a case the actor may update: the
// active organisations that may lead cases (by the policy: the classes granted case.create),
// except the lead, and the pending handover. It writes one "case.read" audit event.
func (s *Cases) HandoverForm(ctx context.Context, a model.Actor, caseID uuid.UUID) (*model.HandoverForm, error) {
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	out := &model.HandoverForm{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		out.CaseID, out.Reference, out.Version, out.LeadOrgID = c.ID, c.Reference, c.Version, c.LeadOrgID
		if out.Targets, err = s.handoverTargets(ctx, tx, c); err != nil {
			return err
		}
		h, err := tx.Handovers().Pending(ctx, c.ID)
		if err != nil {
			return err
		}
		if h != nil {
			out.Pending = &model.HandoverItem{CaseHandover: *h, Reference: c.Reference, MayWithdraw: h.FromOrgID == c.LeadOrgID}
		}
		return tx.Audit().Record(ctx, caseEvent(a, "case.read", objCase, c.ID, c.ID, model.JSONMap{"access": "full", "page": "handover"}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// handoverTargets are the organisations the case may be handed to.
func (s *Cases) handoverTargets(ctx context.Context, tx *store.Tx, c *model.Case) ([]model.Organisation, error) {
	all, err := tx.Organisations().All(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.Organisation
	for _, o := range all {
		if o.Active && o.ID != c.LeadOrgID && s.mayLead(o.Kind) {
			out = append(out, o)
		}
	}
	return out, nil
}

// RequestHandover asks the organisation to to take over the lead of a case the actor may
// update, if version (the case's) is still current. to must be an active organisation that
// may lead cases, other than the lead ("org" not_usable); a case with a pending handover is
// "org" handover_pending; a closed case "org" case_closed. reason (at most 500 characters)
// is for the receiving organisation. It writes one "case.handover_request" audit event.
func (s *Cases) RequestHandover(ctx context.Context, a model.Actor, caseID, to uuid.UUID, reason string, version int) (*model.CaseHandover, error) {
	if err := refuseBadText(textInput{"reason": reason}); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var out *model.CaseHandover
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		if c.Version != version {
			return fmt.Errorf("service: request handover: stale version: %w", model.ErrConflict)
		}
		v := &model.ValidationError{}
		targets, err := s.handoverTargets(ctx, tx, c)
		if err != nil {
			return err
		}
		switch {
		case c.Status == model.CaseClosed:
			v.Add("org", model.CodeCaseClosed)
		case to == uuid.Nil:
			v.Add("org", model.CodeRequired)
		case !slices.ContainsFunc(targets, func(o model.Organisation) bool { return o.ID == to }):
			v.Add("org", model.CodeNotUsable)
		}
		if tooLong(reason, maxReasonLength) {
			v.Add("reason", model.CodeTooLong, model.Params{"max": maxReasonLength})
		}
		pending, err := tx.Handovers().Pending(ctx, c.ID)
		if err != nil {
			return err
		}
		if pending != nil {
			v.Add("org", model.CodeHandoverPending)
		}
		if err := v.Err(); err != nil {
			return err
		}
		h := &model.CaseHandover{CaseID: c.ID, FromOrgID: c.LeadOrgID, ToOrgID: to, Status: model.HandoverRequested, Reason: reason}
		if a.UserID != uuid.Nil {
			id := a.UserID
			h.RequestedBy = &id
		}
		if err := tx.Handovers().Create(ctx, h); err != nil {
			return err
		}
		out = h
		return tx.Audit().Record(ctx, caseEvent(a, "case.handover_request", objHandover, h.ID, c.ID, model.JSONMap{
			"from_org": h.FromOrgID.String(), "to_org": h.ToOrgID.String(),
		}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// answerOrgs are the organisations for which the actor may answer handovers, by the scope
// of handover.answer: its own (caseworkers of organisations that lead cases), or its
// subtree (department heads).
func (s *Cases) answerOrgs(a model.Actor) ([]uuid.UUID, error) {
	sc, err := s.scope(a, objHandover, actAnswer)
	if err != nil {
		return nil, err
	}
	switch {
	case sc.Has(model.ScopeOrgTree):
		return sc.OrgTree, nil
	case sc.Has(model.ScopeOrg):
		return []uuid.UUID{a.OrgID}, nil
	}
	return nil, nil
}

// withdrawOrgs are the organisations for which the actor may withdraw handovers: its own,
// when it may update cases there.
func (s *Cases) withdrawOrgs(a model.Actor) ([]uuid.UUID, error) {
	upd, err := s.scope(a, objCase, actUpdate)
	if err != nil {
		return nil, err
	}
	if upd.Has(model.ScopeOrg) || upd.Has(model.ScopeOrgTree) {
		return []uuid.UUID{a.OrgID}, nil
	}
	return nil, nil
}

// Handovers returns the pending handovers to the organisations the actor may answer for and
// from the actor's organisation: case references, organisations, dates and reasons, no
// person data (the receiving organisation sees the case only once it accepts). It writes one
// "case.handover_list" audit event with the counts.
func (s *Cases) Handovers(ctx context.Context, a model.Actor) (*model.Handovers, error) {
	answer, err := s.answerOrgs(a)
	if err != nil {
		return nil, err
	}
	withdraw, err := s.withdrawOrgs(a)
	if err != nil {
		return nil, err
	}
	if len(answer) == 0 && len(withdraw) == 0 {
		return nil, fmt.Errorf("service: handovers: %w", model.ErrForbidden)
	}
	out := &model.Handovers{Organisations: map[uuid.UUID]string{}}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		var err error
		if len(answer) > 0 {
			if out.Incoming, err = tx.Handovers().PendingFor(ctx, answer, true, maxHandovers); err != nil {
				return err
			}
			for i := range out.Incoming {
				out.Incoming[i].MayAnswer = true
			}
		}
		if len(withdraw) > 0 {
			if out.Outgoing, err = tx.Handovers().PendingFor(ctx, withdraw, false, maxHandovers); err != nil {
				return err
			}
			for i := range out.Outgoing {
				out.Outgoing[i].MayWithdraw = true
			}
		}
		orgs, err := tx.Organisations().All(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			out.Organisations[o.ID] = o.Name
		}
		ev := event(a, "case.handover_list", objHandover, uuid.Nil, model.JSONMap{"incoming": len(out.Incoming), "outgoing": len(out.Outgoing)})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AcceptHandover takes over the lead of the handed-over case for the receiving organisation,
// if version (the handover's) is still current: the case's lead organisation becomes the
// receiving one and its responsible caseworker the actor (when the actor is a caseworker
// there) or nobody, in one transaction with the handover's answer. From then on the former
// lead organisation reaches the case only as far as referrals give it access (the scopes
// follow cases.lead_org_id): its own open tasks on the case are cancelled ("access ended",
// one "task.cancel" event each), except those of a referral to it. Only the receiving organisation may accept: the sender
// gets ErrForbidden, anybody else ErrNotFound. It writes one "case.handover_accept" audit
// event naming both organisations.
func (s *Cases) AcceptHandover(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.CaseHandover, error) {
	return s.answerHandover(ctx, a, id, version, model.HandoverAccepted, "")
}

// DeclineHandover declines a handover to the actor's organisation with a reason (required,
// at most 500 characters); the case stays where it is. It writes one "case.handover_decline"
// audit event.
func (s *Cases) DeclineHandover(ctx context.Context, a model.Actor, id uuid.UUID, reason string, version int) (*model.CaseHandover, error) {
	return s.answerHandover(ctx, a, id, version, model.HandoverDeclined, reason)
}

// WithdrawHandover withdraws a pending handover the actor's organisation sent. It writes
// one "case.handover_withdraw" audit event.
func (s *Cases) WithdrawHandover(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.CaseHandover, error) {
	return s.answerHandover(ctx, a, id, version, model.HandoverWithdrawn, "")
}

func (s *Cases) answerHandover(ctx context.Context, a model.Actor, id uuid.UUID, version int, to model.HandoverStatus, reason string) (*model.CaseHandover, error) {
	if err := refuseBadText(textInput{"reason": reason}); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var orgs []uuid.UUID
	var err error
	if to == model.HandoverWithdrawn {
		orgs, err = s.withdrawOrgs(a)
	} else {
		orgs, err = s.answerOrgs(a)
	}
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, fmt.Errorf("service: answer handover: %w", model.ErrNotFound)
	}
	var out *model.CaseHandover
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		// Both sides see a handover; only one may take each step.
		seen := append(slices.Clone(orgs), a.OrgID)
		h, err := tx.Handovers().Get(ctx, seen, id)
		if err != nil {
			return err
		}
		side := h.ToOrgID
		if to == model.HandoverWithdrawn {
			side = h.FromOrgID
		}
		if !slices.Contains(orgs, side) {
			return fmt.Errorf("service: %s handover of the other side: %w", to, model.ErrForbidden)
		}
		if h.Status != model.HandoverRequested {
			return model.RefuseTransition("handover", string(h.Status), string(to))
		}
		if h.Version != version {
			return fmt.Errorf("service: answer handover: stale version: %w", model.ErrConflict)
		}
		v := &model.ValidationError{}
		if to == model.HandoverDeclined && reason == "" {
			v.Add("reason", model.CodeRequired, model.Params{"max": maxReasonLength})
		}
		if tooLong(reason, maxReasonLength) {
			v.Add("reason", model.CodeTooLong, model.Params{"max": maxReasonLength})
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		h.Status, h.AnswerReason, h.AnsweredAt = to, reason, &now
		if a.UserID != uuid.Nil {
			uid := a.UserID
			h.AnsweredBy = &uid
		}
		c, err := tx.Cases().ByID(ctx, h.CaseID)
		if err != nil {
			return err
		}
		details := model.JSONMap{"from_org": h.FromOrgID.String(), "to_org": h.ToOrgID.String()}
		if to == model.HandoverAccepted {
			if c.LeadOrgID != h.FromOrgID {
				return fmt.Errorf("service: accept handover: the case moved meanwhile: %w", model.ErrConflict)
			}
			c.LeadOrgID, c.ResponsibleUserID = h.ToOrgID, nil
			if a.OrgID == h.ToOrgID && slices.Contains(a.Roles, model.RoleCaseworker) && a.UserID != uuid.Nil {
				uid := a.UserID
				c.ResponsibleUserID = &uid
				details["responsible"] = uid.String()
			}
			if err := tx.Cases().SetLead(ctx, c, c.Version); err != nil {
				return err
			}
			// The former lead's own open tasks on the case end with its lead.
			tasks, err := tx.Tasks().CancelOfFormerLead(ctx, c.ID, h.FromOrgID, now)
			if err != nil {
				return err
			}
			for i := range tasks {
				t := &tasks[i]
				d := taskDetails(t)
				d["reason"] = string(t.StatusReason)
				if err := tx.Audit().Record(ctx, caseEvent(a, "task.cancel", objTask, t.ID, c.ID, d)); err != nil {
					return err
				}
			}
		}
		if err := tx.Handovers().Update(ctx, h, version); err != nil {
			return err
		}
		out = h
		action := map[model.HandoverStatus]string{
			model.HandoverAccepted: "case.handover_accept", model.HandoverDeclined: "case.handover_decline", model.HandoverWithdrawn: "case.handover_withdraw",
		}[to]
		return tx.Audit().Record(ctx, caseEvent(a, action, objHandover, h.ID, c.ID, details))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
