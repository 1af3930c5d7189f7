package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui/components"
)

// The department head's team dashboard (routes.go, "Department heads"): the team's open and
// overdue tasks and referrals by person and by area with their age, the weekly chart of open
// and overdue tasks per area with its data as a table, and the open tasks, each with a link
// to its page "Aufgabe neu zuweisen" (leadReassignPage) with the choice of the team's
// organisations and people. Everything on the dashboard comes from one service call,
// service.Dashboard.Team, which counts under the same visibility as every list; the
// reassignment page from service.Dashboard.TeamReassignment.

// noneValue is the filter value of "nobody" and "no area".
const noneValue = "none"

// teamPeopleShown is how many people a table "by person" of the dashboard shows unless all
// are asked for (personen=alle): those with the most overdue records. The largest
// departments of the city have about 400 people with something open, and their three tables
// made the page a megabyte of HTML; the sum below each table still counts everyone.
const teamPeopleShown = 10

// teamFilter reads the task list's filter from a query or a form: person (an account id or
// "none"), area (a code or "none"), overdue ("1"), and the list's order and page (sort, dir,
// seite, pro_seite; by due date, so the overdue ones lead). Values that are no id are
// ignored. personen=alle shows every person in the tables by person; it is kept with the
// list's state like a filter, so that sorting, paging and reassigning keep the long tables.
func teamFilter(get func(string) string) (f service.TeamFilter, v components.TeamFilterView) {
	defer func() { // named results: the list's state is added to what is returned
		filters := url.Values{}
		if v.Person != "" {
			filters.Set("person", v.Person)
		}
		if v.Area != "" {
			filters.Set("area", v.Area)
		}
		if v.Overdue {
			filters.Set("overdue", "1")
		}
		if v.AllPeople {
			filters.Set(components.TeamPeopleParam, components.TeamAllPeople)
		}
		o, size := listOrderFrom(get, taskSortKeys, model.SortDue, false)
		f.ListOrder, f.Limit = o, size
		v.List = listing("/team", model.SortDue, false, filters, o, size)
		v.List.Anchor, v.List.DownloadPath = "aufgaben-liste", "/team/aufgaben"
	}()
	switch p := strings.TrimSpace(get("person")); {
	case p == noneValue:
		f.Unassigned, v.Person = true, noneValue
	case p != "":
		if id, err := uuid.Parse(p); err == nil {
			f.Assignee, v.Person = &id, id.String()
		}
	}
	switch a := strings.TrimSpace(get("area")); {
	case a == noneValue:
		empty := ""
		f.Area, v.Area = &empty, noneValue
	case a != "":
		f.Area, v.Area = &a, a
	}
	if get("overdue") == "1" {
		f.OverdueOnly, v.Overdue = true, true
	}
	v.AllPeople = get(components.TeamPeopleParam) == components.TeamAllPeople
	return f, v
}

// teamFlashAt keeps, beside the flash, the section of the team page where the change was
// made, so that the confirmation shows there and not only at the top of the page.
const teamFlashAt = "team.flash_at"

// flashAt keeps msg for the next page, to be shown in the team page's section at (the id of
// its heading, which the redirect's fragment points at).
func (s *Server) flashAt(c echo.Context, at, msg string) {
	s.flash(c, msg)
	if s.auth.Sessions != nil {
		s.auth.Sessions.Put(c.Request().Context(), teamFlashAt, at)
	}
}

