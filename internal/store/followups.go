package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// The follow-ups (Wiedervorlagen) of members on cases and tasks: one row per member and
// record (the unique indexes of migration 25); clearing one sets done_at, setting it again
// opens it again on the new day.

// followUpColumn is the column of follow_ups that points at a record of type object.
func followUpColumn(object string) (string, bool) {
	switch object {
	case model.ObjectCase:
		return "case_id", true
	case model.ObjectTask:
		return "task_id", true
	}
	return "", false
}

// SetFollowUp stores f (its UserID, OrgID, CaseID or TaskID and DueOn) as the member's
// follow-up on its record: a new one, or the member's existing one on the record with the new
// day and membership, open again. f gets the stored row back.
func (r Notifications) SetFollowUp(ctx context.Context, f *model.FollowUp) error {
	col, ok := followUpColumn(f.Object())
	if !ok || f.RecordID() == uuid.Nil {
		return errors.New("store: a follow-up needs a case or a task")
	}
	now := dbNow(r.db)
	id := uuid.Must(uuid.NewV7())
	err := r.db.WithContext(ctx).Raw(`
		INSERT INTO follow_ups (id, user_id, org_id, case_id, task_id, due_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?::date, ?, ?)
		ON CONFLICT (user_id, `+col+`) WHERE `+col+` IS NOT NULL
		DO UPDATE SET org_id = EXCLUDED.org_id, due_on = EXCLUDED.due_on, done_at = NULL, updated_at = EXCLUDED.updated_at
		RETURNING *`,
		id, f.UserID, f.OrgID, f.CaseID, f.TaskID, f.DueOn.Format(time.DateOnly), now, now).Scan(f).Error
	return translate("set follow-up", err)
}

// ClearFollowUp marks the member's open follow-up on the record done; it reports whether
// there was one.
func (r Notifications) ClearFollowUp(ctx context.Context, user uuid.UUID, object string, id uuid.UUID) (bool, error) {
	col, ok := followUpColumn(object)
	if !ok {
		return false, nil
	}
	now := dbNow(r.db)
	res := r.db.WithContext(ctx).Model(&model.FollowUp{}).
		Where("user_id = ? AND "+col+" = ? AND done_at IS NULL", user, id).
		Updates(map[string]any{"done_at": now, "updated_at": now})
	return res.RowsAffected > 0, translate("clear follow-up", res.Error)
}

// OpenFollowUp returns the member's open follow-up on the record, or nil.
func (r Notifications) OpenFollowUp(ctx context.Context, user uuid.UUID, object string, id uuid.UUID) (*model.FollowUp, error) {
	col, ok := followUpColumn(object)
	if !ok {
		return nil, nil
	}
	var out []model.FollowUp
	err := openFollowUp(r.db.WithContext(ctx), col, user, id).Find(&out).Error
	if err != nil || len(out) == 0 {
		return nil, translate("get follow-up", err)
	}
	return &out[0], nil
}

// openFollowUp is the query of OpenFollowUp on the record of column col (Cases.Lists reads
// it too).
func openFollowUp(db *gorm.DB, col string, user, id uuid.UUID) *gorm.DB {
	return db.Model(&model.FollowUp{}).Where("user_id = ? AND "+col+" = ? AND done_at IS NULL", user, id).Limit(1)
}

// FollowUpQuery asks for a member's open follow-ups due up to To: the sections before
// Today, on Today and after it, at most Limit of each.
type FollowUpQuery struct {
	User      uuid.UUID
	Today, To time.Time
	Limit     int
}

// followUpRow is a follow-up with its task's title and case (a follow-up on a task), its
// section (0 before today, 1 today, 2 later) and the number of all in its section.
type followUpRow struct {
	model.FollowUp `gorm:"embedded"`
	TaskTitle      *string
	TaskCaseID     *uuid.UUID `gorm:"type:uuid"`
	Section        int
	Total          int
}

// FollowUps returns the member's open follow-ups of q on the cases cases reaches and the
// tasks tasks reaches (the same predicates as every read of them: a record the member no
// longer reaches is neither listed nor counted), each section by day and with the number of
// all in it, in one statement.
func (r Notifications) FollowUps(ctx context.Context, cases, tasks model.Scope, q FollowUpQuery) (*model.FollowUpSections, error) {
	// The member's follow-ups are few; each is checked against its record's scope (EXISTS,
	// correlated), not the member's whole reach built first (IN would hash every case the
	// organisation may read: a scan of all cases).
	reaches := func(table, col string, sc model.Scope) *gorm.DB {
		q := r.db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).Table(table).Where(table + ".id = follow_ups." + col)
		return visible(q, sc).Select("1")
	}
	today := q.Today.Format(time.DateOnly)
	inner := r.db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).Table("follow_ups").
		Joins("LEFT JOIN tasks ON tasks.id = follow_ups.task_id").
		Select(`follow_ups.*, tasks.title AS task_title, tasks.case_id AS task_case_id,
			CASE WHEN follow_ups.due_on < ?::date THEN 0 WHEN follow_ups.due_on = ?::date THEN 1 ELSE 2 END AS section`, today, today).
		Where("follow_ups.user_id = ? AND follow_ups.done_at IS NULL AND follow_ups.due_on <= ?::date", q.User, q.To.Format(time.DateOnly)).
		Where("(EXISTS (?) OR EXISTS (?))", reaches("cases", "case_id", cases), reaches("tasks", "task_id", tasks))
	var rows []followUpRow
	err := r.db.WithContext(ctx).Raw(`
		SELECT * FROM (
			SELECT f.*, row_number() OVER (PARTITION BY f.section ORDER BY f.due_on, f.created_at, f.id) AS rank,
				count(*) OVER (PARTITION BY f.section) AS total
			FROM (?) f
		) ranked WHERE rank <= ? ORDER BY section, rank`, inner, q.Limit).Scan(&rows).Error
	if err != nil {
		return nil, translate("list follow-ups", err)
	}
	out := &model.FollowUpSections{}
	secs := []*model.Section[model.FollowUpItem]{&out.Overdue, &out.Today, &out.ThisWeek}
	for _, row := range rows {
		sec := secs[row.Section]
		item := model.FollowUpItem{FollowUp: row.FollowUp, TaskCaseID: row.TaskCaseID}
		if row.TaskTitle != nil {
			item.TaskTitle = *row.TaskTitle
		}
		sec.Items, sec.Total = append(sec.Items, item), row.Total
	}
	return out, nil
}
