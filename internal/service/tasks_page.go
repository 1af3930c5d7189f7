package service

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The read models of the task pages: the form of a new task (who may be given it) and the
// page of one task (the task, its comments, its history, the names of the people it
// mentions, and what the viewer may do next). Each is one service call, one transaction and
// one audit event.
//
// Who may be given a task (enforced by Create, offered by Form):
//   - a person only of the actor's own organisation, and only an active account holding a
//     role that works or distributes tasks there (task.update or task.reassign in the
//     policy: caseworkers and department heads; never administrators);
//   - the queue (no person) of the actor's own organisation, or, on a case the actor's
//     organisation leads, the queue of an organisation the case is referred to with an
//     active referral; that task hangs on the referral and ends with it. A person of
//     another organisation is never chosen from outside: its own people take the task.
//
// Names: the task pages name colleagues of the viewer's organisation (display name only,
// staff data of the own organisation, no member.read needed) and, for a viewer with
// member.read, the members that permission reaches; anybody else is shown by organisation.

// deref is the value of p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// MayCreateWithoutCase reports whether the actor may create a task that belongs to no case
// (a task of the own organisation): whoever may create tasks in the organisation scope.
// Partners create tasks only on the cases referred to them.
func (s *Tasks) MayCreateWithoutCase(a model.Actor) bool {
	sc, err := s.scope(a, objTask, actCreate)
	return err == nil && (sc.Has(model.ScopeOrg) || sc.Has(model.ScopeOrgTree))
}

