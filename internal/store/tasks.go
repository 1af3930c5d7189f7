package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Tasks is the task repository of one transaction.
type Tasks struct{ db *gorm.DB }

// Tasks returns the task repository.
func (tx *Tx) Tasks() Tasks { return Tasks{tx.db} }

// Create inserts t with a new id and version 1. The caller sets status and priority.
func (r Tasks) Create(ctx context.Context, t *model.Task) error {
	return create(ctx, r.db, "create task", t, stamp{&t.ID, &t.Version, &t.CreatedAt, &t.UpdatedAt})
}

// Get returns one task if sc reaches it, else ErrNotFound (hidden and missing alike).
func (r Tasks) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.Task, error) {
	var t model.Task
	err := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).Where("tasks.id = ?", id).Take(&t).Error
	if err != nil {
		return nil, translate("get task", err)
	}
	return &t, nil
}

// Update writes every editable field of t (including organisation and assignee, for
// reassignment) if its stored version is still version, and bumps the version; a lost race
// is ErrConflict.
func (r Tasks) Update(ctx context.Context, t *model.Task, version int) error {
	return update[model.Task](ctx, r.db, "update task", stamp{version: &t.Version, updatedAt: &t.UpdatedAt}, version, map[string]any{
		"org_id": t.OrgID, "assignee_id": t.AssigneeID, "title": t.Title, "description": t.Description,
		"due_date": t.DueDate, "priority": t.Priority, "status": t.Status, "status_reason": t.StatusReason,
		"done_at": t.DoneAt, "area": t.Area,
	}, "id = ?", t.ID)
}

// CancelHangingOn cancels, at `at`, the open tasks that hang on one of the referrals: tasks
// linked to a referral and belonging to its recipient. Their reason is "access ended". It
// runs in the transaction that ends the referrals, so the recipient's tasks end with its
// access; it returns the cancelled tasks for their audit events.
func (r Tasks) CancelHangingOn(ctx context.Context, referrals []uuid.UUID, at time.Time) ([]model.Task, error) {
	if len(referrals) == 0 {
		return nil, nil
	}
	var out []model.Task
	err := r.db.WithContext(ctx).Raw(`
		UPDATE tasks t SET status = 'cancelled', status_reason = ?, done_at = NULL, version = t.version + 1, updated_at = ?
		FROM referrals r
		WHERE r.id = ANY(?::uuid[]) AND t.referral_id = r.id AND t.org_id = r.to_org_id
		AND t.status NOT IN `+sqlClosedTask+`
		RETURNING t.*`, model.TaskReasonAccessEnded, at, uuids(referrals)).Scan(&out).Error
	return out, translate("cancel tasks of ended referrals", err)
}

// IsWorker reports whether user is an active account holding one of roles in org: who may
// be given a task of org (roles are those that may work tasks, from the policy).
func (r Tasks) IsWorker(ctx context.Context, user, org uuid.UUID, roles []string) (bool, error) {
	var ok bool
	err := r.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.user_id = ? AND g.org_id = ? AND g.role = ANY(?::text[]) AND u.active)`, user, org, model.StringList(roles)).Scan(&ok).Error
	return ok, translate("check task assignee", err)
}

// Workers lists the active accounts holding one of roles in org, by name: the choices of a
// task's assignee. Only id and name: a colleague's name is what a task form needs.
func (r Tasks) Workers(ctx context.Context, org uuid.UUID, roles []string) ([]model.TaskAssignee, error) {
	var out []model.TaskAssignee
	err := r.db.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.display_name AS name FROM users u
		WHERE u.active AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.org_id = ? AND g.role = ANY(?::text[]))
		ORDER BY u.display_name, u.id`, org, model.StringList(roles)).Scan(&out).Error
	return out, translate("list task workers", err)
}

// ColleagueNames names those of ids that hold a grant in org (active or not): the names of
// colleagues a task page mentions. Nothing else of the accounts is read.
func (r Tasks) ColleagueNames(ctx context.Context, org uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
	}
	err := r.db.WithContext(ctx).Raw(`SELECT u.id, u.display_name FROM users u
		WHERE u.id = ANY(?::uuid[]) AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.org_id = ?)`,
		uuids(ids), org).Scan(&rows).Error
	if err != nil {
		return nil, translate("name colleagues", err)
	}
	for _, u := range rows {
		out[u.ID] = u.DisplayName
	}
	return out, nil
}

// TaskHistoryActions are the audit actions that make up a task's history.
var TaskHistoryActions = []string{"task.create", "task.update", "task.reassign", "task.comment", "task.cancel"}

// History returns the audit events of a task that changed it (TaskHistoryActions), oldest
// first. The caller checked access to the task.
func (r Tasks) History(ctx context.Context, task uuid.UUID) ([]model.AuditEvent, error) {
	var out []model.AuditEvent
	err := r.db.WithContext(ctx).Where("object_type = 'task' AND object_id = ? AND action = ANY(?::text[])",
		task.String(), model.StringList(TaskHistoryActions)).Order("id").Find(&out).Error
	return out, translate("task history", err)
}

