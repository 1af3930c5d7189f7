package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Tasks manages tasks and their comments.
type Tasks struct{ base }

const maxTaskTitle = 200

// checkDueDate checks that a due date lies at most a year in the past and five years ahead.
func (s *Tasks) checkDueDate(v *model.ValidationError, d *model.Date) {
	if d == nil {
		return
	}
	today := s.today()
	day := civilDay(*d)
	switch {
	case d.IsZero():
		v.Add("due_date", model.CodeFormat)
	case day.Before(today.AddDate(-1, 0, 0)):
		v.Add("due_date", model.CodeTooFarPast, model.Params{"years": 1})
	case day.After(today.AddDate(5, 0, 0)):
		v.Add("due_date", model.CodeTooFarAhead, model.Params{"years": 5})
	}
}

func checkTitle(v *model.ValidationError, title string) {
	checkLength(v, "title", title, true, maxTaskTitle)
}

// taskDetails are the audit details of a task change: ids and codes, never text.
func taskDetails(t *model.Task) model.JSONMap {
	d := model.JSONMap{"org_id": t.OrgID.String(), "status": t.Status, "priority": t.Priority, "version": t.Version}
	if t.AssigneeID != nil {
		d["assignee_id"] = t.AssigneeID.String()
	}
	if t.ReferralID != nil {
		d["referral_id"] = t.ReferralID.String()
	}
	return d
}

