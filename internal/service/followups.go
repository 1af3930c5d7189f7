package service

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Follow-up dates (Wiedervorlagen, issue 12 item 2): a member brings a case or a task back to
// themself on a day. The rules:
//
//   - A follow-up is the member's own: one per member and record, set, moved and cleared only
//     by that member, shown only to that member (the case page, the task page, the start
//     page). A colleague's follow-up on the same record is the colleague's.
//   - It can be set on a case or a task the member may read, through the same read scope as
//     the case page and the task page; a record the member may not read is ErrNotFound, and
//     a record the member no longer reaches drops off the start page.
//   - The day is either a date (today or later, at most model.FollowUpMaxYears ahead) or "in
//     N working days" (1..model.FollowUpMaxWorkingDays, counted from today with
//     AddWorkingDays: Monday to Friday without the Lower Saxony holidays). A date on a
//     weekend or a holiday is moved to the next working day, and the answer says so
//     (FollowUpSet.Moved), so that the page can state it: nobody works on that day, and a
//     refusal would only send the member to the calendar.
//   - Every change is audited in its transaction ("followup.set", "followup.clear") with
//     the record's reference and the day, never content.

// followUpObjects maps the record types a follow-up may point at to the policy's objects.
var followUpObjects = map[string]string{model.ObjectCase: objCase, model.ObjectTask: objTask}

// followUpDay checks in and returns the day of the follow-up: the date given, moved to the
// next working day when it is none (moved), or the working day N working days from today.
func (s *Notifications) followUpDay(in model.FollowUpInput) (day time.Time, moved bool, err error) {
	v := &model.ValidationError{}
	today := s.today()
	switch {
	case in.DueOn != nil && in.WorkingDays != 0:
		v.Add("due_on", model.CodeExclusive, model.Params{"other": "working_days"})
	case in.DueOn != nil:
		d := civilDay(*in.DueOn)
		switch {
		case in.DueOn.IsZero():
			v.Add("due_on", model.CodeFormat)
		case d.Before(today):
			v.Add("due_on", model.CodePast)
		case d.After(today.AddDate(model.FollowUpMaxYears, 0, 0)):
			v.Add("due_on", model.CodeTooFarAhead, model.Params{"years": model.FollowUpMaxYears})
		case !IsWorkingDay(d):
			day, moved = AddWorkingDays(d, 1), true
		default:
			day = d
		}
	case in.WorkingDays != 0:
		if in.WorkingDays < 1 || in.WorkingDays > model.FollowUpMaxWorkingDays {
			v.Add("working_days", model.CodeOutOfRange, model.Params{"min": 1, "max": model.FollowUpMaxWorkingDays})
		} else {
			day = AddWorkingDays(today, in.WorkingDays)
		}
	default:
		v.Add("due_on", model.CodeRequired)
	}
	return day, moved, v.Err()
}

// followUpRecord reads the record of a follow-up through the actor's read scope of its type
// (ErrNotFound when missing or hidden) and returns the case it concerns (uuid.Nil for a task
// without a case).
func (b base) followUpRecord(ctx context.Context, tx *store.Tx, sc model.Scope, object string, id uuid.UUID) (uuid.UUID, error) {
	if object == model.ObjectTask {
		t, err := tx.Tasks().Get(ctx, sc, id)
		if err != nil {
			return uuid.Nil, err
		}
		return idOrNil(t.CaseID), nil
	}
	c, err := tx.Cases().Get(ctx, sc, id)
	if err != nil {
		return uuid.Nil, err
	}
	return c.ID, nil
}

// followUpScope is the actor's read scope of a follow-up's record type: a member (not the
// system) with read access to that type, else ErrNotFound. Its action is actFollowUp, not
// read: a follow-up is kept beyond the moment, so it needs the record in the actor's own
// scope; an emergency access, which admits a case for reading only, does not reach it.
func (b base) followUpScope(a model.Actor, object string) (model.Scope, error) {
	obj, ok := followUpObjects[object]
	if !ok || a.UserID == uuid.Nil || a.System {
		return model.Scope{}, fmt.Errorf("service: follow-up on %q: %w", object, model.ErrNotFound)
	}
	sc, err := b.require(a, obj, actRead, true)
	sc.Action = actFollowUp
	return sc, err
}

// actFollowUp is the action of the scope of setting and clearing a follow-up (followUpScope).
const actFollowUp = "follow_up"

