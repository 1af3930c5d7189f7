package store

import (
	"context"
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
	base := func() *gorm.DB {
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
	out, total, err := withTotal[model.Task](base().
		Order("tasks.due_date ASC NULLS LAST, "+priorityRank+" DESC, tasks.created_at, tasks.id").
		Limit(q.Limit), "tasks", 0, nil)
	return out, total, translate("list work tasks", err)
}

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
// changed), newest first, at most limit, and how many there are in all. It runs as the case
// list does: one branch per scope kind, joined by UNION (caseBranches).
func (r Cases) Recent(ctx context.Context, sc model.Scope, since time.Time, limit int) ([]model.Case, int64, error) {
	recent := func(b *gorm.DB) *gorm.DB { return b.Where("cases.updated_at >= ?", since) }
	page := r.caseBranches(ctx, sc, CaseQuery{}, "cases.*", func(b *gorm.DB) *gorm.DB {
		return recent(b).Order(caseOrder).Limit(limit)
	})
	var out []model.Case
	err := r.db.WithContext(ctx).Table("(?) AS cases", r.union(ctx, "UNION", page)).Order(caseOrder).Limit(limit).Find(&out).Error
	if err != nil {
		return nil, 0, translate("list recent cases", err)
	}
	ids := r.caseBranches(ctx, sc, CaseQuery{}, "cases.id", recent)
	var total int64
	if err := r.db.WithContext(ctx).Raw("SELECT count(*) FROM (?) AS listed", r.union(ctx, "UNION", ids)).Scan(&total).Error; err != nil {
		return nil, 0, translate("count recent cases", err)
	}
	return out, total, nil
}
