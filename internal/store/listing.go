package store

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/lotse-project/lotse/internal/model"
)

// ListSort is the order of a numbered list page as the service validated it: one key of the
// list's whitelist, the direction, and the rows to skip. The id of the record is always the
// last, stable tie-breaker, so that paging neither repeats nor skips a row.
type ListSort struct {
	// Key is a model.Sort* key the list offers; empty is the list's default order.
	Key  string
	Desc bool
	// Offset is the number of rows before the page (numbered pages).
	Offset int
	// NameScope is the viewer's "case" read scope: a name sorts only where that scope may see
	// the main person's identity (identityVisible), every other row has no name and sorts
	// last in both directions, so that the order never tells a hidden name.
	NameScope model.Scope
}

// primaryName is the sortable name of the main person of the case `cases` (the outer
// query's row: the cases table, or the union of case branches named cases), NULL where sc
// may not see that person's identity. It is the name search's rule (identityVisible) applied
// to sorting.
func primaryName(sc model.Scope, today time.Time) (string, []any) {
	idc, args := identityVisible(sc, today)
	return `(SELECT lower(p.family_name || ' ' || p.given_names) FROM persons p
		WHERE p.case_id = cases.id AND p.is_primary AND ` + idc + ` LIMIT 1)`, args
}

// taskPrimaryName is primaryName for the case of a task (tasks.case_id).
func taskPrimaryName(sc model.Scope, today time.Time) (string, []any) {
	n, args := primaryName(sc, today)
	return `(SELECT ` + n + ` FROM cases WHERE cases.id = tasks.case_id)`, args
}

// orderBy adds "expr dir NULLS LAST, tiebreak dir" to db.
func orderBy(db *gorm.DB, expr string, args []any, desc bool, tiebreak string) *gorm.DB {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return db.Order(clause.OrderBy{Expression: clause.Expr{
		SQL: expr + dir + " NULLS LAST, " + tiebreak + dir, Vars: args, WithoutParentheses: true,
	}})
}

// taskPriorityRank orders the priorities from low (0) to urgent (3); an empty one is normal.
const taskPriorityRank = `(CASE tasks.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'low' THEN 0 ELSE 1 END)`

// orderTasks sorts a task query by s (the default: due date, none last).
func orderTasks(db *gorm.DB, s ListSort) *gorm.DB {
	switch s.Key {
	case model.SortPriority:
		return orderBy(db, taskPriorityRank, nil, s.Desc, "tasks.id")
	case model.SortChanged:
		return orderBy(db, "tasks.updated_at", nil, s.Desc, "tasks.id")
	case model.SortName:
		expr, args := taskPrimaryName(s.NameScope, today(db))
		return orderBy(db, expr, args, s.Desc, "tasks.id")
	}
	return orderBy(db, "tasks.due_date", nil, s.Desc, "tasks.id")
}

// orderCases sorts a query on cases (or on the union of case branches, named cases) by s
// (the default: last change, newest first).
func orderCases(db *gorm.DB, s ListSort) *gorm.DB {
	switch s.Key {
	case model.SortReference:
		return orderBy(db, "cases.reference", nil, s.Desc, "cases.id")
	case model.SortName:
		expr, args := primaryName(s.NameScope, today(db))
		return orderBy(db, expr, args, s.Desc, "cases.id")
	case model.SortChanged:
		return orderBy(db, "cases.updated_at", nil, s.Desc, "cases.id")
	}
	return db.Order(caseOrder)
}

// referralPrimaryName is primaryName for the case of a referral (referrals.case_id).
func referralPrimaryName(sc model.Scope, today time.Time) (string, []any) {
	n, args := primaryName(sc, today)
	return `(SELECT ` + n + ` FROM cases WHERE cases.id = referrals.case_id)`, args
}

// orderReferrals sorts a referral query by s; without a key, by the box's own order (reply
// deadline for the inbox, newest first otherwise).
func orderReferrals(db *gorm.DB, s ListSort, def ReferralOrder) *gorm.DB {
	switch s.Key {
	case model.SortDue:
		return orderBy(db, "referrals.reply_due", nil, s.Desc, "referrals.id")
	case model.SortChanged:
		return orderBy(db, "referrals.updated_at", nil, s.Desc, "referrals.id")
	case model.SortCreated:
		return orderBy(db, "referrals.created_at", nil, s.Desc, "referrals.id")
	case model.SortName:
		expr, args := referralPrimaryName(s.NameScope, today(db))
		return orderBy(db, expr, args, s.Desc, "referrals.id")
	}
	if def == ReferralsByReplyDue {
		return db.Order("referrals.reply_due, referrals.id")
	}
	return db.Order("referrals.created_at DESC, referrals.id DESC")
}

// counted is a row of a page with the number of all rows of its filter (withTotal).
type counted[T any] struct {
	Row   T     `gorm:"embedded"`
	Total int64 `gorm:"column:lotse_total"`
}

// withTotal runs a page query once and returns its rows with the number of all rows that
// match its filter: page is the filtered query of table with its order, offset (skipping
// offset rows) and limit,
// and the total comes from count(*) OVER () in the same statement (a window is taken before
// LIMIT and OFFSET), so that the filter runs once instead of once for the total and once for
// the page. A page past the last row has no row to carry the total; only then does count run
// (the filter alone). A keyset page (rows after a key) narrows the filter itself and cannot
// use it: its total would be of the rows after the key.
func withTotal[T any](page *gorm.DB, table string, offset int, count func() (int64, error)) ([]T, int64, error) {
	var rows []counted[T]
	if err := page.Select(table + ".*, count(*) OVER () AS lotse_total").Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		if offset == 0 {
			return []T{}, 0, nil
		}
		n, err := count()
		return []T{}, n, err
	}
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = rows[i].Row
	}
	return out, rows[0].Total, nil
}
