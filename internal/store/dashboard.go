package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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

// figureInputs are what figureCounts counts of a record, as columns computed once per
// record: whether it is open (lotse_open) and overdue (lotse_overdue), its age in days
// since it was created (lotse_age) and its days past its deadline (lotse_late), on the day
// of the placeholders. open is the expression of an open record, overdue of an overdue
// one, created its creation timestamp, due its deadline (a date). Counting them in a query
// above (fenced, so that the planner does not fold the columns back into every count) costs
// half of writing the expressions into each count: the time-zone conversion of the age ran
// three times per record and per grouping (the largest department's task figures, 47,000
// tasks: 75 to 36 ms).
func figureInputs(open, overdue, created, due string) string {
	return `(` + open + `) AS lotse_open, (` + overdue + `) AS lotse_overdue, (?::date - ` + berlinDay(created) +
		`) AS lotse_age, (?::date - ` + due + `) AS lotse_late`
}

// figureCounts are the counting columns of a FigureRow over records with figureInputs, of
// the alias r.
const figureCounts = `count(*) FILTER (WHERE r.lotse_open) AS open,
	count(*) FILTER (WHERE r.lotse_overdue) AS overdue,
	count(*) FILTER (WHERE r.lotse_open AND r.lotse_age <= 7) AS age0,
	count(*) FILTER (WHERE r.lotse_open AND r.lotse_age BETWEEN 8 AND 30) AS age1,
	count(*) FILTER (WHERE r.lotse_open AND r.lotse_age > 30) AS age2,
	count(*) FILTER (WHERE r.lotse_overdue AND r.lotse_late <= 7) AS late0,
	count(*) FILTER (WHERE r.lotse_overdue AND r.lotse_late BETWEEN 8 AND 30) AS late1,
	count(*) FILTER (WHERE r.lotse_overdue AND r.lotse_late > 30) AS late2`

// dayArgs is the arguments of figureInputs' placeholders: every one is the day.
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

// FigureSets are the figures of one kind of record grouped two ways, from one pass over
// the records: [0] by person (assignee, sender or answerer; the empty key is nobody), [1]
// by area (the empty key is no area; a referral for two areas counts in both).
type FigureSets [2][]FigureRow

// figureSet is a FigureRow with the set it belongs to (the index into FigureSets, or for
// referrals 2 and 3 for the incoming ones).
type figureSet struct {
	Set int
	FigureRow
}

// sets sorts the rows into n FigureSets by their set.
func sets(rows []figureSet, n int) []FigureSets {
	out := make([]FigureSets, n)
	for _, r := range rows {
		out[r.Set/2][r.Set%2] = append(out[r.Set/2][r.Set%2], r.FigureRow)
	}
	return out
}

// TaskFigures counts the open tasks of orgs that sc reaches, on day today, by assignee and
// by area. One statement reads the tasks once and groups them both ways (GROUPING SETS):
// the team's open tasks are the dashboard's largest set, and each grouping apart would read
// them all again.
func (r Dashboard) TaskFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, today time.Time) (FigureSets, error) {
	day := today.Format(time.DateOnly)
	inputs := figureInputs(taskOpen, taskOverdue, "tasks.created_at", "tasks.due_date")
	tasks := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
		Select(`coalesce(tasks.assignee_id::text, '') AS person, coalesce(tasks.area, '') AS area, `+inputs, dayArgs(inputs, day)...).
		Where("tasks.org_id = ANY(?::uuid[]) AND "+taskOpen, uuids(orgs))
	var rows []figureSet
	// In each grouping set the other key is NULL: the coalesce is the set's own key.
	err := r.db.WithContext(ctx).Raw(`SELECT grouping(r.person) AS set, coalesce(r.person, r.area) AS key, `+figureCounts+`
		FROM (? OFFSET 0) AS r GROUP BY GROUPING SETS ((r.person), (r.area)) ORDER BY 1, 2`, tasks).Scan(&rows).Error
	if err != nil {
		return FigureSets{}, translate("count team tasks", err)
	}
	return sets(rows, 1)[0], nil
}