// leadTeam is the team dashboard; after a change it shows the confirmation in the section
// where the change was made.
func (s *Server) leadTeam(c echo.Context) error {
	f, fv := teamFilter(c.QueryParam)
	team, err := s.svc.Dashboard.Team(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	fv.List = listingDone(fv.List, int64(team.ListTotal), s.localizer(c).T("lists.team.label"))
	v := teamView(team, s.localizer(c).Lang.String(), fv)
	if s.auth.Sessions != nil {
		if at := s.auth.Sessions.PopString(c.Request().Context(), teamFlashAt); at != "" {
			// Taken here, the flash no longer shows at the top of the page as well.
			v.Flash, v.FlashAt = s.popFlash(c), at
		}
	}
	return s.render(c, http.StatusOK, components.TeamDashboardPage(v))
}

// teamAreaNames names the areas in lang: by code, and as a function that keeps an unknown
// code as it is.
func teamAreaNames(areas []model.Area, lang string) (map[string]string, func(string) string) {
	names := map[string]string{}
	for _, a := range areas {
		names[a.Code] = areaLabel(a, lang)
	}
	return names, func(code string) string {
		if n, ok := names[code]; ok {
			return n
		}
		return code
	}
}

// teamView turns the service's dashboard into the page's view.
func teamView(t *service.Team, lang string, fv components.TeamFilterView) components.TeamDashboard {
	areaNames, areaName := teamAreaNames(t.Areas, lang)
	orgNames := orgNameMap(t.Orgs)
	figures := func(f service.Figures) components.TeamFigures {
		return components.TeamFigures{Open: f.Open, Overdue: f.Overdue, Age: f.Age, Late: f.Late}
	}
	// table is one table of figures; id names a table by person (its links to all and to the
	// few people point at it), empty for a table by area.
	table := func(rows []service.FigureRow, total service.Figures, id string, link string) components.TeamFigureTable {
		out := components.TeamFigureTable{Total: figures(total)}
		byArea := id == ""
		if !byArea {
			for _, r := range rows {
				if r.Key != "" {
					out.People++
				}
			}
			if out.People > teamPeopleShown {
				out.AllHref = components.TeamPeopleURL(fv.List, true, id)
				out.FewHref = components.TeamPeopleURL(fv.List, false, id)
				out.Few, out.ShowsAll = teamPeopleShown, fv.AllPeople
			}
			if !fv.AllPeople {
				rows = mostOverdue(rows, teamPeopleShown)
			}
		}
		for _, r := range rows {
			row := components.TeamFigureRow{Nobody: r.Key == "", TeamFigures: figures(r.Figures)}
			if byArea {
				row.Label = areaName(r.Key)
			} else {
				row.Label = r.Name
			}
			if link != "" {
				key := r.Key
				if key == "" {
					key = noneValue
				}
				row.Href = "/team?" + url.Values{link: {key}}.Encode() + "#aufgaben-liste"
			}
			out.Rows = append(out.Rows, row)
		}
		return out
	}
	v := components.TeamDashboard{
		Today:          t.Today,
		Tasks:          table(t.Tasks.ByPerson, t.Tasks.Total, components.TeamTasksByPerson, "person"),
		TasksByArea:    table(t.Tasks.ByArea, t.Tasks.Total, "", "area"),
		Outgoing:       table(t.Outgoing.ByPerson, t.Outgoing.Total, components.TeamOutgoingByPerson, ""),
		OutgoingByArea: table(t.Outgoing.ByArea, t.Outgoing.Total, "", ""),
		Incoming:       table(t.Incoming.ByPerson, t.Incoming.Total, components.TeamIncomingByPerson, ""),
		IncomingByArea: table(t.Incoming.ByArea, t.Incoming.Total, "", ""),
		ListTotal:      t.ListTotal,
		Filter:         fv,
	}
	// A referral for several areas counts in each of them: the area tables show no sum.
	v.OutgoingByArea.NoSum, v.IncomingByArea.NoSum = true, true
	for _, w := range t.Weeks {
		v.Weeks = append(v.Weeks, components.TeamWeek{Number: w.Number, End: calendarDay(w.At.Add(-1))})
	}
	for _, s := range t.Series {
		name := ""
		if s.Area != "" {
			name = areaName(s.Area)
		}
		v.Series = append(v.Series, components.TeamSeries{Code: s.Area, Name: name, Open: s.Open, Overdue: s.Overdue})
	}
	for _, r := range t.Tasks.ByPerson {
		if r.Key == "" {
			v.Filter.People = append(v.Filter.People, components.TeamOption{Value: noneValue, Nobody: true})
		} else {
			v.Filter.People = append(v.Filter.People, components.TeamOption{Value: r.Key, Label: r.Name})
		}
	}
	for _, a := range t.Areas {
		v.Filter.Areas = append(v.Filter.Areas, components.TeamOption{Value: a.Code, Label: areaNames[a.Code]})
	}
	v.Filter.Areas = append(v.Filter.Areas, components.TeamOption{Value: noneValue, Nobody: true})
	v.Referrals, v.ReferralsTotal = teamReferralRows(t), t.ReferralsTotal
	for _, task := range t.List {
		v.List = append(v.List, teamTaskRow(task, orgNames, areaName))
	}
	return v
}

// mostOverdue keeps, of a table by person, the n people with the most overdue records (then
// the most open ones, then by name) in that order, and the row of nobody (unassigned, not yet
// answered) last, as the full table has it: what a department head acts on first.
func mostOverdue(rows []service.FigureRow, n int) []service.FigureRow {
	var nobody []service.FigureRow
	people := make([]service.FigureRow, 0, len(rows))
	for _, r := range rows {
		if r.Key == "" {
			nobody = append(nobody, r)
		} else {
			people = append(people, r)
		}
	}
	if len(people) <= n {
		return rows
	}
	slices.SortStableFunc(people, func(a, b service.FigureRow) int {
		return cmp.Or(cmp.Compare(b.Overdue, a.Overdue), cmp.Compare(b.Open, a.Open), cmp.Compare(a.Name, b.Name))
	})
	return append(people[:n:n], nobody...)
}

// teamTaskRow is a task of the team as the dashboard's list and the reassignment page show
// it; orgNames and areaName name its organisation and area.
func teamTaskRow(task service.TeamTask, orgNames map[uuid.UUID]string, areaName func(string) string) components.TeamTaskRow {
	row := components.TeamTaskRow{
		ID: task.ID.String(), Version: task.Version, Title: task.Title, Org: orgNames[task.OrgID],
		Assignee: task.AssigneeName, Priority: string(task.Priority), Due: task.DueDate,
		Overdue: task.Overdue, DaysOverdue: task.DaysOverdue, AgeDays: task.AgeDays,
		Target: task.OrgID.String(),
	}
	if task.AssigneeID != nil {
		row.Target += ":" + task.AssigneeID.String()
	}
	if task.Area != nil {
		row.Area = areaName(*task.Area)
	}
	if task.CaseID != nil {
		row.Case = caseLabel(*task.CaseID, task.Case)
	}
	return row
}

// teamTargets are the choices of a reassignment: per organisation of the team, "nobody"
// (the organisation itself) and its people.
func teamTargets(orgs []model.Organisation, members []service.TeamMember) []components.TeamTargetGroup {
	var out []components.TeamTargetGroup
	for _, o := range orgs {
		g := components.TeamTargetGroup{Org: o.Name, Options: []components.TeamOption{{Value: o.ID.String(), Nobody: true}}}
		for _, m := range members {
			if m.OrgID == o.ID {
				g.Options = append(g.Options, components.TeamOption{Value: o.ID.String() + ":" + m.ID.String(), Label: m.Name})
			}
		}
		out = append(out, g)
	}
	return out
}

// leadReassignPage is the page "Aufgabe neu zuweisen" of a task of the team; the query
// carries the dashboard list's state for the way back.
func (s *Server) leadReassignPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, fv := teamFilter(c.QueryParam)
	return s.renderReassign(c, http.StatusOK, id, fv.List, components.TeamReassign{})
}

