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

// Dashboard holds the aggregate queries of the department head's team dashboard. Every
// query narrows its rows with visible (the same predicates as every list, count and
// single read), and then to the organisations of the team: the dashboard can never count
// a record the caller could not open.
type Dashboard struct{ db *gorm.DB }

// Dashboard returns the dashboard queries of the transaction.
func (tx *Tx) Dashboard() Dashboard { return Dashboard{tx.db} }

// berlinDay is the calendar day (Europe/Berlin) of a timestamp column, for ageing.
func berlinDay(col string) string { return `(` + col + ` AT TIME ZONE 'Europe/Berlin')::date` }

// TeamGroup names how dashboard figures are grouped. The values are fixed SQL expressions,
// never input.
type TeamGroup int

// The groupings of the dashboard figures.
const (
	// ByAssignee groups tasks by assignee (empty key: unassigned).
	ByAssignee TeamGroup = iota
	// ByTaskArea groups tasks by area (empty key: no area).
	ByTaskArea
	// BySender groups referrals by the user who sent them.
	BySender
	// ByAnswerer groups referrals by the user who answered them (empty: not yet answered).
	ByAnswerer
	// ByReferralArea groups referrals by each of their areas (a referral for two areas
	// counts in both).
	ByReferralArea
)

// FigureRow is one row of dashboard figures: how many records are open, how many of them
// overdue, and how old they are. Age0..2 count the open ones by days since they were
// created (0–7, 8–30, over 30); Late0..2 the overdue ones by days past their deadline
// (1–7, 8–30, over 30).
type FigureRow struct {
	Key                 string
	Open, Overdue       int
	Age0, Age1, Age2    int
	Late0, Late1, Late2 int
}

// figureColumns are the counting columns of a FigureRow; open is the expression of an open
// record, overdue of an overdue one, created its creation time and due its deadline (date).
func figureColumns(open, overdue, created, due string) string {
	age := `(?::date - ` + berlinDay(created) + `)`
	late := `(?::date - ` + due + `)`
	return strings.Join([]string{
		`count(*) FILTER (WHERE ` + open + `) AS open`,
		`count(*) FILTER (WHERE ` + overdue + `) AS overdue`,
		`count(*) FILTER (WHERE ` + open + ` AND ` + age + ` <= 7) AS age0`,
		`count(*) FILTER (WHERE ` + open + ` AND ` + age + ` BETWEEN 8 AND 30) AS age1`,
		`count(*) FILTER (WHERE ` + open + ` AND ` + age + ` > 30) AS age2`,
		`count(*) FILTER (WHERE ` + overdue + ` AND ` + late + ` <= 7) AS late0`,
		`count(*) FILTER (WHERE ` + overdue + ` AND ` + late + ` BETWEEN 8 AND 30) AS late1`,
		`count(*) FILTER (WHERE ` + overdue + ` AND ` + late + ` > 30) AS late2`,
	}, ", ")
}

// dayArgs is the arguments of figureColumns' placeholders: every one is the day.
func dayArgs(cols, day string) []any {
	args := make([]any, strings.Count(cols, "?"))
	for i := range args {
		args[i] = day
	}
	return args
}

// taskOpen is an open task; taskOverdue an open task whose due date lies before the day of
// the one placeholder.
var (
	taskOpen    = `tasks.status NOT IN ` + sqlClosedTask
	taskOverdue = `tasks.status NOT IN ` + sqlClosedTask + ` AND tasks.due_date < ?::date`
)

// TaskFigures counts the open tasks of orgs that sc reaches, on day today, grouped as g
// (ByAssignee or ByTaskArea).
func (r Dashboard) TaskFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, today time.Time, g TeamGroup) ([]FigureRow, error) {
	var key string
	switch g {
	case ByAssignee:
		key = `coalesce(tasks.assignee_id::text, '')`
	case ByTaskArea:
		key = `coalesce(tasks.area, '')`
	default:
		return nil, fmt.Errorf("store: task figures: grouping %d: %w", g, model.ErrInvalid)
	}
	day := today.Format(time.DateOnly)
	cols := figureColumns(taskOpen, taskOverdue, "tasks.created_at", "tasks.due_date")
	args := dayArgs(cols, day)
	var out []FigureRow
	err := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
		Select(key+` AS key, `+cols, args...).
		Where("tasks.org_id = ANY(?::uuid[]) AND "+taskOpen, uuids(orgs)).
		Group(key).Order(key).Scan(&out).Error
	return out, translate("count team tasks", err)
}

