package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Dashboard answers the department head's questions about the team: which tasks and
// referrals are open and overdue, with whom and in which area, how old they are, and how the
// open and overdue tasks developed over the last weeks.
//
// The team is the organisation subtree that the head's task scope reaches (org_tree): the
// acting organisation and every unit below it. Every figure is counted under the same
// visibility predicates as every list and single read (store.visible), and then narrowed to
// the team's organisations, so the dashboard never counts a record the head could not open.
// There is no second access check of its own.
type Dashboard struct{ base }

// TeamListLimit is how many tasks the dashboard lists at most (the most urgent first); the
// figures count all.
const TeamListLimit = 50

// WeeksShown is the length of the weekly series.
const WeeksShown = 12

// Ages counts records by age: 0–7 days, 8–30 days, over 30 days. For open records the age is
// the time since they were created; for overdue ones the time past their deadline (1–7, 8–30,
// over 30 days).
type Ages [3]int

// Figures are the numbers of one row of the dashboard: the open records, the overdue ones
// among them, and both by age.
type Figures struct {
	Open, Overdue int
	// Age groups the open records by days since their creation.
	Age Ages
	// Late groups the overdue records by days past their deadline.
	Late Ages
}

func (f *Figures) add(g Figures) {
	f.Open += g.Open
	f.Overdue += g.Overdue
	for i := range f.Age {
		f.Age[i] += g.Age[i]
		f.Late[i] += g.Late[i]
	}
}

// FigureRow is the figures of one person or one area.
type FigureRow struct {
	// Key is the person's account id or the area code; empty for "nobody" (unassigned, not
	// yet answered) or "no area".
	Key string
	// Name is the person's display name; empty for areas and for nobody.
	Name string
	Figures
}

// TeamFigures are the figures of one kind of record, in total, by person and by area.
type TeamFigures struct {
	Total Figures
	// ByPerson is by name, nobody last.
	ByPerson []FigureRow
	// ByArea is in the areas' display order, no area last.
	ByArea []FigureRow
}

// Week is one point of the weekly series: the calendar week (ISO year and number) and the
// moment it is counted at: its end (Sunday 24:00 in Europe/Berlin), or now for the current
// week.
type Week struct {
	Year, Number int
	At           time.Time
}

// AreaSeries is the weekly series of one area (empty: tasks without an area): how many tasks
// were open, and overdue, at each week of Team.Weeks.
type AreaSeries struct {
	Area    string
	Open    []int
	Overdue []int
}

// TeamTask is an open task of the team in the dashboard's list.
type TeamTask struct {
	model.Task
	// AssigneeName is the assignee's display name; empty when unassigned.
	AssigneeName string
	// Overdue: the due date lies before today. DaysOverdue counts the days past it.
	Overdue     bool
	DaysOverdue int
	// AgeDays is the number of days since the task was created.
	AgeDays int
}

// TeamMember is someone a task of the team can be reassigned to: an active member with a
// caseworker or lead grant in one of the team's organisations (one entry per organisation).
type TeamMember struct {
	ID    uuid.UUID
	Name  string
	OrgID uuid.UUID
}

// TeamReferral is an active referral of the team in the dashboard's list of referrals.
type TeamReferral struct {
	model.Referral
	// Incoming: addressed to one of the team's organisations; else sent by one of them.
	Incoming bool
	// FromOrg and ToOrg name the two organisations.
	FromOrg, ToOrg string
	// SenderName is who sent it; AssigneeName who answers it (its assignee, else who
	// answered it); empty when nobody is named.
	SenderName, AssigneeName string
	// Overdue: still waiting for the reply after the reply deadline; DaysOverdue counts the
	// days past it.
	Overdue     bool
	DaysOverdue int
	// MayReassign: the head may name who answers it (incoming, referral.reassign).
	MayReassign bool
}