// Create adds a task. Its organisation is the actor's own or, when the task is linked to an
// active referral, the sender or recipient of it, or, on a case the actor's organisation
// leads, an organisation holding an active referral for the case: a task gives its
// organisation access to the case, so it may only go where the case is shared already.
// A linked case must be one the actor may add tasks to (led by, or referred to, the actor's
// organisation); a linked referral must be visible and sets the case. An organisation that
// may create tasks only on referred cases (partners) must link one.
func (s *Tasks) Create(ctx context.Context, a model.Actor, in model.TaskCreate) (*model.Task, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objTask, "create", false)
	if err != nil {
		return nil, err
	}
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.Priority == "" {
		in.Priority = model.PriorityNormal
	}
	v := &model.ValidationError{}
	if in.OrgID == uuid.Nil {
		v.Add("org_id", model.CodeRequired)
	}
	checkTitle(v, in.Title)
	checkText(v, "description", in.Description, false)
	s.checkDueDate(v, in.DueDate)
	if !slices.Contains(model.TaskPriorities, in.Priority) {
		v.Add("priority", model.CodeNotOneOf, model.Params{"allowed": "low, normal, high, urgent"})
	}
	if in.Area != nil && *in.Area == "" {
		in.Area = nil
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := &model.Task{
		OrgID: in.OrgID, AssigneeID: in.AssigneeID, CaseID: in.CaseID, Area: in.Area, ReferralID: in.ReferralID,
		Title: in.Title, Description: in.Description, Priority: in.Priority, Status: model.TaskOpen, CreatedBy: actorRef(a),
	}
	if in.DueDate != nil {
		d := civilDay(*in.DueDate)
		t.DueDate = &d
	}
	replayed, err := s.keyed(ctx, a, created, objTask, &t.ID, func(tx *store.Tx) error {
		allowed := []uuid.UUID{a.OrgID}
		if in.ReferralID != nil {
			rsc, err := s.scope(a, objReferral, "read")
			if err != nil {
				return err
			}
			ref, err := tx.Referrals().Get(ctx, rsc, *in.ReferralID)
			if err != nil {
				return unusable(err, "referral_id")
			}
			if in.CaseID != nil && *in.CaseID != ref.CaseID {
				return model.Invalid("case_id", model.CodeWrongCase)
			}
			t.CaseID = &ref.CaseID
			if ref.Status.Active() {
				allowed = append(allowed, ref.FromOrgID, ref.ToOrgID)
			}
		}
		if t.CaseID != nil {
			c, err := tx.Cases().Get(ctx, onCases(sc), *t.CaseID)
			if err != nil {
				return unusable(err, "case_id")
			}
			if c.LeadOrgID == a.OrgID {
				recipients, err := tx.Referrals().ActiveRecipients(ctx, c.ID)
				if err != nil {
					return err
				}
				allowed = append(allowed, recipients...)
				// A task for a recipient exists because of its referral, and hangs on it:
				// when the referral ends, the task ends with the recipient's access.
				if t.ReferralID == nil && in.OrgID != a.OrgID && slices.Contains(recipients, in.OrgID) {
					ref, err := tx.Referrals().ActiveTo(ctx, c.ID, in.OrgID)
					if err != nil {
						return err
					}
					t.ReferralID = &ref
				}
			}
		} else if !sc.Has(model.ScopeOrg) && !sc.Has(model.ScopeOrgTree) {
			return model.Invalid("case_id", model.CodeRequired)
		}
		v := &model.ValidationError{}
		if !slices.Contains(allowed, in.OrgID) {
			v.Add("org_id", model.CodeNotYourOrg)
		} else if _, err := tx.ActiveOrganisation(ctx, in.OrgID); err != nil {
			if !errors.Is(err, model.ErrNotFound) {
				return err
			}
			v.Add("org_id", model.CodeOrgInactive)
		}
		// A person is chosen only within the actor's own organisation; another
		// organisation's task goes to its queue, and its own people take it from there.
		if in.AssigneeID != nil && in.OrgID != a.OrgID {
			v.Add("assignee_id", model.CodeNotMember)
		} else if err := s.checkAssignee(ctx, tx, v, in.OrgID, in.AssigneeID); err != nil {
			return err
		}
		if t.Area != nil {
			unknown, err := tx.UnknownAreas(ctx, []string{*t.Area})
			if err != nil {
				return err
			}
			if len(unknown) > 0 {
				v.Add("area", model.CodeUnknown, model.Params{"values": *t.Area})
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		t.CreatedAt, t.UpdatedAt = s.now().UTC(), s.now().UTC() // the services' clock, so that backdated demo data is consistent
		if err := tx.Tasks().Create(ctx, t); err != nil {
			return err
		}
		told, err := s.notifyAssignee(ctx, tx, a, t)
		if err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.create", objTask, t.ID, idOrNil(t.CaseID), notified(taskDetails(t), told)))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.Get(ctx, a, t.ID)
	}
	return t, nil
}

// checkAssignee adds a field error unless assignee is nil or an active member of org who
// holds a role that may work tasks there (workerRoles).
func (s *Tasks) checkAssignee(ctx context.Context, tx *store.Tx, v *model.ValidationError, org uuid.UUID, assignee *uuid.UUID) error {
	if assignee == nil {
		return nil
	}
	ok, err := tx.Tasks().IsWorker(ctx, *assignee, org, s.workerRoles(org))
	if err != nil {
		return err
	}
	if !ok {
		v.Add("assignee_id", model.CodeNotMember)
	}
	return nil
}

// workerRoles are the roles that work or distribute tasks in org, read from the policy
// (task.update: caseworkers; task.reassign: department heads, who also take tasks
// themselves): the people a task of org may be given to hold one of them. Administrators,
// coordination staff and the data protection officer never get a task.
func (s *Tasks) workerRoles(org uuid.UUID) []string {
	class := ""
	if o, ok := s.authz.Org(org); ok {
		class = string(o.Kind.Class())
	}
	var roles []string
	for _, r := range s.authz.Rules() { // role, class, object, action, scope
		if len(r) >= 4 && r[2] == objTask && (r[3] == actUpdate || r[3] == "reassign") && (r[1] == "*" || r[1] == class) && !slices.Contains(roles, r[0]) {
			roles = append(roles, r[0])
		}
	}
	return roles
}

// notifyAssignee tells the member a task was just given to (created for them, or
// reassigned to them) of it, in the transaction of the change; never the actor themself.
// It returns the notification written, for the change's audit event.
// The occasion is the task's version, so a task given to the same member again is told
// again.
func (s *Tasks) notifyAssignee(ctx context.Context, tx *store.Tx, a model.Actor, t *model.Task) ([]model.Notification, error) {
	if t.AssigneeID == nil {
		return nil, nil
	}
	return s.notify(ctx, tx, a, []model.Notification{{
		UserID: *t.AssigneeID, OrgID: t.OrgID, Kind: model.NotifyTaskAssigned, ObjectType: model.ObjectTask, ObjectID: t.ID,
		Occasion: fmt.Sprintf("v%d", t.Version),
	}})
}

// Get returns one task the actor may see, or ErrNotFound.
func (s *Tasks) Get(ctx context.Context, a model.Actor, id uuid.UUID) (*model.Task, error) {
	sc, err := s.require(a, objTask, "read", true)
	if err != nil {
		return nil, err
	}
	var out *model.Task
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		if out, err = tx.Tasks().Get(ctx, sc, id); err != nil {
			return err
		}
		if err := s.labelTask(ctx, tx, a, out); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.read", objTask, out.ID, idOrNil(out.CaseID), nil))
	})
	return out, err
}

// Update changes title, description, due date, priority and status of a task if version is
// current. Status changes follow the task state machine; done sets done_at, reopening
// clears it.
func (s *Tasks) Update(ctx context.Context, a model.Actor, id uuid.UUID, version int, p model.TaskPatch) (*model.Task, error) {
	if err := refuseBadText(p); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objTask, "update", true)
	if err != nil {
		return nil, err
	}
	v := &model.ValidationError{}
	if p.Title == nil && p.Description == nil && p.DueDate == nil && !p.ClearDueDate && p.Priority == nil && p.Status == nil && p.Area == nil {
		v.Add("body", model.CodeNothingChanged)
	}
	if p.Title != nil {
		*p.Title = strings.TrimSpace(*p.Title)
		checkTitle(v, *p.Title)
	}
	if p.Description != nil {
		*p.Description = strings.TrimSpace(*p.Description)
		checkText(v, "description", *p.Description, false)
	}
	if p.ClearDueDate && p.DueDate != nil {
		v.Add("due_date", model.CodeExclusive, model.Params{"other": "due_date"})
	}
	s.checkDueDate(v, p.DueDate)
	if p.Priority != nil && !slices.Contains(model.TaskPriorities, *p.Priority) {
		v.Add("priority", model.CodeNotOneOf, model.Params{"allowed": "low, normal, high, urgent"})
	}
	if p.Status != nil && !slices.Contains(model.TaskStatuses, *p.Status) {
		v.Add("status", model.CodeNotOneOf, model.Params{"allowed": "open, in_progress, waiting, done, cancelled"})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *model.Task
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if t.Version != version {
			return fmt.Errorf("service: update task: %w", model.ErrConflict)
		}
		changed := []string{}
		if p.Status != nil && *p.Status != t.Status {
			if !t.Status.CanTransition(*p.Status) {
				return model.RefuseTransition("task", string(t.Status), string(*p.Status))
			}
			t.Status, t.StatusReason = *p.Status, "" // a person's change replaces the system's reason
			if t.Status == model.TaskDone {
				now := s.now().UTC()
				t.DoneAt = &now
			} else {
				t.DoneAt = nil
			}
			changed = append(changed, "status")
		}
		// Only what differs counts as changed: the task's history names these fields.
		if p.Title != nil && *p.Title != t.Title {
			t.Title, changed = *p.Title, append(changed, "title")
		}
		if p.Description != nil && *p.Description != t.Description {
			t.Description, changed = *p.Description, append(changed, "description")
		}
		if p.Area != nil && *p.Area != deref(t.Area) {
			if *p.Area == "" {
				t.Area = nil
			} else {
				unknown, err := tx.UnknownAreas(ctx, []string{*p.Area})
				if err != nil {
					return err
				}
				if len(unknown) > 0 {
					return model.Invalid("area", model.CodeUnknown, model.Params{"values": *p.Area})
				}
				area := *p.Area
				t.Area = &area
			}
			changed = append(changed, "area")
		}
		if p.DueDate != nil {
			d := civilDay(*p.DueDate)
			if t.DueDate == nil || !t.DueDate.Equal(d) {
				t.DueDate, changed = &d, append(changed, "due_date")
			}
		}
		if p.ClearDueDate && t.DueDate != nil {
			t.DueDate, changed = nil, append(changed, "due_date")
		}
		if p.Priority != nil && *p.Priority != t.Priority {
			t.Priority, changed = *p.Priority, append(changed, "priority")
		}
		if err := tx.Tasks().Update(ctx, t, version); err != nil {
			return err
		}
		if err := s.labelTask(ctx, tx, a, t); err != nil {
			return err
		}
		out = t
		d := taskDetails(t)
		d["changed"] = changed
		return tx.Audit().Record(ctx, caseEvent(a, "task.update", objTask, t.ID, idOrNil(t.CaseID), d))
	})
	return out, err
}

