package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the start page (home.templ) for TestNoHardCodedText: a caseworker's day with
// every section filled (more rows than shown, overdue and unassigned tasks, a case whose name
// is hidden, a referral whose case is gone), empty sections, a head's figures and the link
// cards of the roles without case content. Data from the database is marked ⟦…⟧.

func init() {
	today := time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC)
	due := today.AddDate(0, 0, -3)
	named := &CaseLabelView{Href: "/faelle/1", Reference: "⟦F-2026-00001⟧", Name: "⟦Haddad, Amina⟧", Household: 3}
	hidden := &CaseLabelView{Href: "/faelle/2", Reference: "⟦F-2026-00002⟧", NameHidden: true}
	full := HomeView{
		User: fullUser, Today: today, WeekEnd: today.AddDate(0, 0, 6), ReplyDays: 14, CaseDays: 7,
		Overdue: &HomeTasks{Total: 12, Items: []HomeTask{
			{ID: "t1", Title: "⟦Mietvertrag prüfen⟧", Href: "/aufgaben#task-t1", Case: named, AreaName: "⟦Wohnen⟧", Priority: "high", Due: &due, DaysOverdue: 3},
			{ID: "t2", Title: "⟦Rückruf⟧", Href: "/aufgaben#task-t2", Priority: "normal", Due: &due, DaysOverdue: 1, Unassigned: true},
		}},
		DueToday:    &HomeTasks{Total: 1, Items: []HomeTask{{ID: "t3", Title: "⟦Termin⟧", Href: "/aufgaben#task-t3", Case: hidden, Priority: "urgent", Due: &today}}},
		DueThisWeek: &HomeTasks{},
		Incoming: &HomeReferrals{Total: 1, Items: []HomeReferral{
			{Reference: "⟦V-2026-00001⟧", Href: "/vermittlungen/1", Case: hidden, Org: "⟦Fachbereich Wohnen⟧", Areas: []string{"⟦Arbeit⟧"}, Status: "sent", ReplyDue: due, Overdue: true},
		}},
		Replies: &HomeReferrals{Total: 1, Items: []HomeReferral{
			{Reference: "⟦V-2026-00002⟧", Href: "/vermittlungen/2", Org: "⟦Jobcenter⟧", Areas: []string{"⟦Arbeit⟧", "⟦Sprache⟧"}, Status: "declined", Changed: today},
		}},
		RecentCases: &HomeCases{Total: 1, Items: []HomeCase{{Label: *named, Status: "open", Updated: today}}},
	}
	empty := HomeView{
		User: fullUser, Today: today, WeekEnd: today.AddDate(0, 0, 6), ReplyDays: 14, CaseDays: 7,
		Overdue: &HomeTasks{}, DueToday: &HomeTasks{}, DueThisWeek: &HomeTasks{}, Incoming: &HomeReferrals{},
		Replies: &HomeReferrals{}, RecentCases: &HomeCases{},
	}
	head := HomeView{
		User: fullUser, Today: today, CaseDays: 7, RecentCases: &HomeCases{},
		Team:  &HomeTeam{OpenTasks: 1, OverdueTasks: 2, UnassignedTasks: 0, Referrals: true, OutgoingOpen: 3, IncomingOverdue: 1},
		Links: []string{"administration"},
	}
	others := HomeView{User: fullUser, Today: today, Links: []string{"statistics", "administration", "audit_log"}}
	pages["Home"] = append(pages["Home"], []templ.Component{Home(full), Home(empty), Home(head), Home(others)}...)
}