// TeamFilter narrows the dashboard's task list (the figures always count the whole team).
type TeamFilter struct {
	// Assignee lists the tasks of one person; Unassigned those of nobody.
	Assignee   *uuid.UUID
	Unassigned bool
	// Area lists the tasks of one area; a pointer to "" those without an area.
	Area *string
	// OverdueOnly lists only overdue tasks.
	OverdueOnly bool
	// Limit is the page size, 1 to 100; 0 means TeamListLimit. ListOrder is the order (a
	// key of the task list's; by default by due date, so the overdue ones lead) and the
	// numbered page.
	Limit int
	model.ListOrder
}

// Team is what the team dashboard shows.
type Team struct {
	// Today is the dashboard's calendar day (Europe/Berlin) as midnight UTC.
	Today time.Time
	// Orgs are the team's organisations, the acting one first, then the units below it,
	// each after its parent.
	Orgs []model.Organisation
	// Areas are the areas in use, in display order, for names and order.
	Areas []model.Area
	// Tasks are the open tasks of the team; overdue means past their due date.
	Tasks TeamFigures
	// Outgoing are the active referrals the team sent; Incoming those sent to the team.
	// Overdue means: still waiting for the reply after the reply deadline. By person means
	// the sender (outgoing) or the person who answered (incoming; nobody while unanswered).
	Outgoing, Incoming TeamFigures
	// Weeks and Series are the open and overdue tasks per area over the last WeeksShown
	// weeks, oldest first; every series has one value per week.
	Weeks  []Week
	Series []AreaSeries
	// List is the page of the open tasks that match the filter, in the filter's order (the
	// most urgent first by default); ListTotal counts all that match.
	List      []TeamTask
	ListTotal int
	// Referrals are the team's active referrals, incoming and outgoing, the overdue first,
	// at most TeamListLimit; ReferralsTotal counts all.
	Referrals      []TeamReferral
	ReferralsTotal int
}

// teamScope is the actor's task.read scope if it reaches a team (the org_tree scope of a
// department head); otherwise ErrForbidden.
func (s *Dashboard) teamScope(a model.Actor) (model.Scope, error) {
	tsc, err := s.require(a, objTask, actRead, false)
	if err != nil {
		return tsc, err
	}
	if !tsc.Has(model.ScopeOrgTree) || len(tsc.OrgTree) == 0 {
		return tsc, fmt.Errorf("service: the team's tasks need the org_tree scope: %w", model.ErrForbidden)
	}
	return tsc, nil
}