// referralOpen is a referral in an active state; referralOverdue one still waiting for its
// reply after the reply deadline (the day of the placeholder).
var (
	referralOpen    = `referrals.status IN ` + sqlActiveReferral
	referralOverdue = `referrals.status = '` + string(model.ReferralSent) + `' AND referrals.reply_due < ?::date`
)

// ReferralFigures counts the active referrals that sc reaches and that go from orgs
// (outgoing) or to orgs (incoming), on day today, grouped as g (BySender, ByAnswerer or
// ByReferralArea). Overdue means: still waiting for the reply after the reply deadline.
func (r Dashboard) ReferralFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, incoming bool, today time.Time, g TeamGroup) ([]FigureRow, error) {
	db := visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc)
	var key string
	switch g {
	case BySender:
		key = `coalesce(referrals.sent_by::text, '')`
	case ByAnswerer:
		key = `coalesce(referrals.answered_by::text, '')`
	case ByReferralArea:
		key = `ra.area`
		db = db.Joins(`CROSS JOIN LATERAL unnest(referrals.areas) AS ra(area)`)
	default:
		return nil, fmt.Errorf("store: referral figures: grouping %d: %w", g, model.ErrInvalid)
	}
	side := "referrals.from_org_id"
	if incoming {
		side = "referrals.to_org_id"
	}
	day := today.Format(time.DateOnly)
	cols := figureColumns(referralOpen, referralOverdue, "referrals.created_at", "referrals.reply_due")
	args := dayArgs(cols, day)
	var out []FigureRow
	err := db.Select(key+` AS key, `+cols, args...).
		Where(side+" = ANY(?::uuid[]) AND "+referralOpen, uuids(orgs)).
		Group(key).Order(key).Scan(&out).Error
	return out, translate("count team referrals", err)
}

// WeekMoment is one moment of the weekly series: the moment At, and its calendar day Day
// (Europe/Berlin) against which due dates are compared.
type WeekMoment struct {
	At  time.Time
	Day time.Time
}

// SeriesPoint is the number of tasks of one area open, and overdue, at one moment (Index
// into the moments, from 1).
type SeriesPoint struct {
	Index   int
	Area    string
	Open    int
	Overdue int
}

// TaskSeries counts, for every moment, the tasks of orgs that sc reaches that were open at
// that moment, and of those the overdue ones, per area (empty: no area). The history is
// reconstructed from the task rows, as there is no status log:
//
//   - a task is open at t when it was created at or before t, was not done by t (done_at
//     empty or later than t), and is not a task cancelled at or before t (a cancelled task
//     counts as closed from its last change, updated_at);
//   - it is overdue at t when it is open at t and its due date lies before t's calendar day;
//   - a task that was done and reopened has no done_at any more and counts as open since its
//     creation; a task moved between organisations counts where it is now.
func (r Dashboard) TaskSeries(ctx context.Context, sc model.Scope, orgs []uuid.UUID, moments []WeekMoment) ([]SeriesPoint, error) {
	if len(moments) == 0 {
		return nil, nil
	}
	ats := make([]string, len(moments))
	days := make([]string, len(moments))
	for i, m := range moments {
		ats[i] = `"` + m.At.UTC().Format("2006-01-02 15:04:05.999999") + `+00"`
		days[i] = m.Day.Format(time.DateOnly)
	}
	open := `tasks.created_at <= w.at AND (tasks.done_at IS NULL OR tasks.done_at > w.at)
		AND NOT (tasks.status = 'cancelled' AND tasks.updated_at <= w.at)`
	var out []SeriesPoint
	err := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
		Joins(`JOIN unnest(?::timestamptz[], ?::date[]) WITH ORDINALITY AS w(at, day, idx) ON tasks.created_at <= w.at`,
			"{"+strings.Join(ats, ",")+"}", "{"+strings.Join(days, ",")+"}").
		Select(`w.idx AS index, coalesce(tasks.area, '') AS area,
			count(*) FILTER (WHERE `+open+`) AS open,
			count(*) FILTER (WHERE `+open+` AND tasks.due_date < w.day) AS overdue`).
		Where("tasks.org_id = ANY(?::uuid[])", uuids(orgs)).
		// Tasks done or cancelled before the first moment can count nowhere.
		Where("(tasks.status NOT IN "+sqlClosedTask+" OR tasks.updated_at > ? OR tasks.done_at > ?)", moments[0].At, moments[0].At).
		Group("w.idx, coalesce(tasks.area, '')").Order("1, 2").Scan(&out).Error
	return out, translate("count team task series", err)
}

