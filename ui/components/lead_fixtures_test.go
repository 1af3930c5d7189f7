package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the team dashboard (lead.templ, review.templ) for TestNoHardCodedText: figures
// with and without rows and sums, the charts with their table, the task list, the referral
// list, a filtered and an empty dashboard, a large team's tables by person short and long;
// the reassignment pages of a task and of a referral, with a refused choice and after a
// conflict, and of a referral whose organisation has nobody to answer it. Data from the database is
// marked ⟦…⟧ like the messages.

func init() {
	today := time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC)
	fig := TeamFigures{Open: 5, Overdue: 2, Age: [3]int{1, 2, 2}, Late: [3]int{1, 1, 0}}
	rows := []TeamFigureRow{
		{Label: "⟦Wiebke Wohnen⟧", Href: "/team?person=x", TeamFigures: fig},
		{Nobody: true, Href: "/team?person=none", TeamFigures: TeamFigures{Open: 1}},
	}
	areaRows := []TeamFigureRow{{Label: "⟦Wohnen⟧", TeamFigures: fig}, {Nobody: true, TeamFigures: fig}}
	var weeks []TeamWeek
	open, overdue := make([]int, 12), make([]int, 12)
	for i := range 12 {
		weeks = append(weeks, TeamWeek{Number: 37 + i, End: today.AddDate(0, 0, 7*(i-11))})
		open[i], overdue[i] = i, i/2
	}
	due := today.AddDate(0, 0, -4)
	full := TeamDashboard{
		Today: today,
		Tasks: TeamFigureTable{Rows: rows, Total: fig}, TasksByArea: TeamFigureTable{Rows: areaRows, Total: fig},
		Outgoing: TeamFigureTable{Rows: rows[:1], Total: fig}, OutgoingByArea: TeamFigureTable{Rows: areaRows, NoSum: true},
		Incoming: TeamFigureTable{Rows: []TeamFigureRow{{Nobody: true, TeamFigures: fig}, {Label: "⟦Nils⟧", TeamFigures: fig}}, Total: fig},
		Weeks:    weeks,
		Series: []TeamSeries{
			{Code: "housing", Name: "⟦Wohnen⟧", Open: open, Overdue: overdue},
			{Code: "", Open: make([]int, 12), Overdue: make([]int, 12)},
		},
		Filter: TeamFilterView{Person: "x", Area: "none", Overdue: true,
			People: []TeamOption{{Value: "x", Label: "⟦Wiebke⟧"}, {Value: "none", Nobody: true}},
			Areas:  []TeamOption{{Value: "housing", Label: "⟦Wohnen⟧"}, {Value: "none", Nobody: true}}},
		List: []TeamTaskRow{
			{ID: "t1", Version: 2, Title: "⟦Unterlagen prüfen⟧", Case: &CaseLabelView{Href: "/faelle/x", Reference: "⟦F-1⟧", Name: "⟦Haddad, Amina⟧", Household: 2}, Org: "⟦Wohnen⟧", Assignee: "⟦Wiebke⟧", Area: "⟦Wohnen⟧",
				Priority: "high", Due: &due, Overdue: true, DaysOverdue: 4, AgeDays: 20, Target: "o1:u1"},
			{ID: "t2", Version: 1, Title: "⟦Anruf⟧", Org: "⟦Nord⟧", Priority: "normal", AgeDays: 1, Target: "o2"},
		},
		ListTotal: 60,
		Referrals: []TeamReferralRow{
			{ID: "r1", Reference: "⟦V-1⟧", Version: 3, Href: "/vermittlungen/r1", Case: &CaseLabelView{Href: "/faelle/x", Reference: "⟦F-1⟧", Name: "⟦Haddad, Amina⟧", Household: 2},
				Incoming: true, From: "⟦Jobcenter⟧", To: "⟦Wohnen⟧", Sender: "⟦Jana⟧", Assignee: "⟦Wiebke⟧", AssigneeID: "u1", Status: "sent",
				ReplyDue: due, Overdue: true, DaysOverdue: 4, ReassignHref: TeamReferralReassignURL("r1")},
			{ID: "r2", Reference: "⟦V-2⟧", Version: 1, Href: "/vermittlungen/r2", From: "⟦Wohnen⟧", To: "⟦Caritas⟧", Status: "accepted",
				ReplyDue: today, ResponsibleHref: "/faelle/y/zustaendigkeit"},
		},
		ReferralsTotal: 7,
	}
	empty := TeamDashboard{Today: today, Weeks: weeks}
	// Tables by person of a large team: the few with the most overdue, and everyone.
	short := full
	short.Tasks = TeamFigureTable{Rows: rows, Total: fig, People: 12, Few: 10, AllHref: "/team?personen=alle#aufgaben-personen", FewHref: "/team#aufgaben-personen"}
	short.Incoming = TeamFigureTable{Rows: rows, Total: fig, People: 12, Few: 10, AllHref: "/team?personen=alle#eingehend-personen", FewHref: "/team#eingehend-personen"}
	long := short
	long.Filter.AllPeople = true
	long.Tasks.ShowsAll, long.Incoming.ShowsAll = true, true
	pages["TeamDashboardPage"] = []templ.Component{TeamDashboardPage(full), TeamDashboardPage(empty), TeamDashboardPage(short), TeamDashboardPage(long)}
	targets := []TeamTargetGroup{
		{Org: "⟦Wohnen⟧", Options: []TeamOption{{Value: "o1", Nobody: true}, {Value: "o1:u1", Label: "⟦Wiebke⟧"}}},
		{Org: "⟦Nord⟧", Options: []TeamOption{{Value: "o2", Nobody: true}}},
	}
	reassign := TeamReassign{Task: full.List[0], Targets: targets, List: full.Filter.List}
	failed := reassign
	failed.Task = full.List[1]
	failed.Form = PartnerForm{Name: "reassign", Values: map[string]string{"task": "t2", "target": "o1"},
		Errors: FormErrors{{Field: "target", ID: "ziel-t2", Msg: FormMsg{Key: "lead.error.target"}}}}
	conflict := reassign
	conflict.Conflict = true
	pages["TeamReassignPage"] = []templ.Component{TeamReassignPage(reassign), TeamReassignPage(failed), TeamReassignPage(conflict)}
	answer := TeamReferralReassign{Referral: full.Referrals[0], Answerers: []TeamOption{{Value: "u1", Label: "⟦Wiebke⟧"}, {Value: "u2", Label: "⟦Willi⟧"}}}
	answerFailed := answer
	answerFailed.Referral.AssigneeID = ""
	answerFailed.Form = PartnerForm{Name: "reassign_referral", Values: map[string]string{"referral": "r1", "assignee": "x"},
		Errors: FormErrors{{Field: "assignee", ID: "bearbeitung-r1", Msg: FormMsg{Key: "review.error.assignee"}}}}
	answerConflict := answer
	answerConflict.Conflict = true
	nobody := answer
	nobody.Answerers = nil
	pages["TeamReferralReassignPage"] = []templ.Component{TeamReferralReassignPage(answer), TeamReferralReassignPage(answerFailed),
		TeamReferralReassignPage(answerConflict), TeamReferralReassignPage(nobody)}
}
