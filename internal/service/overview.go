package service

import (
	"context"
	"slices"
	"sort"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The read models of the case page and the referral form: each page is one service call, one
// transaction and one audit event, and what the viewer may do next is decided here (from the
// policy and the viewer's access to the case), never again by a handler or a template.

// may reports whether the policy grants the actor act on obj in any scope.
func (b base) may(a model.Actor, obj, act string) bool {
	sc, err := b.scope(a, obj, act)
	return err == nil && sc.Allowed()
}

// Overview returns the case page of a case the actor may read, or ErrNotFound: the masked
// case (one statement with its persons and plan), its consents, referrals, tasks and notes
// as far as the actor may read them and the actor's follow-up (one statement), the names of
// the people they mention (one query over those accounts, through the actor's staff scope:
// colleagues and the contact persons of referrals, staff.go), the timeline and what the
// actor may do next. It writes one "case.read" audit event that lists what was shown.
func (s *Cases) Overview(ctx context.Context, a model.Actor, id uuid.UUID) (*model.CaseOverview, error) {
	sc, err := s.require(a, objCase, actRead, true)
	if err != nil {
		return nil, err
	}
	scopes := map[string]model.Scope{}
	for _, obj := range []string{objNote, objReferral, objTask, objConsent, objOrganisation, objStaff} {
		if scopes[obj], err = s.scope(a, obj, actRead); err != nil {
			return nil, err
		}
	}
	out := &model.CaseOverview{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		view, err := s.caseView(ctx, tx, a, sc, id)
		if err != nil {
			return err
		}
		out.Case = *view
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		if sc := scopes[objOrganisation]; sc.Allowed() {
			if out.Organisations, err = s.visibleOrganisations(ctx, tx, sc); err != nil {
				return err
			}
		}
		out.May = s.caseCapabilities(a, out.Case, out.Areas)
		if err := s.overviewLists(ctx, tx, a, scopes, out); err != nil {
			return err
		}
		if out.People, err = tx.Staff().Names(ctx, scopes[objStaff], mentioned(out)); err != nil {
			return err
		}
		out.Timeline = timeline(out)
		ev := caseEvent(a, "case.read", objCase, id, id, model.JSONMap{
			"access": accessLevel(out.Case.Access), "page": "overview", "shown": shown(out),
		})
		if out.Emergency, err = s.emergencyRead(ctx, tx, a, out.Case.Access, id, ev); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// caseCapabilities decides what the actor may do next on a case seen as cv.
func (s *Cases) caseCapabilities(a model.Actor, cv model.CaseView, areas []model.Area) model.CaseCapabilities {
	acc := cv.Access
	if acc.Emergency {
		// An emergency access reads; it changes nothing (the write paths do not admit it).
		return model.CaseCapabilities{}
	}
	content := !acc.SummaryOnly
	may := model.CaseCapabilities{
		Update:        acc.Full && s.may(a, objCase, actUpdate),
		EditPlan:      content && s.may(a, objPlan, actUpdate),
		AddNote:       content && s.may(a, objNote, actCreate),
		AddTask:       content && s.may(a, objTask, actCreate),
		ReadConsents:  acc.Full && s.may(a, objConsent, actRead),
		RecordConsent: acc.Full && s.may(a, objConsent, actCreate) && s.may(a, objCase, actUpdate),
		RevokeConsent: acc.Full && s.may(a, objConsent, "revoke"),
		Refer:         acc.Full && cv.Status != model.CaseClosed && s.may(a, objReferral, actCreate),
	}
	may.EditPersons = may.Update
	may.HandOverResponsible = may.Update || (acc.Full && s.may(a, objCase, actReassign))
	may.HandOverLead = may.Update && cv.Status != model.CaseClosed
	if may.AddNote {
		for _, ar := range areas {
			if acc.Full || slices.Contains(acc.ReferredAreas, ar.Code) {
				may.NoteAreas = append(may.NoteAreas, ar.Code)
			}
		}
		may.NoteAreaRequired = !acc.Full
	}
	if may.Update {
		may.StatusNext = model.AllowedTransitions("case", string(cv.Status))
	}
	return may
}

// overviewLists reads the notes, referrals, tasks and consents of the overview's case that
// the actor may read, each with what the actor may do with it, and the actor's open
// follow-up on the case: one statement (store.Cases.Lists), each list under its own scope.
func (s *Cases) overviewLists(ctx context.Context, tx *store.Tx, a model.Actor, scopes map[string]model.Scope, out *model.CaseOverview) error {
	id, content := out.Case.ID, !out.Case.Access.SummaryOnly
	q := store.CaseListsQuery{CaseID: id, Limit: model.OverviewLimit + 1}
	if sc := scopes[objNote]; content && sc.Allowed() {
		q.Notes = sc
	}
	if sc := scopes[objReferral]; sc.Allowed() {
		q.Referrals = sc
	}
	if sc := scopes[objTask]; sc.Allowed() {
		q.Tasks = sc
	}
	if out.May.ReadConsents {
		q.Consents = scopes[objConsent]
	}
	if a.UserID != uuid.Nil && !a.System {
		q.FollowUpOf = a.UserID
	}
	lists, err := tx.Cases().Lists(ctx, q)
	if err != nil {
		return err
	}
	out.Notes, out.FollowUp = lists.Notes, lists.FollowUp
	refs := lists.Referrals
	if len(refs) > model.OverviewLimit {
		refs, out.More = refs[:model.OverviewLimit], true
	}
	answer, withdraw := s.may(a, objReferral, "answer"), s.may(a, objReferral, "withdraw")
	for _, r := range refs {
		out.Referrals = append(out.Referrals, model.ReferralItem{
			Referral:    r,
			MayAnswer:   answer && r.ToOrgID == a.OrgID && r.Status == model.ReferralSent,
			MayWithdraw: withdraw && r.FromOrgID == a.OrgID && slices.Contains(model.AllowedTransitions("referral", string(r.Status)), string(model.ReferralWithdrawn)),
		})
	}
	if out.Tasks = lists.Tasks; len(out.Tasks) > model.OverviewLimit {
		out.Tasks, out.More = out.Tasks[:model.OverviewLimit], true
	}
	today := s.today()
	for _, co := range lists.Consents {
		valid := co.RevokedAt == nil && !co.ValidUntil.Before(today)
		out.Consents = append(out.Consents, model.ConsentItem{Consent: co, Valid: valid, MayRevoke: valid && out.May.RevokeConsent})
	}
	return nil
}

// mentioned lists the accounts an overview names, each once.
func mentioned(o *model.CaseOverview) []uuid.UUID {
	var ids []uuid.UUID
	add := func(id *uuid.UUID) {
		if id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	add(o.Case.ResponsibleUserID)
	for _, r := range o.Case.Plan {
		add(r.ChangedBy)
	}
	for _, n := range o.Notes {
		add(n.AuthorID)
	}
	for _, t := range o.Tasks {
		add(t.AssigneeID)
		add(t.CreatedBy)
	}
	for _, r := range o.Referrals {
		add(r.SentBy)
		add(r.AnsweredBy)
	}
	for _, c := range o.Consents {
		add(c.RecordedBy)
	}
	return ids
}

// timeline orders what happened on the case, as far as the overview shows it, newest first.
func timeline(o *model.CaseOverview) []model.TimelineEntry {
	cv := o.Case
	out := []model.TimelineEntry{{Kind: model.TimelineOpened, At: cv.OpenedAt}}
	if cv.Status == model.CaseClosed && cv.ClosedAt != nil {
		out = append(out, model.TimelineEntry{Kind: model.TimelineClosed, At: *cv.ClosedAt})
	}
	for _, r := range cv.Plan {
		if r.Version > 1 { // changed since the case was opened
			out = append(out, model.TimelineEntry{Kind: model.TimelinePlan, At: r.ChangedAt, Area: r.Area})
		}
	}
	for _, n := range o.Notes {
		out = append(out, model.TimelineEntry{Kind: model.TimelineNote, At: n.CreatedAt, ID: &n.ID})
	}
	for _, r := range o.Referrals {
		out = append(out, model.TimelineEntry{Kind: model.TimelineReferral, At: r.CreatedAt, ID: &r.ID})
		if r.AnsweredAt != nil {
			out = append(out, model.TimelineEntry{Kind: model.TimelineAnswered, At: *r.AnsweredAt, ID: &r.ID})
		}
	}
	for _, t := range o.Tasks {
		out = append(out, model.TimelineEntry{Kind: model.TimelineTask, At: t.CreatedAt, ID: &t.ID})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// shown lists, for the audit event, what an overview showed: the records by kind.
func shown(o *model.CaseOverview) model.JSONMap {
	ids := func(n int, id func(int) uuid.UUID) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i).String()
		}
		return out
	}
	plan := make([]string, len(o.Case.Plan))
	for i, r := range o.Case.Plan {
		plan[i] = r.Area
	}
	return model.JSONMap{
		"persons":   ids(len(o.Case.Persons), func(i int) uuid.UUID { return o.Case.Persons[i].ID }),
		"plan":      plan,
		"consents":  ids(len(o.Consents), func(i int) uuid.UUID { return o.Consents[i].ID }),
		"referrals": ids(len(o.Referrals), func(i int) uuid.UUID { return o.Referrals[i].ID }),
		"tasks":     ids(len(o.Tasks), func(i int) uuid.UUID { return o.Tasks[i].ID }),
		"notes":     ids(len(o.Notes), func(i int) uuid.UUID { return o.Notes[i].ID }),
	}
}

// Covering returns the referral form of a case the actor's organisation leads (else
// ErrNotFound): the organisations the actor may refer to and the areas in use, the legal
// bases, and the consents of the case valid today, each with whether it covers a referral to
// org for areas today (none does while org or areas are not chosen). It writes one
// "consent.list" audit event that lists the consents shown.
func (s *Consents) Covering(ctx context.Context, a model.Actor, caseID uuid.UUID, org *uuid.UUID, areas []string) (*model.ConsentCovering, error) {
	if err := refuseBadText(areas); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objConsent, actRead, true)
	if err != nil {
		return nil, err
	}
	orgScope, err := s.scope(a, objOrganisation, actRead)
	if err != nil {
		return nil, err
	}
	areas = distinct(areas)
	out := &model.ConsentCovering{CaseID: caseID, Org: org, ChosenAreas: areas, LegalBases: model.LegalBasisNames(s.legalBases)}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, onCases(sc), caseID)
		if err != nil {
			return err
		}
		out.Reference = c.Reference
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		if orgScope.Allowed() {
			orgs, err := s.visibleOrganisations(ctx, tx, orgScope)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				if o.Active && o.ID != a.OrgID {
					out.Organisations = append(out.Organisations, o)
				}
			}
		}
		out.Ready = org != nil && len(areas) > 0 &&
			slices.ContainsFunc(out.Organisations, func(o model.Organisation) bool { return o.ID == *org })
		consents, err := tx.Consents().ForCase(ctx, sc, caseID)
		if err != nil {
			return err
		}
		today := s.today()
		ids := []string{}
		for _, co := range consents {
			if co.RevokedAt != nil || today.Before(co.ValidFrom) || today.After(co.ValidUntil) {
				continue
			}
			out.Consents = append(out.Consents, model.CoveringConsent{Consent: co, Covers: out.Ready && co.Covers(*org, areas, today)})
			ids = append(ids, co.ID.String())
		}
		ev := caseEvent(a, "consent.list", objCaseOfContent, caseID, caseID, model.JSONMap{"count": len(ids), "ids": ids, "page": "referral form"})
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
