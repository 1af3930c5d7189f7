package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the follow-up form (followups.templ) on the case page and the task page,
// with and without a current follow-up and after a refused post, and of the start page's
// follow-up section filled (a task with its case, a case whose name is hidden, more than
// shown) and empty, for TestNoHardCodedText. Data from the database is marked ⟦…⟧.

func init() {
	day := time.Date(2027, 3, 30, 0, 0, 0, 0, time.UTC)
	refused := FormState{V: map[string]string{"due_on": "⟦2027-03-23⟧"}, Errs: FormErrors{
		{Field: "due_on", Msg: FormMsg{Key: "validation.due_on.past"}},
		{Field: "working_days", Msg: FormMsg{Key: "validation.working_days.out_of_range", Data: map[string]any{"min": 1, "max": 250}}},
	}}
	casePage := CasePageView{ID: "c1", Reference: "⟦F-2027-00001⟧", Status: "open", Full: true,
		FollowUp: FollowUpView{Action: "/faelle/c1/wiedervorlage", Current: &day}}
	caseRefused := casePage
	caseRefused.FollowUp = FollowUpView{Action: "/faelle/c1/wiedervorlage", Form: refused}
	taskPage := TaskPageView{ID: "t1", Title: "⟦Antrag prüfen⟧", Status: "open", Priority: "normal", Org: "⟦Fachbereich Wohnen⟧",
		FollowUp: FollowUpView{Action: "/aufgaben/t1/wiedervorlage", Current: &day, Form: refused}}
	pages["CasePage"] = append(pages["CasePage"], CasePage(casePage), CasePage(caseRefused))
	pages["TaskPage"] = append(pages["TaskPage"], TaskPage(taskPage))

	named := &CaseLabelView{Href: "/faelle/1", Reference: "⟦F-2027-00001⟧", Name: "⟦Haddad, Amina⟧", Household: 3}
	hidden := &CaseLabelView{Href: "/faelle/2", Reference: "⟦F-2027-00002⟧", NameHidden: true}
	today := time.Date(2027, 3, 24, 0, 0, 0, 0, time.UTC)
	full := HomeView{User: fullUser, Today: today, WeekEnd: today.AddDate(0, 0, 6), FollowUps: &HomeFollowUps{
		Overdue: HomeFollowUpSection{Total: 12, Items: []HomeFollowUp{
			{Href: "/faelle/1", Case: named, Due: today.AddDate(0, 0, -1)},
			{Href: "/faelle/3", Due: today.AddDate(0, 0, -2)},
		}},
		Today:    HomeFollowUpSection{Total: 1, Items: []HomeFollowUp{{Href: "/aufgaben/t1", Title: "⟦Antrag prüfen⟧", Case: hidden, Due: today}}},
		ThisWeek: HomeFollowUpSection{Total: 1, Items: []HomeFollowUp{{Href: "/aufgaben/t2", Title: "⟦Rückruf⟧", Due: day}}},
	}}
	empty := HomeView{User: fullUser, Today: today, FollowUps: &HomeFollowUps{}}
	pages["Home"] = append(pages["Home"], []templ.Component{Home(full), Home(empty)}...)
}