// referralOpen is a referral in an active state; referralOverdue one still waiting for its
// reply after the reply deadline (the day of the placeholder).
var (
	referralOpen    = `referrals.status IN ` + sqlActiveReferral
	referralOverdue = `referrals.status = '` + string(model.ReferralSent) + `' AND referrals.reply_due < ?::date`
)

// ReferralFigures counts the active referrals that sc reaches and that go from orgs
// (outgoing) or to orgs (incoming), on day today: outgoing by sender and by area, incoming
// by answerer and by area. Overdue means: still waiting for the reply after the reply
// deadline. One statement reads the referrals once (a referral within the team counts on
// both sides) and groups them the four ways.
func (r Dashboard) ReferralFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, today time.Time) (outgoing, incoming FigureSets, err error) {
	f, err := r.referralFigures(ctx, sc, orgs, today, 0)
	return f.Outgoing, f.Incoming, err
}

// TeamReferralFigures are the team dashboard's referral figures (as ReferralFigures) with the
// first page of its list of the same referrals (TeamReferrals' order): their ids, in order,
// and how many there are in all.
type TeamReferralFigures struct {
	Outgoing, Incoming FigureSets
	Listed             []uuid.UUID
	Total              int64
}

// TeamReferralFigures is ReferralFigures with the first limit referrals of the team's list,
// from the same statement: the list is the very referrals the figures count (visible, of
// the team, active), so it is taken in the same pass, ordered and cut to the page, where a
// statement of its own evaluated the visibility of every one of them again to count and
// sort them (the team's referral list was about 55 ms of the largest department's
// dashboard). TeamReferrals then reads the page's referrals by their ids.
func (r Dashboard) TeamReferralFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, today time.Time, limit int) (TeamReferralFigures, error) {
	return r.referralFigures(ctx, sc, orgs, today, limit)
}

// referralFigures is ReferralFigures, with the list's first limit ids and its total when
// limit > 0: the list's rows are set 4 (the key the id, Open its place from 1), its total
// set 5 (in Open).
func (r Dashboard) referralFigures(ctx context.Context, sc model.Scope, orgs []uuid.UUID, today time.Time, limit int) (TeamReferralFigures, error) {
	team := uuids(orgs)
	day := today.Format(time.DateOnly)
	inputs := figureInputs(referralOpen, referralOverdue, "referrals.created_at", "referrals.reply_due")
	hit := visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc).
		Select(`referrals.id, referrals.status, referrals.reply_due, referrals.created_at, referrals.sent_by,
			referrals.answered_by, referrals.areas,
			referrals.from_org_id = ANY(?::uuid[]) AS outgoing, referrals.to_org_id = ANY(?::uuid[]) AS incoming, `+inputs,
			append([]any{team, team}, dayArgs(inputs, day)...)...).
		Where("(referrals.from_org_id = ANY(?::uuid[]) OR referrals.to_org_id = ANY(?::uuid[])) AND "+referralOpen, team, team)
	var parts []string
	args := []any{hit}
	for set, g := range []struct{ side, key, from string }{
		{"outgoing", `coalesce(r.sent_by::text, '')`, ""},
		{"outgoing", `ra.area`, `, unnest(r.areas) AS ra(area)`},
		{"incoming", `coalesce(r.answered_by::text, '')`, ""},
		{"incoming", `ra.area`, `, unnest(r.areas) AS ra(area)`},
	} {
		parts = append(parts, fmt.Sprintf(`SELECT %d AS set, %s AS key, %s FROM hit AS r%s WHERE r.%s GROUP BY 2`,
			set, g.key, figureCounts, g.from, g.side))
	}
	if limit > 0 {
		const zeros = `0 AS overdue, 0 AS age0, 0 AS age1, 0 AS age2, 0 AS late0, 0 AS late1, 0 AS late2`
		parts = append(parts,
			// The page is cut first (a top-N sort of the set), then numbered (a sort of the page).
			`SELECT 4 AS set, referrals.id::text AS key, row_number() OVER (ORDER BY `+teamReferralOrder+`) AS open, `+zeros+`
				FROM (SELECT * FROM hit AS referrals ORDER BY `+teamReferralOrder+` LIMIT ?) AS referrals`,
			`SELECT 5 AS set, '' AS key, count(*) AS open, `+zeros+` FROM hit`)
		args = append(args, day, day, limit) // the window's day, the page's day, its size
	}
	var rows []figureSet
	err := r.db.WithContext(ctx).Raw(`WITH hit AS MATERIALIZED (?) `+strings.Join(parts, " UNION ALL ")+` ORDER BY 1, 2`, args...).
		Scan(&rows).Error
	if err != nil {
		return TeamReferralFigures{}, translate("count team referrals", err)
	}
	var out TeamReferralFigures
	var figures, listed []figureSet
	for _, row := range rows {
		switch row.Set {
		case 4:
			listed = append(listed, row)
		case 5:
			out.Total = int64(row.Open)
		default:
			figures = append(figures, row)
		}
	}
	both := sets(figures, 2)
	out.Outgoing, out.Incoming = both[0], both[1]
	slices.SortFunc(listed, func(a, b figureSet) int { return cmp.Compare(a.Open, b.Open) })
	for _, row := range listed {
		id, err := uuid.Parse(row.Key)
		if err != nil {
			return TeamReferralFigures{}, fmt.Errorf("store: team referrals: %w", err)
		}
		out.Listed = append(out.Listed, id)
	}
	return out, nil
}