// renderReassign shows the reassignment page of task id with the task's current state;
// extra carries a failed reassignment (form, conflict).
func (s *Server) renderReassign(c echo.Context, status int, id uuid.UUID, list components.ListingView, extra components.TeamReassign) error {
	page, err := s.svc.Dashboard.TeamReassignment(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	_, areaName := teamAreaNames(page.Areas, s.localizer(c).Lang.String())
	v := components.TeamReassign{
		Task:    teamTaskRow(page.Task, orgNameMap(page.Orgs), areaName),
		Targets: teamTargets(page.Orgs, page.Members),
		List:    list, Form: extra.Form, Conflict: extra.Conflict,
	}
	return s.render(c, status, components.TeamReassignPage(v))
}

// reassignTarget reads a reassignment choice: "<organisation id>" (nobody in it) or
// "<organisation id>:<account id>".
func reassignTarget(s string) (model.TaskReassign, bool) {
	org, user, hasUser := strings.Cut(strings.TrimSpace(s), ":")
	var out model.TaskReassign
	id, err := uuid.Parse(org)
	if err != nil {
		return out, false
	}
	out.OrgID = id
	if hasUser {
		uid, err := uuid.Parse(user)
		if err != nil {
			return out, false
		}
		out.AssigneeID = &uid
	}
	return out, true
}

// leadReassign moves a task to another organisation of the team and, optionally, a person
// in it; back to the dashboard with the same filter. A refused choice or an outdated version
// shows the reassignment page again, with the message.
func (s *Server) leadReassign(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, fv := teamFilter(c.FormValue)
	target := c.FormValue("target")
	failed := components.PartnerForm{
		Name: "reassign", Values: map[string]string{"task": id.String(), "target": target},
		Errors: components.FormErrors{{Field: "target", ID: "ziel-" + id.String(), Msg: components.FormMsg{Key: "lead.error.target"}}},
	}
	in, ok := reassignTarget(target)
	if !ok {
		return s.renderReassign(c, http.StatusUnprocessableEntity, id, fv.List, components.TeamReassign{Form: failed})
	}
	_, err = s.svc.Tasks.Reassign(c.Request().Context(), actor(c), id, formVersion(c), in)
	var ve *model.ValidationError
	switch {
	case err == nil:
	case errors.Is(err, model.ErrConflict):
		return s.renderReassign(c, http.StatusConflict, id, fv.List, components.TeamReassign{Conflict: true})
	case errors.As(err, &ve):
		return s.renderReassign(c, http.StatusUnprocessableEntity, id, fv.List, components.TeamReassign{Form: failed})
	default:
		return err
	}
	s.flashAt(c, "aufgaben-liste", s.localizer(c).T("lead.flash.reassigned"))
	return c.Redirect(http.StatusSeeOther, fv.List.PageURL(fv.List.Page))
}

// leadReferralReassignPage is the page "Bearbeitung zuweisen" of an incoming referral of the
// team.
func (s *Server) leadReferralReassignPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderReferralReassign(c, http.StatusOK, id, components.TeamReferralReassign{})
}

