package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// The queries of the start page ("Mein Tag"), service.Today. Each is page-sized: at most
// limit rows and a count under the same predicate, both narrowed by visible, so that the
// start page can never list or count what the lists and single reads would not show.

// WorkTaskQuery is one task section of the start page: the open tasks of Org assigned to
// User or to nobody, due from From to To (inclusive; a nil bound is open).
type WorkTaskQuery struct {
	User, Org uuid.UUID
	From, To  *time.Time
	Limit     int
}

// Work returns the open tasks of q that sc reaches, by due date, then the most urgent
// priority, creation and id, and how many there are in all.
func (r Tasks) Work(ctx context.Context, sc model.Scope, q WorkTaskQuery) ([]model.Task, int64, error) {
	out, total, err := withTotal[model.Task](r.work(ctx, sc, q).Order(workOrder).Limit(q.Limit), "tasks", 0, nil)
	return out, total, translate("list work tasks", err)
}

// WorkSections is Work for several sections at once (the start page's overdue, today and
// this week), in one statement: a UNION ALL of one page per section, each with the number of
// all its tasks, so that the sections cost one round trip instead of one each.
func (r Tasks) WorkSections(ctx context.Context, sc model.Scope, qs []WorkTaskQuery) ([][]model.Task, []int64, error) {
	items, totals := make([][]model.Task, len(qs)), make([]int64, len(qs))
	for i := range items {
		items[i] = []model.Task{}
	}
	if len(qs) == 0 {
		return items, totals, nil
	}
	branches := make([]any, len(qs))
	for i, q := range qs {
		// i is the section's index, not input: safe to write into the statement.
		branches[i] = r.work(ctx, sc, q).Select(fmt.Sprintf("tasks.*, count(*) OVER () AS lotse_total, %d AS lotse_section, row_number() OVER (ORDER BY %s) AS lotse_pos", i, workOrder)).
			Order(workOrder).Limit(q.Limit)
	}
	var rows []struct {
		model.Task
		Total   int64 `gorm:"column:lotse_total"`
		Section int   `gorm:"column:lotse_section"`
		Pos     int64 `gorm:"column:lotse_pos"`
	}
	union := strings.TrimSuffix(strings.Repeat("(?) UNION ALL ", len(qs)), " UNION ALL ")
	if err := r.db.WithContext(ctx).Raw("SELECT * FROM ("+union+") AS sections ORDER BY lotse_section, lotse_pos", branches...).Scan(&rows).Error; err != nil {
		return nil, nil, translate("list work task sections", err)
	}
	for _, row := range rows {
		items[row.Section] = append(items[row.Section], row.Task)
		totals[row.Section] = row.Total
	}
	return items, totals, nil
}

// work is the filter of q: the open tasks of q's organisation assigned to q's user or to
// nobody, due in q's range, that sc reaches.
func (r Tasks) work(ctx context.Context, sc model.Scope, q WorkTaskQuery) *gorm.DB {
	db := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
		Where("tasks.status NOT IN "+sqlClosedTask).
		Where("tasks.org_id = ? AND (tasks.assignee_id = ? OR tasks.assignee_id IS NULL)", q.Org, q.User)
	if q.From != nil {
		db = db.Where("tasks.due_date >= ?::date", q.From.Format(time.DateOnly))
	}
	if q.To != nil {
		db = db.Where("tasks.due_date <= ?::date", q.To.Format(time.DateOnly))
	}
	return db
}

// workOrder is the order of the start page's tasks: due date, the most urgent priority,
// creation, id.
const workOrder = "tasks.due_date ASC NULLS LAST, " + priorityRank + " DESC, tasks.created_at, tasks.id"

// priorityRank orders task priorities, urgent highest.
const priorityRank = `CASE tasks.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END`

// Replies returns the referrals sent by org that sc reaches and that the recipient has
// answered (statuses) with a change since since, newest change first, and how many there
// are in all.
func (r Referrals) Replies(ctx context.Context, sc model.Scope, org uuid.UUID, statuses []model.ReferralStatus, since time.Time, limit int) ([]model.Referral, int64, error) {
	st := make(model.StringList, len(statuses))
	for i, s := range statuses {
		st[i] = string(s)
	}
	base := func() *gorm.DB {
		return visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc).
			Where("referrals.from_org_id = ? AND referrals.status = ANY(?::text[]) AND referrals.updated_at >= ?", org, st, since)
	}
	out, total, err := withTotal[model.Referral](base().Order("referrals.updated_at DESC, referrals.id DESC").Limit(limit), "referrals", 0, nil)
	return out, total, translate("list replied referrals", err)
}

// Recent returns the cases sc reaches that changed since since (updated_at: created, status
// changed), newest first, at most limit, and how many there are in all, in one statement. It
// runs as the case list does: one branch per scope kind, joined by UNION (Cases.page).
func (r Cases) Recent(ctx context.Context, sc model.Scope, since time.Time, limit int) ([]model.Case, int64, error) {
	out, total, err := r.page(ctx, sc, CaseQuery{}, func(b *gorm.DB) *gorm.DB { return b.Where("cases.updated_at >= ?", since) }, limit)
	return out, total, translate("list recent cases", err)
}
