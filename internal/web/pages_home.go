package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// home is the start page ("Mein Tag"): the worklist of the acting organisation and role, read
// by one service call, then who is signed in, where and with which roles.
func (s *Server) home(c echo.Context) error {
	wl, err := s.svc.Home.Worklist(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.Home(homeView(s.me(c), wl, s.localizer(c).Lang == language.English)))
}

// homeView turns the worklist into the page's view: names of areas in the page's language,
// of the organisations on the other side, links to each record.
func homeView(u components.User, wl *model.Worklist, en bool) components.HomeView {
	v := components.HomeView{
		User: u, Today: wl.Today, WeekEnd: wl.WeekEnd,
		ReplyDays: model.WorklistReplyDays, CaseDays: model.WorklistCaseDays,
	}
	areas := areaNamesOf(wl.Areas, en)
	tasks := func(sec *model.Section[model.Task]) *components.HomeTasks {
		if sec == nil {
			return nil
		}
		out := &components.HomeTasks{Total: sec.Total}
		for _, t := range sec.Items {
			r := components.HomeTask{
				ID: t.ID.String(), Title: t.Title, Href: "/aufgaben#task-" + t.ID.String(),
				Priority: string(t.Priority), Due: t.DueDate, Unassigned: t.AssigneeID == nil,
			}
			if t.CaseID != nil {
				r.Case = caseLabel(*t.CaseID, t.Case)
			}
			if t.Area != nil {
				r.AreaName = areas[*t.Area]
			}
			if t.DueDate != nil && t.DueDate.Before(wl.Today) {
				r.DaysOverdue = int(wl.Today.Sub(*t.DueDate).Hours() / 24)
			}
			out.Items = append(out.Items, r)
		}
		return out
	}
	v.Overdue, v.DueToday, v.DueThisWeek = tasks(wl.Overdue), tasks(wl.DueToday), tasks(wl.DueThisWeek)
	v.FollowUps = homeFollowUps(wl.FollowUps)
	referrals := func(sec *model.Section[model.Referral], incoming bool) *components.HomeReferrals {
		if sec == nil {
			return nil
		}
		out := &components.HomeReferrals{Total: sec.Total}
		for _, r := range sec.Items {
			other := r.ToOrgID
			if incoming {
				other = r.FromOrgID
			}
			out.Items = append(out.Items, components.HomeReferral{
				Reference: r.Reference, Href: "/vermittlungen/" + r.ID.String(), Case: caseLabel(r.CaseID, r.Case),
				Org: wl.OrgNames[other], Areas: areaNameList(r.Areas, areas), Status: string(r.Status),
				ReplyDue: r.ReplyDue, Overdue: r.Status == model.ReferralSent && r.ReplyDue.Before(wl.Today),
				Changed: r.UpdatedAt,
			})
		}
		return out
	}
	v.Incoming, v.Replies = referrals(wl.Incoming, true), referrals(wl.Replies, false)
	if wl.RecentCases != nil {
		v.RecentCases = &components.HomeCases{Total: wl.RecentCases.Total}
		for _, c := range wl.RecentCases.Items {
			l := c.Label
			v.RecentCases.Items = append(v.RecentCases.Items, components.HomeCase{
				Label: *caseLabel(c.ID, &l), Status: string(c.Status), Updated: c.UpdatedAt,
			})
		}
	}
	if t := wl.Team; t != nil {
		v.Team = &components.HomeTeam{
			OpenTasks: t.OpenTasks, OverdueTasks: t.OverdueTasks, UnassignedTasks: t.UnassignedTasks, Referrals: t.Referrals,
			OutgoingOpen: t.OutgoingOpen, OutgoingOverdue: t.OutgoingOverdue, IncomingOpen: t.IncomingOpen, IncomingOverdue: t.IncomingOverdue,
		}
	}
	for _, l := range wl.Links {
		v.Links = append(v.Links, string(l))
	}
	return v
}