// TeamTaskQuery narrows the task list of the dashboard.
type TeamTaskQuery struct {
	Orgs []uuid.UUID
	// Today is the day against which due dates count as overdue.
	Today time.Time
	// Assignee: only tasks of this person; Unassigned: only tasks of nobody.
	Assignee   *uuid.UUID
	Unassigned bool
	// Area: only tasks of this area ("" for tasks without an area).
	Area *string
	// OverdueOnly: only overdue tasks.
	OverdueOnly bool
	// Sort is the order and the page's offset (the default: by due date, undated last).
	Sort  ListSort
	Limit int
}

// TeamTasks returns a page of the open tasks of q.Orgs that sc reaches and that match q, in
// q.Sort's order (by default the most urgent first: by due date, so the overdue ones lead,
// undated last), and how many match in all.
func (r Dashboard) TeamTasks(ctx context.Context, sc model.Scope, q TeamTaskQuery) ([]model.Task, int64, error) {
	day := q.Today.Format(time.DateOnly)
	base := func() *gorm.DB {
		db := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
			Where("tasks.org_id = ANY(?::uuid[]) AND "+taskOpen, uuids(q.Orgs))
		switch {
		case q.Unassigned:
			db = db.Where("tasks.assignee_id IS NULL")
		case q.Assignee != nil:
			db = db.Where("tasks.assignee_id = ?", *q.Assignee)
		}
		if q.Area != nil {
			if *q.Area == "" {
				db = db.Where("tasks.area IS NULL")
			} else {
				db = db.Where("tasks.area = ?", *q.Area)
			}
		}
		if q.OverdueOnly {
			db = db.Where("tasks.due_date < ?::date", day)
		}
		return db
	}
	var total int64
	if err := base().Count(&total).Error; err != nil {
		return nil, 0, translate("count team tasks", err)
	}
	var out []model.Task
	err := orderTasks(base(), q.Sort).Offset(q.Sort.Offset).Limit(q.Limit).Find(&out).Error
	if err != nil {
		return nil, 0, translate("list team tasks", err)
	}
	return out, total, nil
}

// TeamMember is a person tasks of the team may be assigned to: an active account holding a
// caseworker or lead grant in one of the team's organisations.
type TeamMember struct {
	ID    uuid.UUID
	Name  string
	OrgID uuid.UUID
}

// TeamMembers returns the members of orgs that msc (a "member" scope) reaches who may work
// tasks (caseworker and lead grants), by name; one row per person and organisation.
func (r Dashboard) TeamMembers(ctx context.Context, msc model.Scope, orgs []uuid.UUID) ([]TeamMember, error) {
	var out []TeamMember
	err := visible(r.db.WithContext(ctx).Model(&model.User{}), msc).
		Joins("JOIN role_grants tg ON tg.user_id = users.id").
		Where("users.active AND tg.org_id = ANY(?::uuid[]) AND tg.role IN ('caseworker', 'lead')", uuids(orgs)).
		Distinct("users.id AS id", "users.display_name AS name", "tg.org_id AS org_id").
		Order("name, id, org_id").Scan(&out).Error
	return out, translate("list team members", err)
}

// Names returns the display names of the accounts ids, for the people the dashboard's
// figures name (assignees, senders, answerers of records the caller may see).
func (r Dashboard) Names(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
	}
	err := r.db.WithContext(ctx).Model(&model.User{}).Select("id, display_name").
		Where("id = ANY(?::uuid[])", uuids(ids)).Scan(&rows).Error
	if err != nil {
		return nil, translate("names of team members", err)
	}
	for _, u := range rows {
		out[u.ID] = u.DisplayName
	}
	return out, nil
}
