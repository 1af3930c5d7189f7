package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the pages that edit a case (caseedit.templ) for TestNoHardCodedText, with
// data in every branch. Data from the database is marked ⟦…⟧ like the messages.

func init() {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	errs := FormErrors{
		{Field: "family_name", Msg: FormMsg{Key: "cases.err.invalid"}}, {Field: "org", Msg: FormMsg{Key: "cases.err.invalid"}},
		{Field: "", Msg: FormMsg{Key: "cases.err.conflict"}},
	}
	person := PersonFormView{
		CaseID: "⟦c1⟧", PersonID: "⟦p1⟧", Reference: "⟦F-1⟧", Version: 2, V: map[string]string{"family_name": "⟦Haddad⟧"},
		Langs: []string{"⟦ar⟧"}, LangOptions: []string{"⟦ar⟧", "⟦de⟧"}, Districts: []string{"⟦Schinkel⟧"}, ResidenceStatuses: []string{"⟦Duldung⟧"},
		MayRemove: true, MayMakePrimary: true, Errs: errs,
	}
	row := HandoverRow{ID: "⟦h1⟧", CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", FromOrg: "⟦FB⟧", ToOrg: "⟦FD⟧", Reason: "⟦Umzug⟧", Requested: now, Version: 1, MayAnswer: true, MayWithdraw: true,
		Decline: FormState{V: map[string]string{"reason": "⟦x⟧"}, Errs: FormErrors{{Field: "reason", Msg: FormMsg{Key: "cases.err.invalid"}}}}}
	extra := map[string][]templ.Component{
		"PersonForm": {
			PersonForm(person), PersonForm(PersonFormView{CaseID: "⟦c1⟧", Reference: "⟦F-1⟧"}),
			PersonForm(PersonFormView{CaseID: "⟦c1⟧", PersonID: "⟦p1⟧", Primary: true}),
			PersonForm(PersonFormView{CaseID: "⟦c1⟧", PersonID: "⟦p1⟧", NamedByConsent: true, MayMakePrimary: true}),
		},
		"PersonRemove": {PersonRemove(PersonRemoveView{CaseID: "⟦c1⟧", PersonID: "⟦p1⟧", Reference: "⟦F-1⟧", Name: "⟦Haddad⟧", Errs: errs})},
		"Responsible": {
			Responsible(ResponsibleView{CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", Current: Who{Name: "⟦Wiebke⟧"}, Choices: []Option{{Value: "⟦u1⟧", Label: "⟦Willi⟧"}}, Errs: errs}),
			Responsible(ResponsibleView{CaseID: "⟦c1⟧", Current: Who{Me: true}}), Responsible(ResponsibleView{CaseID: "⟦c1⟧"}),
		},
		"LeadHandover": {
			LeadHandover(LeadHandoverView{CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", LeadOrg: "⟦FB⟧", Targets: []Option{{Value: "⟦o1⟧", Label: "⟦FD⟧"}}, V: map[string]string{}, Errs: errs}),
			LeadHandover(LeadHandoverView{CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", LeadOrg: "⟦FB⟧", Pending: &row}),
		},
		"Handovers": {
			Handovers(HandoversView{Incoming: []HandoverRow{row}, Outgoing: []HandoverRow{row}, Errs: errs}), Handovers(HandoversView{}),
		},
	}
	for name, comps := range extra {
		pages[name] = comps
	}
}