// Reassign moves a task to an organisation in the department head's subtree and optionally
// to a member of it. A task outside the head's reach is ErrNotFound; a target organisation
// outside the subtree, or an assignee who is no member of it, is ErrInvalid.
func (s *Tasks) Reassign(ctx context.Context, a model.Actor, id uuid.UUID, version int, in model.TaskReassign) (*model.Task, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objTask, "reassign", true)
	if err != nil {
		return nil, err
	}
	if in.OrgID == uuid.Nil {
		return nil, model.Invalid("org_id", model.CodeRequired)
	}
	var out *model.Task
	replayed, err := s.keyed(ctx, a, changed, objTask, &id, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if t.Version != version {
			return fmt.Errorf("service: reassign task: %w", model.ErrConflict)
		}
		v := &model.ValidationError{}
		if !sc.Has(model.ScopeOrgTree) || !slices.Contains(sc.OrgTree, in.OrgID) {
			v.Add("org_id", model.CodeNotYourOrg)
		} else if _, err := tx.ActiveOrganisation(ctx, in.OrgID); err != nil {
			if !errors.Is(err, model.ErrNotFound) {
				return err
			}
			v.Add("org_id", model.CodeOrgInactive)
		}
		if err := s.checkAssignee(ctx, tx, v, in.OrgID, in.AssigneeID); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		from := t.OrgID
		t.OrgID, t.AssigneeID = in.OrgID, in.AssigneeID
		if err := tx.Tasks().Update(ctx, t, version); err != nil {
			return err
		}
		out = t
		told, err := s.notifyAssignee(ctx, tx, a, t)
		if err != nil {
			return err
		}
		d := notified(taskDetails(t), told)
		d["from_org_id"] = from.String()
		return tx.Audit().Record(ctx, caseEvent(a, "task.reassign", objTask, t.ID, idOrNil(t.CaseID), d))
	})
	if err != nil || !replayed {
		return out, err
	}
	return s.Get(ctx, a, id)
}