// Form returns the form of a new task, for caseID when set: the case's label through the
// mask (a case the actor may not add tasks to is ErrNotFound), the configured areas, the
// people of the actor's organisation who may work tasks, and the queues the task may go to.
// With a case it records one "case.read" event (the form names the case's person).
func (s *Tasks) Form(ctx context.Context, a model.Actor, caseID *uuid.UUID) (*model.TaskForm, error) {
	sc, err := s.require(a, objTask, actCreate, false)
	if err != nil {
		return nil, err
	}
	if caseID == nil && !s.MayCreateWithoutCase(a) {
		return nil, model.Invalid("case_id", model.CodeRequired)
	}
	out := &model.TaskForm{CaseID: caseID}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		var err error
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		if out.Assignees, err = tx.Tasks().Workers(ctx, a.OrgID, s.workerRoles(a.OrgID)); err != nil {
			return err
		}
		if own, ok := s.authz.Org(a.OrgID); ok {
			out.Queues = append(out.Queues, own)
		}
		if caseID == nil {
			return nil
		}
		c, err := tx.Cases().Get(ctx, onCases(sc), *caseID)
		if err != nil {
			return err
		}
		labels, err := s.caseLabels(ctx, tx, a, []uuid.UUID{c.ID})
		if err != nil {
			return err
		}
		out.Case = labels[c.ID]
		if c.LeadOrgID == a.OrgID {
			recipients, err := tx.Referrals().ActiveRecipients(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, id := range recipients {
				if o, ok := s.authz.Org(id); ok && o.Active && id != a.OrgID {
					out.Queues = append(out.Queues, o)
				}
			}
		}
		return tx.Audit().Record(ctx, caseEvent(a, "case.read", objCase, c.ID, c.ID, model.JSONMap{"page": "task_form"}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Page returns the page of a task the actor may read, or ErrNotFound: the task (its case
// named through the mask), its comments and its history (from the task's audit events), the
// names of the people mentioned that the actor may know, and whether the actor may edit and
// comment (task.update reaching this task). The number of statements does not depend on the
// number of comments or events. It records one "task.read" event.
func (s *Tasks) Page(ctx context.Context, a model.Actor, id uuid.UUID) (*model.TaskPage, error) {
	sc, err := s.require(a, objTask, actRead, true)
	if err != nil {
		return nil, err
	}
	usc, err := s.scope(a, objTask, actUpdate)
	if err != nil {
		return nil, err
	}
	msc, err := s.scope(a, objMember, actRead)
	if err != nil {
		return nil, err
	}
	out := &model.TaskPage{Orgs: map[uuid.UUID]string{}}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := s.labelTask(ctx, tx, a, t); err != nil {
			return err
		}
		out.Task = *t
		if usc.Allowed() {
			switch _, err := tx.Tasks().Get(ctx, usc, id); {
			case err == nil:
				out.May.Edit, out.May.Comment = true, true
				out.May.StatusNext = model.AllowedTransitions("task", string(t.Status))
			case !errors.Is(err, model.ErrNotFound):
				return err
			}
		}
		if out.Comments, err = tx.Tasks().Comments(ctx, id); err != nil {
			return err
		}
		events, err := tx.Tasks().History(ctx, id)
		if err != nil {
			return err
		}
		out.History = taskHistory(events)
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		people := taskMentioned(out)
		if out.People, err = tx.Tasks().ColleagueNames(ctx, a.OrgID, people); err != nil {
			return err
		}
		if msc.Allowed() {
			more, err := tx.Users().Names(ctx, msc, people)
			if err != nil {
				return err
			}
			for k, v := range more {
				out.People[k] = v
			}
		}
		for _, o := range taskOrgs(out) {
			if org, ok := s.authz.Org(o); ok {
				out.Orgs[o] = org.Name
			}
		}
		out.OrgName = out.Orgs[t.OrgID]
		if out.FollowUp, err = s.viewerFollowUp(ctx, tx, a, model.ObjectTask, t.ID); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.read", objTask, t.ID, idOrNil(t.CaseID), model.JSONMap{
			"page": "task", "comments": len(out.Comments), "history": len(out.History),
		}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// taskHistory turns the audit events of a task into its history, oldest first. A change
// that changed nothing is left out; a change of status and fields gives two entries.
func taskHistory(events []model.AuditEvent) []model.TaskHistoryEntry {
	var out []model.TaskHistoryEntry
	for _, ev := range events {
		e := model.TaskHistoryEntry{At: ev.At, ActorID: ev.ActorID, OrgID: ev.OrgID, System: ev.ActorID == nil}
		d := ev.Details
		status, _ := d["status"].(string)
		assignee := func() {
			if s, ok := d["assignee_id"].(string); ok {
				if id, err := uuid.Parse(s); err == nil {
					e.AssigneeID = &id
				}
			}
			if s, ok := d["org_id"].(string); ok {
				if id, err := uuid.Parse(s); err == nil {
					e.AssigneeOrgID = &id
				}
			}
		}
		switch ev.Action {
		case "task.create":
			e.Kind, e.Status = model.TaskHistoryCreated, model.TaskStatus(status)
			assignee()
			out = append(out, e)
		case "task.update":
			var fields []string
			if list, ok := d["changed"].([]any); ok {
				for _, f := range list {
					if s, ok := f.(string); ok {
						fields = append(fields, s)
					}
				}
			}
			if slices.Contains(fields, "status") {
				st := e
				st.Kind, st.Status = model.TaskHistoryStatus, model.TaskStatus(status)
				out = append(out, st)
			}
			fields = slices.DeleteFunc(fields, func(f string) bool { return f == "status" })
			if len(fields) > 0 {
				e.Kind, e.Fields = model.TaskHistoryChanged, fields
				out = append(out, e)
			}
		case "task.reassign":
			e.Kind = model.TaskHistoryReassigned
			assignee()
			out = append(out, e)
		case "task.comment":
			e.Kind = model.TaskHistoryComment
			out = append(out, e)
		case "task.cancel":
			e.Kind, e.Status, e.System = model.TaskHistoryCancelled, model.TaskCancelled, true
			out = append(out, e)
		}
	}
	return out
}

// taskMentioned lists the accounts a task page names, each once.
func taskMentioned(p *model.TaskPage) []uuid.UUID {
	var ids []uuid.UUID
	add := func(id *uuid.UUID) {
		if id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	add(p.Task.AssigneeID)
	add(p.Task.CreatedBy)
	for _, c := range p.Comments {
		add(c.AuthorID)
	}
	for _, e := range p.History {
		add(e.ActorID)
		add(e.AssigneeID)
	}
	return ids
}

// taskOrgs lists the organisations a task page names, each once.
func taskOrgs(p *model.TaskPage) []uuid.UUID {
	ids := []uuid.UUID{p.Task.OrgID}
	add := func(id *uuid.UUID) {
		if id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	for i := range p.Comments {
		add(&p.Comments[i].OrgID)
	}
	for _, e := range p.History {
		add(e.OrgID)
		add(e.AssigneeOrgID)
	}
	return ids
}