// Team returns the dashboard of the actor's team. It needs the task.read permission with the
// org_tree scope (department heads); without it, ErrForbidden. Referral figures need
// referral.read; without it that part stays empty. The people a task or an incoming referral
// may be given to are not part of it: each one's reassignment page reads them
// (TeamReassignment, ReferralReassignment), which keeps the dashboard from carrying the
// team's names once per listed task or referral. One "task.list" audit event records the
// tasks listed.
func (s *Dashboard) Team(ctx context.Context, a model.Actor, f TeamFilter) (*Team, error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	tsc, err := s.teamScope(a)
	if err != nil {
		return nil, err
	}
	rsc, err := s.scope(a, objReferral, actRead)
	if err != nil {
		return nil, err
	}
	orgs := tsc.OrgTree
	now := s.now()
	out := &Team{Today: s.today()}
	q, err := s.teamTaskQuery(a, f, orgs, out.Today)
	if err != nil {
		return nil, err
	}
	out.Weeks = weeksEndingAt(now, WeeksShown)
	moments := make([]store.WeekMoment, len(out.Weeks))
	for i, w := range out.Weeks {
		moments[i] = store.WeekMoment{At: w.At, Day: civilDay(w.At.In(model.Berlin))}
	}
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		// Heavy runs this again on the primary when the replica fails midway: start afresh.
		*out = Team{Today: out.Today, Weeks: out.Weeks}
		d := tx.Dashboard()
		all, err := s.organisations(ctx, tx)
		if err != nil {
			return err
		}
		out.Orgs = subtreeOrder(all, a.OrgID, orgs)
		if out.Areas, err = s.areas(ctx, tx); err != nil {
			return err
		}
		people := map[uuid.UUID]bool{}
		collect := func(rows []store.FigureRow) {
			for _, r := range rows {
				if id, err := uuid.Parse(r.Key); err == nil {
					people[id] = true
				}
			}
		}
		tasks, err := d.TaskFigures(ctx, tsc, orgs, out.Today)
		if err != nil {
			return err
		}
		collect(tasks[0])
		q.Total = listTotal(q, tasks)
		var rf store.TeamReferralFigures
		if rsc.Allowed() {
			if rf, err = d.TeamReferralFigures(ctx, rsc, orgs, out.Today, TeamListLimit); err != nil {
				return err
			}
			collect(rf.Outgoing[0])
			collect(rf.Incoming[0])
		}
		outgoing, incoming := rf.Outgoing, rf.Incoming
		points, err := d.TaskSeries(ctx, tsc, orgs, moments)
		if err != nil {
			return err
		}
		list, total, err := d.TeamTasks(ctx, tsc, q)
		if err != nil {
			return err
		}
		for _, t := range list {
			if t.AssigneeID != nil {
				people[*t.AssigneeID] = true
			}
		}
		refs, err := s.teamReferrals(ctx, tx, rsc, rf, out)
		if err != nil {
			return err
		}
		if err := s.labelCases(ctx, tx, a, list, refs); err != nil {
			return err
		}
		for _, r := range refs {
			for _, id := range []*uuid.UUID{r.SentBy, r.AssigneeID, r.AnsweredBy} {
				if id != nil {
					people[*id] = true
				}
			}
		}
		ids := make([]uuid.UUID, 0, len(people))
		for id := range people {
			ids = append(ids, id)
		}
		names, err := d.Names(ctx, ids)
		if err != nil {
			return err
		}
		out.Tasks = teamFigures(tasks, names, out.Areas)
		out.Outgoing = teamFigures(outgoing, names, out.Areas)
		out.Incoming = teamFigures(incoming, names, out.Areas)
		out.Series = weeklySeries(points, len(out.Weeks), out.Areas)
		out.ListTotal = int(total)
		taskIDs, caseIDs := make([]string, 0, len(list)), []string{}
		out.List = teamTasks(list, names, out.Today)
		for _, t := range list {
			taskIDs = append(taskIDs, t.ID.String())
			if t.CaseID != nil && !slices.Contains(caseIDs, t.CaseID.String()) {
				caseIDs = append(caseIDs, t.CaseID.String())
			}
		}
		ev := caseEvent(a, "task.list", objTask, uuid.Nil, uuid.Nil, model.JSONMap{"view": "team", "ids": taskIDs, "case_ids": caseIDs})
		ev.ObjectID = ""
		if err := tx.Audit().Record(ctx, ev); err != nil {
			return err
		}
		return s.finishTeamReferrals(ctx, tx, a, refs, names, all, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// daysBetween counts the calendar days from a to b (both midnight UTC of a calendar day).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// weeksEndingAt returns the last n calendar weeks up to now's (Monday to Sunday, Europe/
// Berlin), oldest first, each counted at its end, the current one at now.
func weeksEndingAt(now time.Time, n int) []Week {
	local := now.In(model.Berlin)
	y, m, d := local.Date()
	monday := time.Date(y, m, d, 0, 0, 0, 0, model.Berlin).AddDate(0, 0, -((int(local.Weekday()) + 6) % 7))
	out := make([]Week, n)
	for i := range n {
		start := monday.AddDate(0, 0, -7*(n-1-i))
		end := start.AddDate(0, 0, 7)
		at := end
		if at.After(now) {
			at = now
		}
		wy, wn := start.ISOWeek()
		out[i] = Week{Year: wy, Number: wn, At: at.UTC()}
	}
	return out
}

// subtreeOrder returns the organisations of ids, root first and every unit after its
// parent, siblings by name.
func subtreeOrder(all []model.Organisation, root uuid.UUID, ids []uuid.UUID) []model.Organisation {
	children := map[uuid.UUID][]model.Organisation{}
	var top *model.Organisation
	for i := range all {
		o := all[i]
		if !slices.Contains(ids, o.ID) {
			continue
		}
		if o.ID == root {
			top = &all[i]
			continue
		}
		if o.ParentID != nil {
			children[*o.ParentID] = append(children[*o.ParentID], o)
		}
	}
	if top == nil {
		return nil
	}
	out := []model.Organisation{*top}
	var walk func(id uuid.UUID)
	walk = func(id uuid.UUID) {
		kids := children[id]
		slices.SortFunc(kids, func(a, b model.Organisation) int { return cmp.Compare(a.Name, b.Name) })
		for _, k := range kids {
			out = append(out, k)
			walk(k.ID)
		}
	}
	walk(root)
	return out
}

// teamFigures turns the store's rows (by person, by area) into the dashboard's: names,
// order, total. The total is the sum by person, where every record counts exactly once (a
// referral for two areas counts in both of them).
func teamFigures(raw store.FigureSets, names map[uuid.UUID]string, areas []model.Area) TeamFigures {
	var out TeamFigures
	conv := func(r store.FigureRow) FigureRow {
		return FigureRow{Key: r.Key, Figures: Figures{
			Open: r.Open, Overdue: r.Overdue,
			Age: Ages{r.Age0, r.Age1, r.Age2}, Late: Ages{r.Late0, r.Late1, r.Late2},
		}}
	}
	for _, r := range raw[0] {
		row := conv(r)
		if id, err := uuid.Parse(r.Key); err == nil {
			row.Name = names[id]
		}
		out.ByPerson = append(out.ByPerson, row)
		out.Total.add(row.Figures)
	}
	slices.SortStableFunc(out.ByPerson, func(a, b FigureRow) int {
		if (a.Key == "") != (b.Key == "") {
			if a.Key == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Key, b.Key))
	})
	for _, r := range raw[1] {
		out.ByArea = append(out.ByArea, conv(r))
	}
	slices.SortStableFunc(out.ByArea, func(a, b FigureRow) int { return cmp.Compare(areaRank(areas, a.Key), areaRank(areas, b.Key)) })
	return out
}

// areaRank is an area's place in the display order; unknown areas after the known ones, no
// area last.
func areaRank(areas []model.Area, code string) int {
	if code == "" {
		return len(areas) + 1
	}
	if i := slices.IndexFunc(areas, func(a model.Area) bool { return a.Code == code }); i >= 0 {
		return i
	}
	return len(areas)
}

// weeklySeries spreads the store's points over one series per area in use (with zeros
// where nothing was open), in display order, plus one for tasks without an area if any
// week has some.
func weeklySeries(points []store.SeriesPoint, weeks int, areas []model.Area) []AreaSeries {
	byArea := map[string]*AreaSeries{}
	get := func(code string) *AreaSeries {
		if s, ok := byArea[code]; ok {
			return s
		}
		s := &AreaSeries{Area: code, Open: make([]int, weeks), Overdue: make([]int, weeks)}
		byArea[code] = s
		return s
	}
	for _, a := range areas {
		get(a.Code)
	}
	for _, p := range points {
		if p.Index < 1 || p.Index > weeks || (p.Open == 0 && p.Overdue == 0) {
			continue
		}
		s := get(p.Area)
		s.Open[p.Index-1] += p.Open
		s.Overdue[p.Index-1] += p.Overdue
	}
	out := make([]AreaSeries, 0, len(byArea))
	for _, s := range byArea {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b AreaSeries) int {
		return cmp.Or(cmp.Compare(areaRank(areas, a.Area), areaRank(areas, b.Area)), cmp.Compare(a.Area, b.Area))
	})
	return out
}