// teamReferralOrder is the order of the team's referral list, the most urgent first: those
// still waiting for their reply after the reply deadline (the day of the two placeholders),
// then by reply deadline, then as they came.
const teamReferralOrder = `(referrals.status = '` + string(model.ReferralSent) + `' AND referrals.reply_due < ?::date) DESC,
	referrals.reply_due, referrals.created_at, referrals.id`

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
// that moment, and of those the overdue ones, per area (empty: no area); only points with a
// task open or overdue. The history is reconstructed from the task rows, as there is no
// status log:
//
//   - a task is open at t when it was created at or before t, was not done by t (done_at
//     empty or later than t), and is not a task cancelled at or before t (a cancelled task
//     counts as closed from its last change, updated_at);
//   - it is overdue at t when it is open at t and its due date lies before t's calendar day;
//   - a task that was done and reopened has no done_at any more and counts as open since its
//     creation; a task moved between organisations counts where it is now.
//
// The moments ascend, so the moments at which a task is open are a run of them, from the
// first at or after its creation to the last before it closed, and those at which it is
// overdue a run within that one. Each task is read once and turned into where its runs begin
// and end (width_bucket over the moments; timestamps are exact to the microsecond), the tasks
// with the same runs are counted together, and the counts are the running sums of those
// steps per area: one pass over the team's tasks rather than one per moment (for the
// largest department at a tenth of the city, 31,000 tasks: 145 ms moment by moment, 64 ms
// this way).
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
	at, day := "{"+strings.Join(ats, ",")+"}", "{"+strings.Join(days, ",")+"}"
	// first is the index (from 1) of the first moment at or after the timestamp expression,
	// end (len(moments)+1) when there is none or the expression is empty; late is the first
	// moment whose day lies after the due date, end without one.
	first := func(ts string) string {
		return `coalesce(width_bucket(` + ts + ` - interval '1 microsecond', ?::timestamptz[]) + 1, ?)`
	}
	end := len(moments) + 1
	steps := visible(r.db.WithContext(ctx).Model(&model.Task{}), sc).
		Select(`coalesce(tasks.area, '') AS area, `+first(`tasks.created_at`)+` AS opened, `+
			first(`least(tasks.done_at, CASE WHEN tasks.status = 'cancelled' THEN tasks.updated_at END)`)+` AS closed,
			coalesce(width_bucket(tasks.due_date, ?::date[]) + 1, ?) AS late`, at, end, at, end, day, end).
		Where("tasks.org_id = ANY(?::uuid[])", uuids(orgs)).
		// Tasks done or cancelled before the first moment can count nowhere: the open ones
		// and those closed since (done or last changed after it; greatest skips an empty
		// done_at), each read from its own index (tasks_org_assignee_open_idx,
		// tasks_org_closed_since_idx), not every task the team ever had.
		Where("(tasks.status NOT IN "+sqlClosedTask+" OR (tasks.status IN "+sqlClosedTask+" AND greatest(tasks.updated_at, tasks.done_at) > ?))", moments[0].At)
	var out []SeriesPoint
	err := r.db.WithContext(ctx).Raw(`WITH t AS MATERIALIZED (SELECT area, opened, closed, late, count(*) AS n FROM (?) AS steps GROUP BY 1, 2, 3, 4),
		d AS (SELECT t.area, s.idx, sum(s.open * t.n) AS open, sum(s.overdue * t.n) AS overdue
			FROM t CROSS JOIN LATERAL (VALUES (t.opened, 1, 0), (t.closed, -1, 0),
				(greatest(t.opened, t.late), 0, 1), (t.closed, 0, -1)) AS s(idx, open, overdue)
			WHERE t.opened < t.closed AND (s.overdue = 0 OR greatest(t.opened, t.late) < t.closed)
			GROUP BY 1, 2)
		SELECT * FROM (
			SELECT g.idx AS index, a.area,
				sum(coalesce(d.open, 0)) OVER w AS open, sum(coalesce(d.overdue, 0)) OVER w AS overdue
			FROM (SELECT DISTINCT area FROM d) AS a CROSS JOIN generate_series(1, ?) AS g(idx)
			LEFT JOIN d ON d.area = a.area AND d.idx = g.idx
			WINDOW w AS (PARTITION BY a.area ORDER BY g.idx)) AS points
		WHERE open <> 0 OR overdue <> 0 ORDER BY 1, 2`, steps, len(moments)).Scan(&out).Error
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
	// Total is how many tasks match, when the caller knows it (the dashboard's figures
	// count them in the same snapshot); nil: the list counts them.
	Total *int64
}