// SetFollowUp sets the actor's follow-up on a case or a task the actor may read (else
// ErrNotFound), replacing the actor's earlier one on that record: on the date given (moved to
// the next working day when it is none, which the answer says) or in N working days. Bad
// input is a ValidationError (due_on: past, format, too_far_ahead, required, exclusive;
// working_days: out_of_range) and changes nothing. It records one "followup.set" event.
func (s *Notifications) SetFollowUp(ctx context.Context, a model.Actor, in model.FollowUpInput) (*model.FollowUpSet, error) {
	sc, err := s.followUpScope(a, in.Object)
	if err != nil {
		return nil, err
	}
	day, moved, err := s.followUpDay(in)
	if err != nil {
		return nil, err
	}
	out := &model.FollowUpSet{Moved: moved}
	if moved {
		out.Requested = civilDay(*in.DueOn)
	}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		caseID, err := s.followUpRecord(ctx, tx, sc, in.Object, in.ID)
		if err != nil {
			return err
		}
		f := model.FollowUp{UserID: a.UserID, OrgID: a.OrgID, DueOn: day}
		id := in.ID
		if in.Object == model.ObjectTask {
			f.TaskID = &id
		} else {
			f.CaseID = &id
		}
		if err := tx.Notifications().SetFollowUp(ctx, &f); err != nil {
			return err
		}
		out.FollowUp = f
		details := model.JSONMap{"due_on": day.Format(time.DateOnly)}
		if in.WorkingDays != 0 {
			details["working_days"] = in.WorkingDays
		}
		if moved {
			details["moved_from"] = out.Requested.Format(time.DateOnly)
		}
		return tx.Audit().Record(ctx, caseEvent(a, "followup.set", in.Object, in.ID, caseID, details))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClearFollowUp clears the actor's own follow-up on a case or a task the actor may read (else
// ErrNotFound). Clearing where there is none changes nothing and records nothing; it reports
// whether there was one. It records one "followup.clear" event.
func (s *Notifications) ClearFollowUp(ctx context.Context, a model.Actor, object string, id uuid.UUID) (bool, error) {
	sc, err := s.followUpScope(a, object)
	if err != nil {
		return false, err
	}
	var cleared bool
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		caseID, err := s.followUpRecord(ctx, tx, sc, object, id)
		if err != nil {
			return err
		}
		if cleared, err = tx.Notifications().ClearFollowUp(ctx, a.UserID, object, id); err != nil || !cleared {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "followup.clear", object, id, caseID, nil))
	})
	return cleared, err
}

// viewerFollowUp is the actor's own open follow-up on a record the caller has read already
// (the case page, the task page), or nil.
func (b base) viewerFollowUp(ctx context.Context, tx *store.Tx, a model.Actor, object string, id uuid.UUID) (*model.FollowUp, error) {
	if a.UserID == uuid.Nil || a.System {
		return nil, nil
	}
	return tx.Notifications().OpenFollowUp(ctx, a.UserID, object, id)
}

// worklistFollowUps reads the start page's follow-ups of the actor on the cases and tasks
// the scopes reach: overdue, today and from tomorrow to weekEnd, each at most
// model.WorklistLimit with the number of all, in one statement. The cases are named later
// (labelFollowUps).
func (b base) worklistFollowUps(ctx context.Context, tx *store.Tx, a model.Actor, cases, tasks model.Scope, today, weekEnd time.Time) (*model.FollowUpSections, error) {
	return tx.Notifications().FollowUps(ctx, cases, tasks, store.FollowUpQuery{
		User: a.UserID, Today: today, To: weekEnd, Limit: model.WorklistLimit,
	})
}

// followUpCases lists the cases the follow-ups concern: the case itself, or the task's case.
func followUpCases(fs *model.FollowUpSections) []uuid.UUID {
	var out []uuid.UUID
	if fs == nil {
		return nil
	}
	for _, sec := range []*model.Section[model.FollowUpItem]{&fs.Overdue, &fs.Today, &fs.ThisWeek} {
		for _, f := range sec.Items {
			if id := followUpCase(f); id != uuid.Nil {
				out = append(out, id)
			}
		}
	}
	return out
}

// followUpCase is the case a follow-up concerns, or uuid.Nil.
func followUpCase(f model.FollowUpItem) uuid.UUID {
	if f.CaseID != nil {
		return *f.CaseID
	}
	return idOrNil(f.TaskCaseID)
}

// labelFollowUps names each follow-up's case through the case mask (labels of caseLabels).
func labelFollowUps(fs *model.FollowUpSections, labels map[uuid.UUID]*model.CaseLabel) {
	if fs == nil {
		return
	}
	for _, sec := range []*model.Section[model.FollowUpItem]{&fs.Overdue, &fs.Today, &fs.ThisWeek} {
		for i, f := range sec.Items {
			if id := followUpCase(f); id != uuid.Nil {
				sec.Items[i].Case = labels[id]
			}
		}
	}
}

// auditFollowUps records what the start page listed of follow-ups (tasks by title, cases by
// their label), like the lists: one "followup.list" event with the records and their cases,
// when it listed any.
func auditFollowUps(ctx context.Context, tx *store.Tx, a model.Actor, fs *model.FollowUpSections) error {
	if fs == nil {
		return nil
	}
	ids, cases, tasks := []string{}, []string{}, []string{}
	for _, sec := range []*model.Section[model.FollowUpItem]{&fs.Overdue, &fs.Today, &fs.ThisWeek} {
		for _, f := range sec.Items {
			ids = append(ids, f.ID.String())
			if f.TaskID != nil {
				tasks = append(tasks, f.TaskID.String())
			}
			if id := followUpCase(f); id != uuid.Nil {
				cases = append(cases, id.String())
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ev := caseEvent(a, "followup.list", "followup", uuid.Nil, uuid.Nil, model.JSONMap{"view": "home", "ids": ids, "case_ids": cases, "task_ids": tasks})
	ev.ObjectID = ""
	return tx.Audit().Record(ctx, ev)
}