// teamTaskQuery checks the list part of f (page size, order, page) and turns it into the
// store's query of the team's open tasks in orgs.
func (s *Dashboard) teamTaskQuery(a model.Actor, f TeamFilter, orgs []uuid.UUID, today time.Time) (store.TeamTaskQuery, error) {
	q := store.TeamTaskQuery{Orgs: orgs, Today: today, Assignee: f.Assignee, Unassigned: f.Unassigned,
		Area: f.Area, OverdueOnly: f.OverdueOnly, Limit: TeamListLimit}
	if f.Limit != 0 {
		limit, err := taskPages.limit(f.Limit)
		if err != nil {
			return q, err
		}
		q.Limit = limit
	}
	caseScope, err := s.scope(a, objCase, actRead)
	if err != nil {
		return q, err
	}
	v := &model.ValidationError{}
	q.Sort = listSort(v, f.ListOrder, taskSorts, q.Limit, "", caseScope)
	return q, v.Err()
}

// TeamExport returns every open task of the actor's team that matches f, in f's order (the
// team dashboard's list as a download), each with its case as the actor may see it and its
// assignee's name; more than maxExport is ErrInvalid (narrow the filter). Like Team it needs
// task.read with the org_tree scope. One "task.export" audit event (view "team") records the
// count, the kinds of filter and the order, never their values.
func (s *Dashboard) TeamExport(ctx context.Context, a model.Actor, f TeamFilter) ([]TeamTask, error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	tsc, err := s.teamScope(a)
	if err != nil {
		return nil, err
	}
	today := s.today()
	f.Limit, f.Page = 0, 0
	q, err := s.teamTaskQuery(a, f, tsc.OrgTree, today)
	if err != nil {
		return nil, err
	}
	q.Limit, q.Sort.Offset = maxExport+1, 0
	var out []TeamTask
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		d := tx.Dashboard()
		list, total, err := d.TeamTasks(ctx, tsc, q)
		if err != nil {
			return err
		}
		if total > maxExport {
			return model.Invalid("filter", model.CodeTooManyResults, model.Params{"total": total, "max": maxExport})
		}
		if err := s.labelTasks(ctx, tx, a, list); err != nil {
			return err
		}
		var ids []uuid.UUID
		for _, t := range list {
			if t.AssigneeID != nil && !slices.Contains(ids, *t.AssigneeID) {
				ids = append(ids, *t.AssigneeID)
			}
		}
		names, err := d.Names(ctx, ids)
		if err != nil {
			return err
		}
		out = teamTasks(list, names, today)
		kinds := []string{}
		for _, k := range []struct {
			on   bool
			kind string
		}{{f.Assignee != nil, "assignee"}, {f.Unassigned, "unassigned"}, {f.Area != nil, "area"}, {f.OverdueOnly, "overdue"}} {
			if k.on {
				kinds = append(kinds, k.kind)
			}
		}
		ev := caseEvent(a, "task.export", objTask, uuid.Nil, uuid.Nil, model.JSONMap{"view": "team", "total": len(list), "filters": kinds, "sort": f.Sort, "desc": f.Desc})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listTotal is how many open tasks the list's filter q matches, from the team's task figures
// f (counted under the same scope, on the same day, in the same snapshot) where the filter
// is one of theirs: none, nobody or one person, one area, or only the overdue ones; nil for a
// combination, which the list counts itself.
func listTotal(q store.TeamTaskQuery, f store.FigureSets) *int64 {
	set, key := -1, ""
	switch {
	case q.Unassigned:
		set = 0
	case q.Assignee != nil:
		set, key = 0, q.Assignee.String()
	}
	if q.Area != nil {
		if set >= 0 {
			return nil
		}
		set, key = 1, *q.Area
	}
	var n int64
	switch {
	case set < 0:
		for _, r := range f[0] {
			if q.OverdueOnly {
				n += int64(r.Overdue)
			} else {
				n += int64(r.Open)
			}
		}
	case q.OverdueOnly:
		return nil
	default:
		for _, r := range f[set] {
			if r.Key == key {
				n = int64(r.Open)
			}
		}
	}
	return &n
}

// teamTasks are the list's rows: each task with its age, its assignee's name and how late it
// is on today.
func teamTasks(list []model.Task, names map[uuid.UUID]string, today time.Time) []TeamTask {
	out := make([]TeamTask, 0, len(list))
	for _, t := range list {
		tt := TeamTask{Task: t, AgeDays: daysBetween(civilDay(t.CreatedAt.In(model.Berlin)), today)}
		if t.AssigneeID != nil {
			tt.AssigneeName = names[*t.AssigneeID]
		}
		if t.DueDate != nil && civilDay(*t.DueDate).Before(today) {
			tt.Overdue, tt.DaysOverdue = true, daysBetween(civilDay(*t.DueDate), today)
		}
		out = append(out, tt)
	}
	return out
}

// teamReferrals reads the page of the team's active referrals that the figures chose
// (incoming and outgoing, the most urgent first, at most TeamListLimit; rf) under the
// actor's referral read scope, and their total; Team labels their cases with the tasks'.
func (s *Dashboard) teamReferrals(ctx context.Context, tx *store.Tx, rsc model.Scope, rf store.TeamReferralFigures, out *Team) ([]model.Referral, error) {
	if !rsc.Allowed() {
		return nil, nil
	}
	refs, err := tx.Dashboard().TeamReferrals(ctx, rsc, rf.Listed)
	if err != nil {
		return nil, err
	}
	out.ReferralsTotal = int(rf.Total)
	return refs, nil
}

// finishTeamReferrals names the people of the team's referrals and records one
// "referral.list" audit event with the referrals and cases listed.
func (s *Dashboard) finishTeamReferrals(ctx context.Context, tx *store.Tx, a model.Actor, refs []model.Referral, names map[uuid.UUID]string, all []model.Organisation, out *Team) error {
	if refs == nil && out.ReferralsTotal == 0 {
		return nil
	}
	rsc, err := s.scope(a, objReferral, actReassign)
	if err != nil {
		return err
	}
	orgNames, team := orgNameMap(all), teamOrgs(out)
	refIDs, caseIDs := make([]string, 0, len(refs)), []string{}
	for _, r := range refs {
		out.Referrals = append(out.Referrals, teamReferral(r, team, rsc, names, orgNames, out.Today))
		refIDs = append(refIDs, r.ID.String())
		if !slices.Contains(caseIDs, r.CaseID.String()) {
			caseIDs = append(caseIDs, r.CaseID.String())
		}
	}
	ev := caseEvent(a, "referral.list", objReferral, uuid.Nil, uuid.Nil, model.JSONMap{"view": "team", "ids": refIDs, "case_ids": caseIDs})
	ev.ObjectID = ""
	return tx.Audit().Record(ctx, ev)
}

// teamReferral is r as the team's list shows it: in which direction it goes for the team,
// the names of its organisations and people, how late it is on today, and whether the
// actor may name who answers it (mayReassignReferral under the referral.reassign scope
// rsc).
func teamReferral(r model.Referral, team []uuid.UUID, rsc model.Scope, names, orgNames map[uuid.UUID]string, today time.Time) TeamReferral {
	name := func(id *uuid.UUID) string {
		if id == nil {
			return ""
		}
		return names[*id]
	}
	tr := TeamReferral{Referral: r, Incoming: slices.Contains(team, r.ToOrgID), SenderName: name(r.SentBy),
		FromOrg: orgNames[r.FromOrgID], ToOrg: orgNames[r.ToOrgID]}
	who := r.AssigneeID
	if who == nil {
		who = r.AnsweredBy
	}
	tr.AssigneeName = name(who)
	if r.Status == model.ReferralSent && civilDay(r.ReplyDue).Before(today) {
		tr.Overdue, tr.DaysOverdue = true, daysBetween(civilDay(r.ReplyDue), today)
	}
	tr.MayReassign = tr.Incoming && mayReassignReferral(rsc, &r)
	return tr
}

// teamOrgs are the ids of the team's organisations.
func teamOrgs(t *Team) []uuid.UUID {
	out := make([]uuid.UUID, len(t.Orgs))
	for i, o := range t.Orgs {
		out[i] = o.ID
	}
	return out
}

// orgNameMap maps the organisations' ids to their names.
func orgNameMap(orgs []model.Organisation) map[uuid.UUID]string {
	out := make(map[uuid.UUID]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out
}