// TeamTasks returns a page of the open tasks of q.Orgs that sc reaches and that match q, in
// q.Sort's order (by default the most urgent first: by due date, so the overdue ones lead,
// undated last), and how many match in all, from one statement (withTotal).
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
	if q.Total != nil && (q.Sort.Key == "" || q.Sort.Key == model.SortDue) && !q.Sort.Desc {
		out, err := r.teamTasksByOrg(ctx, base, q)
		return out, *q.Total, translate("list team tasks", err)
	}
	out, total, err := withTotal[model.Task](orderTasks(base(), q.Sort).Offset(q.Sort.Offset).Limit(q.Limit), "tasks", q.Sort.Offset,
		func() (n int64, err error) { return n, base().Count(&n).Error })
	return out, total, translate("list team tasks", err)
}

// openTaskStatuses are the statuses of an open task (every one that is not closed).
var openTaskStatuses = func() []string {
	var out []string
	for _, st := range model.TaskStatuses {
		if !slices.Contains(model.ClosedTaskStatuses, st) {
			out = append(out, string(st))
		}
	}
	return out
}()

// teamTasksByOrg is the page of TeamTasks in its default order (by due date, undated last)
// when the total is known: the page of each organisation's open tasks of each open status,
// read from tasks_org_status_due_idx in that order and stopped after offset+limit rows, then
// merged. The largest departments have some 50,000 open tasks; counting and sorting them all
// for a page of 50 was the dashboard's third-costliest statement.
func (r Dashboard) teamTasksByOrg(ctx context.Context, base func() *gorm.DB, q TeamTaskQuery) ([]model.Task, error) {
	each := base().Where("tasks.org_id = o.id AND tasks.status = st.status").
		Order("tasks.due_date ASC NULLS LAST, tasks.id ASC").Limit(q.Sort.Offset + q.Limit)
	var out []model.Task
	err := r.db.WithContext(ctx).Raw(`SELECT t.* FROM unnest(?::uuid[]) AS o(id) CROSS JOIN unnest(?::text[]) AS st(status)
		CROSS JOIN LATERAL (?) AS t ORDER BY t.due_date ASC NULLS LAST, t.id ASC OFFSET ? LIMIT ?`,
		uuids(q.Orgs), "{"+strings.Join(openTaskStatuses, ",")+"}", each, q.Sort.Offset, q.Limit).Scan(&out).Error
	if out == nil {
		out = []model.Task{}
	}
	return out, err
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