// AddComment adds a comment to a task the actor may update. Author and organisation are the
// actor's.
func (s *Tasks) AddComment(ctx context.Context, a model.Actor, taskID uuid.UUID, body string) (*model.TaskComment, error) {
	if err := refuseBadText(textInput{"body": body}); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objTask, "update", true)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	v := &model.ValidationError{}
	checkText(v, "body", body, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &model.TaskComment{TaskID: taskID, AuthorID: actorRef(a), OrgID: a.OrgID, Body: body}
	replayed, err := s.keyed(ctx, a, created, "task_comment", &c.ID, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, taskID)
		if err != nil {
			return err
		}
		if err := tx.Tasks().AddComment(ctx, c); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.comment", objTask, t.ID, idOrNil(t.CaseID), model.JSONMap{"comment_id": c.ID.String()}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.comment(ctx, a, taskID, c.ID)
	}
	return c, nil
}

// Comments returns the comments of a task the actor may see, oldest first.
func (s *Tasks) Comments(ctx context.Context, a model.Actor, taskID uuid.UUID) ([]model.TaskComment, error) {
	sc, err := s.require(a, objTask, "read", true)
	if err != nil {
		return nil, err
	}
	var out []model.TaskComment
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		t, err := tx.Tasks().Get(ctx, sc, taskID)
		if err != nil {
			return err
		}
		if out, err = tx.Tasks().Comments(ctx, taskID); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "task.read", objTask, t.ID, idOrNil(t.CaseID), model.JSONMap{"part": "comments"}))
	})
	return out, err
}