// AddComment appends a comment to a task.
func (r Tasks) AddComment(ctx context.Context, c *model.TaskComment) error {
	c.CreatedAt = time.Time{} // always now: comments are never backdated
	return create(ctx, r.db, "add task comment", c, stamp{id: &c.ID, createdAt: &c.CreatedAt})
}

// Comments returns the comments of a task, oldest first. The caller checked access to the task.
func (r Tasks) Comments(ctx context.Context, task uuid.UUID) ([]model.TaskComment, error) {
	var out []model.TaskComment
	err := r.db.WithContext(ctx).Where("task_id = ?", task).Order("created_at, id").Find(&out).Error
	return out, translate("list task comments", err)
}

// TaskKey is the position after which the next page of a task list starts: the order fields
// of the last row of the previous page (Due nil sorts last).
type TaskKey struct {
	Due *time.Time `json:"d,omitempty"`
	ID  uuid.UUID  `json:"i"`
}

// TaskKeyOf returns the keyset position of t.
func TaskKeyOf(t *model.Task) TaskKey { return TaskKey{Due: t.DueDate, ID: t.ID} }

// TaskQuery narrows a task list beyond visibility.
type TaskQuery struct {
	AssigneeID *uuid.UUID
	// Orgs: when not empty, only tasks of these organisations.
	Orgs     []uuid.UUID
	Statuses []model.TaskStatus
	// DueFrom and DueTo bound the due date, inclusive.
	DueFrom *time.Time
	DueTo   *time.Time
	// OverdueOn, when set, lists only tasks not closed whose due date lies before that day.
	OverdueOn  *time.Time
	Area       *string
	CaseID     *uuid.UUID
	ReferralID *uuid.UUID
	// QueueUser with QueueOrg: only the tasks assigned to QueueUser and the unassigned tasks
	// of QueueOrg (the worklist of "Meine Aufgaben").
	QueueUser *uuid.UUID
	QueueOrg  *uuid.UUID
	After     *TaskKey
	Limit     int
	// Sort, when its key is set or Numbered, replaces the keyset order (numbered pages).
	Sort     ListSort
	Numbered bool
}

// List returns one page of the tasks sc reaches that match q, ordered by due date (none
// last) and id, and the number of all of them (every page) with the same predicate.
func (r Tasks) List(ctx context.Context, sc model.Scope, q TaskQuery) ([]model.Task, int64, error) {
	base := func() *gorm.DB {
		db := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc)
		if q.AssigneeID != nil {
			db = db.Where("tasks.assignee_id = ?", *q.AssigneeID)
		}
		if len(q.Orgs) > 0 {
			db = db.Where("tasks.org_id = ANY(?::uuid[])", uuids(q.Orgs))
		}
		if len(q.Statuses) > 0 {
			st := make(model.StringList, len(q.Statuses))
			for i, s := range q.Statuses {
				st[i] = string(s)
			}
			db = db.Where("tasks.status = ANY(?::text[])", st)
		}
		if q.DueFrom != nil {
			db = db.Where("tasks.due_date >= ?::date", q.DueFrom.Format(time.DateOnly))
		}
		if q.DueTo != nil {
			db = db.Where("tasks.due_date <= ?::date", q.DueTo.Format(time.DateOnly))
		}
		if q.OverdueOn != nil {
			db = db.Where("tasks.due_date < ?::date AND tasks.status NOT IN "+sqlClosedTask, q.OverdueOn.Format(time.DateOnly))
		}
		if q.Area != nil {
			db = db.Where("tasks.area = ?", *q.Area)
		}
		if q.CaseID != nil {
			db = db.Where("tasks.case_id = ?", *q.CaseID)
		}
		if q.ReferralID != nil {
			db = db.Where("tasks.referral_id = ?", *q.ReferralID)
		}
		if q.QueueUser != nil && q.QueueOrg != nil {
			db = db.Where("(tasks.assignee_id = ? OR (tasks.assignee_id IS NULL AND tasks.org_id = ?))", *q.QueueUser, *q.QueueOrg)
		}
		return db
	}
	count := func() (int64, error) {
		var total int64
		return total, translate("count tasks", base().Count(&total).Error)
	}
	db := base()
	if q.Numbered {
		out, total, err := withTotal[model.Task](orderTasks(db, q.Sort).Offset(q.Sort.Offset).Limit(q.Limit), "tasks", q.Sort.Offset, count)
		return out, total, translate("list tasks", err)
	}
	if q.After == nil {
		out, total, err := withTotal[model.Task](db.Order("tasks.due_date ASC NULLS LAST, tasks.id").Limit(q.Limit), "tasks", 0, count)
		return out, total, translate("list tasks", err)
	}
	total, err := count()
	if err != nil {
		return nil, 0, err
	}
	if k := q.After; k != nil {
		if k.Due == nil {
			db = db.Where("tasks.due_date IS NULL AND tasks.id > ?::uuid", k.ID)
		} else {
			db = db.Where("(tasks.due_date IS NULL OR (tasks.due_date, tasks.id) > (?::date, ?::uuid))", k.Due.Format(time.DateOnly), k.ID)
		}
	}
	var out []model.Task
	err = db.Order("tasks.due_date ASC NULLS LAST, tasks.id").Limit(q.Limit).Find(&out).Error
	if err != nil {
		return nil, 0, translate("list tasks", err)
	}
	return out, total, nil
}