// renderReferralReassign shows the reassignment page of referral id with the referral's
// current state; extra carries a failed reassignment (form, conflict).
func (s *Server) renderReferralReassign(c echo.Context, status int, id uuid.UUID, extra components.TeamReferralReassign) error {
	page, err := s.svc.Dashboard.ReferralReassignment(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v := components.TeamReferralReassign{Referral: teamReferralRow(page.Referral), Form: extra.Form, Conflict: extra.Conflict}
	for _, m := range page.Answerers {
		v.Answerers = append(v.Answerers, components.TeamOption{Value: m.ID.String(), Label: m.Name})
	}
	return s.render(c, status, components.TeamReferralReassignPage(v))
}

// leadReassignReferral names who answers an incoming referral of the team; back to the
// team's list of referrals, with the confirmation there. A refused choice or an outdated
// version shows the reassignment page again, with the message.
func (s *Server) leadReassignReferral(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	value := c.FormValue("assignee")
	failed := components.PartnerForm{
		Name: "reassign_referral", Values: map[string]string{"referral": id.String(), "assignee": value},
		Errors: components.FormErrors{{Field: "assignee", ID: "bearbeitung-" + id.String(), Msg: components.FormMsg{Key: "review.error.assignee"}}},
	}
	assignee, perr := uuid.Parse(strings.TrimSpace(value))
	if perr != nil {
		return s.renderReferralReassign(c, http.StatusUnprocessableEntity, id, components.TeamReferralReassign{Form: failed})
	}
	_, err = s.svc.Referrals.Reassign(c.Request().Context(), actor(c), id, formVersion(c), assignee)
	var ve *model.ValidationError
	switch {
	case err == nil:
	case errors.Is(err, model.ErrConflict):
		return s.renderReferralReassign(c, http.StatusConflict, id, components.TeamReferralReassign{Conflict: true})
	case errors.As(err, &ve):
		return s.renderReferralReassign(c, http.StatusUnprocessableEntity, id, components.TeamReferralReassign{Form: failed})
	default:
		return err
	}
	s.flashAt(c, "vermittlungen-liste", s.localizer(c).T("review.flash.reassigned"))
	return c.Redirect(http.StatusSeeOther, "/team#vermittlungen-liste")
}

// teamReferralRows turns the team's referrals into the list's rows.
func teamReferralRows(t *service.Team) []components.TeamReferralRow {
	out := make([]components.TeamReferralRow, 0, len(t.Referrals))
	for _, r := range t.Referrals {
		out = append(out, teamReferralRow(r))
	}
	return out
}

// teamReferralRow is a referral of the team as its list row and its reassignment page show
// it.
func teamReferralRow(r service.TeamReferral) components.TeamReferralRow {
	row := components.TeamReferralRow{
		ID: r.ID.String(), Reference: r.Reference, Version: r.Version, Href: "/vermittlungen/" + r.ID.String(),
		Case: caseLabel(r.CaseID, r.Case), Incoming: r.Incoming, From: r.FromOrg, To: r.ToOrg, Sender: r.SenderName, Assignee: r.AssigneeName,
		Status: string(r.Status), ReplyDue: r.ReplyDue, Overdue: r.Overdue, DaysOverdue: r.DaysOverdue,
	}
	if r.AssigneeID != nil {
		row.AssigneeID = r.AssigneeID.String()
	}
	if r.MayReassign {
		row.ReassignHref = components.TeamReferralReassignURL(row.ID)
	}
	if !r.Incoming && r.Case != nil {
		row.ResponsibleHref = "/faelle/" + r.CaseID.String() + "/zustaendigkeit"
	}
	return row
}
