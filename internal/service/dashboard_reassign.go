package service

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// TeamReassignment is what the page "Aufgabe neu zuweisen" of the team dashboard shows: one
// task of the team as its list row shows it, and whom it may go to.
type TeamReassignment struct {
	// Today is the calendar day (Europe/Berlin) as midnight UTC, for how late the task is.
	Today time.Time
	// Task is the task with its case as the actor may see it, its assignee's name and how
	// late it is.
	Task TeamTask
	// Orgs are the organisations the task may be moved to (the actor's task.reassign
	// subtree, which holds the task's own), the acting one first, every unit after its
	// parent; Areas name the task's area.
	Orgs  []model.Organisation
	Areas []model.Area
	// Members are the people of Orgs the task may be given to (member.read; without it
	// none): active accounts with a caseworker or lead grant, one entry per organisation,
	// by name.
	Members []TeamMember
}

// TeamReassignment returns the reassignment page of a task: the task under the actor's
// task.reassign scope, the same check Tasks.Reassign makes (a task outside it, or without
// that permission, is ErrNotFound), and the organisations and people of the team it may go
// to. One transaction; one "task.read" audit event (view "reassign") records the task shown.
func (s *Dashboard) TeamReassignment(ctx context.Context, a model.Actor, id uuid.UUID) (*TeamReassignment, error) {
	sc, err := s.require(a, objTask, "reassign", true)
	if err != nil {
		return nil, err
	}
	msc, err := s.scope(a, objMember, actRead)
	if err != nil {
		return nil, err
	}
	var orgs []uuid.UUID
	if sc.Has(model.ScopeOrgTree) {
		orgs = sc.OrgTree
	}
	out := &TeamReassignment{Today: s.today()}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := s.labelTask(ctx, tx, a, t); err != nil {
			return err
		}
		d := tx.Dashboard()
		var names map[uuid.UUID]string
		if t.AssigneeID != nil {
			if names, err = d.Names(ctx, []uuid.UUID{*t.AssigneeID}); err != nil {
				return err
			}
		}
		out.Task = teamTasks([]model.Task{*t}, names, out.Today)[0]
		all, err := s.organisations(ctx, tx)
		if err != nil {
			return err
		}
		out.Orgs = subtreeOrder(all, a.OrgID, orgs)
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		if msc.Allowed() && len(orgs) > 0 {
			ms, err := d.TeamMembers(ctx, msc, orgs)
			if err != nil {
				return err
			}
			for _, m := range ms {
				out.Members = append(out.Members, TeamMember(m))
			}
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.read", objTask, t.ID, idOrNil(t.CaseID), model.JSONMap{"view": "reassign"}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReferralReassignment is what the page "Bearbeitung zuweisen" of the team dashboard shows:
// one incoming referral of the team as its list row shows it, and whom it may be given to.
type ReferralReassignment struct {
	// Today is the calendar day (Europe/Berlin) as midnight UTC, for how late the reply is.
	Today time.Time
	// Referral is the referral with its case as the actor may see it and the names of its
	// organisations and people.
	Referral TeamReferral
	// Answerers are the active caseworkers of the receiving organisation, by name.
	Answerers []TeamMember
}

// ReferralReassignment returns the reassignment page of an incoming referral of the team:
// the referral under the actor's referral read scope, with the check Referrals.Reassign
// makes (mayReassignReferral; a referral outside it, or without referral.reassign, is
// ErrNotFound), and the caseworkers of the receiving organisation. One transaction; one
// "referral.read" audit event (view "reassign") records the referral shown.
func (s *Dashboard) ReferralReassignment(ctx context.Context, a model.Actor, id uuid.UUID) (*ReferralReassignment, error) {
	sc, rsc, err := s.referralReassignScopes(a)
	if err != nil {
		return nil, err
	}
	out := &ReferralReassignment{Today: s.today()}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		ref, err := tx.Referrals().Get(ctx, rsc, id)
		if err != nil {
			return err
		}
		if !mayReassignReferral(sc, ref) {
			return fmt.Errorf("service: referral reassignment page: %w", model.ErrNotFound)
		}
		refs := []model.Referral{*ref}
		if err := s.labelCases(ctx, tx, a, nil, refs); err != nil {
			return err
		}
		var people []uuid.UUID
		for _, p := range []*uuid.UUID{ref.SentBy, ref.AssigneeID, ref.AnsweredBy} {
			if p != nil {
				people = append(people, *p)
			}
		}
		names, err := tx.Dashboard().Names(ctx, people)
		if err != nil {
			return err
		}
		all, err := s.organisations(ctx, tx)
		if err != nil {
			return err
		}
		out.Referral = teamReferral(refs[0], []uuid.UUID{ref.ToOrgID}, sc, names, orgNameMap(all), out.Today)
		ms, err := tx.Staff().Answerers(ctx, []uuid.UUID{ref.ToOrgID})
		if err != nil {
			return err
		}
		for _, m := range ms {
			out.Answerers = append(out.Answerers, TeamMember(m))
		}
		return tx.Audit().Record(ctx, caseEvent(a, "referral.read", objReferral, ref.ID, ref.CaseID, model.JSONMap{"view": "reassign"}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
