package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the task pages (tasks.templ) for TestNoHardCodedText: the new-task form
// with and without a case and with errors, the task page with comments, every kind of
// history entry, the forms with errors, and a read-only task without case or history. Data
// from the database is marked ⟦…⟧ like the messages.

func init() {
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	msg := FormMsg{Key: "cases.err.invalid"}
	areas := []Option{{Value: "⟦housing⟧", Label: "⟦Wohnen⟧"}}
	label := &CaseLabelView{Href: "/faelle/c1", Reference: "⟦F-2026-00001⟧", Name: "⟦Haddad, Amina⟧", Household: 3}
	errs := FormErrors{{Field: "title", Msg: msg}, {Field: "assignee", Msg: msg}, {Field: "due_date", Msg: msg}, {Msg: FormMsg{Key: "cases.err.conflict"}}}
	form := TaskFormView{
		CaseID: "⟦c1⟧", Case: label, Back: "/faelle/c1", V: map[string]string{"title": "⟦Anrufen⟧", "assignee": "user:⟦u1⟧"}, Areas: areas,
		People: []Option{{Value: "user:⟦u1⟧", Label: "⟦Wiebke⟧"}}, Queues: []Option{{Value: "org:⟦o1⟧", Label: "⟦Warteschlange⟧"}}, Errs: errs,
	}
	page := TaskPageView{
		ID: "⟦t1⟧", Title: "⟦Besichtigung⟧", Description: "⟦Zeile 1⟧\n⟦Zeile 2⟧", Status: "cancelled", Reason: "access_ended", Priority: "high",
		Case: label, Area: "⟦housing⟧", AreaName: "⟦Wohnen⟧", Org: "⟦FB Wohnen⟧", Assignee: Who{Name: "⟦Willi⟧"}, Due: &day,
		Created: now, CreatedBy: Who{Me: true}, Version: 3, CanEdit: true, CanComment: true, StatusNext: []string{"open", "done", "waiting"}, Areas: areas,
		Comments: []TaskCommentView{{Who: Who{Me: true}, Org: "⟦FB⟧", At: now, Body: "⟦Text⟧"}, {Org: "⟦JC⟧", At: now, Body: "⟦Text⟧"}},
		History: []TaskHistoryView{
			{Kind: "created", At: now, Who: Who{Me: true}, Assignee: Who{Name: "⟦Willi⟧"}, HasAssignee: true},
			{Kind: "created", At: now, Org: "⟦JC⟧", AssigneeOrg: "⟦JC⟧"},
			{Kind: "changed", At: now, Who: Who{Name: "⟦Willi⟧"}, Fields: []string{"title", "area", "due_date", "priority", "description"}},
			{Kind: "status", At: now, Who: Who{Name: "⟦Willi⟧"}, Status: "done"},
			{Kind: "reassigned", At: now, Who: Who{Name: "⟦Lea⟧"}, AssigneeOrg: "⟦Nord⟧"},
			{Kind: "comment", At: now, Org: "⟦JC⟧"},
			{Kind: "cancelled", At: now, System: true},
		},
		Edit:       FormState{V: map[string]string{"title": "⟦x⟧"}, Errs: FormErrors{{Field: "title", Msg: msg}}},
		Comment:    FormState{V: map[string]string{"body": "⟦x⟧"}, Errs: FormErrors{{Field: "body", Msg: msg}}},
		StatusErrs: FormErrors{{Field: "status", Msg: msg}},
	}
	plain := TaskPageView{ID: "⟦t2⟧", Title: "⟦Anrufen⟧", Status: "open", Priority: "normal", Org: "⟦FB⟧", Unassigned: true, Created: now}
	hidden := plain
	hidden.CaseHidden = true
	pages["TaskNew"] = []templ.Component{TaskNew(form), TaskNew(TaskFormView{Back: "/aufgaben", Queues: []Option{{Value: "org:⟦o1⟧", Label: "⟦W⟧"}}})}
	pages["TaskPage"] = []templ.Component{TaskPage(page), TaskPage(plain), TaskPage(hidden)}
}