// List returns one page of the tasks the actor may see, by due date (none last) and id or
// by f.Sort (numbered pages), narrowed by f, with the total count under the same predicate.
// One audit event records the read with the ids shown.
func (s *Tasks) List(ctx context.Context, a model.Actor, f model.TaskFilter) (*model.Page[model.Task], error) {
	sc, q, limit, err := s.taskQuery(a, f)
	if err != nil {
		return nil, err
	}
	page := &model.Page[model.Task]{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		items, total, err := tx.Tasks().List(ctx, sc, q)
		if err != nil {
			return err
		}
		items, page.NextCursor = cut(taskPages, items, limit, func(t *model.Task) any { return store.TaskKeyOf(t) })
		if q.Numbered {
			page.NextCursor = ""
		}
		page.Items, page.Total = items, total
		if err := s.labelTasks(ctx, tx, a, page.Items); err != nil {
			return err
		}
		ids, cases := make([]string, len(items)), []string{}
		for i, t := range items {
			ids[i] = t.ID.String()
			if t.CaseID != nil && !slices.Contains(cases, t.CaseID.String()) {
				cases = append(cases, t.CaseID.String())
			}
		}
		ev := caseEvent(a, "task.list", objTask, uuid.Nil, idOrNil(f.CaseID), model.JSONMap{"ids": ids, "case_ids": cases})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// Export returns every task of the list f describes (f.Cursor, f.Limit and f.Page are
// ignored), in f's order, read and labelled exactly like List, for a download. More than
// model.ExportMax tasks is ErrInvalid (CodeTooManyResults): the filter must be narrower. It
// writes one "task.export" audit event with the kinds of filter and the row count, never
// titles or names.
func (s *Tasks) Export(ctx context.Context, a model.Actor, f model.TaskFilter) ([]model.Task, error) {
	f.Cursor, f.Limit, f.Page = "", 0, 0
	sc, q, _, err := s.taskQuery(a, f)
	if err != nil {
		return nil, err
	}
	q.Numbered, q.Limit, q.Sort.Offset = true, maxExport+1, 0
	var out []model.Task
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		items, total, err := tx.Tasks().List(ctx, sc, q)
		if err != nil {
			return err
		}
		if total > maxExport {
			return model.Invalid("filter", model.CodeTooManyResults, model.Params{"total": total, "max": maxExport})
		}
		if err := s.labelTasks(ctx, tx, a, items); err != nil {
			return err
		}
		out = items
		ev := caseEvent(a, "task.export", objTask, uuid.Nil, idOrNil(f.CaseID), model.JSONMap{"total": len(items), "filters": taskFilterKinds(f), "sort": f.Sort, "desc": f.Desc})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// taskFilterKinds names the filters f uses, for the audit trail: never their values.
func taskFilterKinds(f model.TaskFilter) []string {
	kinds := []string{}
	add := func(on bool, k string) {
		if on {
			kinds = append(kinds, k)
		}
	}
	add(f.Mine, "mine")
	add(f.Queue, "queue")
	add(f.AssigneeID != nil, "assignee")
	add(f.OrgID != nil, "org")
	add(f.Subtree, "subtree")
	add(len(f.Status) > 0, "status")
	add(f.DueBefore != nil || f.DueAfter != nil, "due")
	add(f.Overdue, "overdue")
	add(f.Area != nil, "area")
	add(f.CaseID != nil, "case")
	add(f.ReferralID != nil, "referral")
	return kinds
}

// taskQuery checks f and turns it into the store's query; limit is the page size.
func (s *Tasks) taskQuery(a model.Actor, f model.TaskFilter) (model.Scope, store.TaskQuery, int, error) {
	if err := refuseBadText(f); err != nil {
		return model.Scope{}, store.TaskQuery{}, 0, err
	}
	sc, err := s.require(a, objTask, "read", false)
	if err != nil {
		return sc, store.TaskQuery{}, 0, err
	}
	limit, err := taskPages.limit(f.Limit)
	if err != nil {
		return sc, store.TaskQuery{}, 0, err
	}
	q := store.TaskQuery{AssigneeID: f.AssigneeID, Statuses: f.Status, Area: f.Area, CaseID: f.CaseID, ReferralID: f.ReferralID, Limit: limit + 1}
	if f.Mine {
		if f.AssigneeID != nil && *f.AssigneeID != a.UserID {
			return sc, q, 0, model.Invalid("assignee_id", model.CodeExclusive, model.Params{"other": "mine"})
		}
		me := a.UserID
		q.AssigneeID = &me
	}
	if f.Queue {
		me, org := a.UserID, a.OrgID
		q.QueueUser, q.QueueOrg = &me, &org
	}
	if f.OrgID != nil {
		q.Orgs = []uuid.UUID{*f.OrgID}
		if f.Subtree {
			// The subtree only narrows: what the actor may not see stays hidden anyway.
			q.Orgs = s.authz.Subtree(*f.OrgID)
		}
	}
	for _, st := range f.Status {
		if !slices.Contains(model.TaskStatuses, st) {
			return sc, q, 0, model.Invalid("status", model.CodeUnknown, model.Params{"values": st})
		}
	}
	if f.DueAfter != nil {
		d := civilDay(*f.DueAfter)
		q.DueFrom = &d
	}
	if f.DueBefore != nil {
		d := civilDay(*f.DueBefore)
		q.DueTo = &d
	}
	if f.Overdue {
		today := s.today()
		q.OverdueOn = &today
	}
	caseScope, err := s.scope(a, objCase, actRead)
	if err != nil {
		return sc, q, 0, err
	}
	v := &model.ValidationError{}
	q.Sort = listSort(v, f.ListOrder, taskSorts, limit, f.Cursor, caseScope)
	q.Numbered = f.Numbered()
	if err := v.Err(); err != nil {
		return sc, q, 0, err
	}
	var k store.TaskKey
	if ok, err := taskPages.after(f.Cursor, &k); err != nil {
		return sc, q, 0, err
	} else if ok {
		q.After = &k
	}
	return sc, q, limit, nil
}

// labelTasks names the cases of the tasks as the actor may see them (Task.Case).
func (b base) labelTasks(ctx context.Context, tx *store.Tx, a model.Actor, tasks []model.Task) error {
	return b.labelCases(ctx, tx, a, tasks, nil)
}

// labelCases names the cases of tasks and referrals as the actor may see them (Task.Case,
// Referral.Case), with one reading of the labels (caseLabels) for both lists.
func (b base) labelCases(ctx context.Context, tx *store.Tx, a model.Actor, tasks []model.Task, refs []model.Referral) error {
	var ids []uuid.UUID
	for _, t := range tasks {
		if t.CaseID != nil && !slices.Contains(ids, *t.CaseID) {
			ids = append(ids, *t.CaseID)
		}
	}
	for _, r := range refs {
		if !slices.Contains(ids, r.CaseID) {
			ids = append(ids, r.CaseID)
		}
	}
	labels, err := b.caseLabels(ctx, tx, a, ids)
	if err != nil {
		return err
	}
	for i, t := range tasks {
		if t.CaseID != nil {
			tasks[i].Case = labels[*t.CaseID]
		}
	}
	for i := range refs {
		refs[i].Case = labels[refs[i].CaseID]
	}
	return nil
}

// labelTask names the case of one task (Task.Case).
func (b base) labelTask(ctx context.Context, tx *store.Tx, a model.Actor, t *model.Task) error {
	one := []model.Task{*t}
	if err := b.labelTasks(ctx, tx, a, one); err != nil {
		return err
	}
	t.Case = one[0].Case
	return nil
}
