package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the caseworker pages (cases.templ) for TestNoHardCodedText: every
// component, with data in every branch (errors, empty lists, restricted views). Data from
// the database is marked ⟦…⟧ like the messages.

func init() {
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	msg := &FormMsg{Key: "cases.err.invalid"}
	errs := FormErrors{
		{Field: "family_name", Msg: FormMsg{Key: "cases.err.family_name"}},
		{Field: "birth_date", Msg: FormMsg{Key: "cases.err.too_long", Data: map[string]any{"Max": "10"}}},
		{Field: "languages", Msg: *msg}, {Field: "responsible", Msg: *msg}, {Field: "", Msg: FormMsg{Key: "cases.err.conflict"}},
		{Field: "recipients", Msg: *msg}, {Field: "areas", Msg: *msg}, {Field: "language", Msg: *msg},
		{Field: "consent_id", Msg: *msg}, {Field: "org", Msg: *msg}, {Field: "q", Msg: *msg}, {Field: "status", Msg: *msg},
	}
	// Codes (areas, statuses, categories) are data too: they are the values of checkboxes
	// and radios, which people do not read.
	areas := []Option{{Value: "⟦housing⟧", Label: "⟦Wohnen⟧"}, {Value: "⟦work⟧", Label: "⟦Arbeit⟧"}}
	cats := []string{"⟦identity⟧", "⟦contact⟧", "⟦residence⟧", "⟦languages⟧"}
	orgs := []Option{{Value: "⟦o1⟧", Label: "⟦Jobcenter⟧"}, {Value: "⟦o2⟧", Label: "⟦Caritas⟧"}}
	task := MyTaskRowView{
		ID: "⟦t1⟧", Title: "⟦Unterlagen prüfen⟧", Case: &CaseLabelView{Href: "/faelle/c1", Reference: "⟦F-2026-00001⟧", Name: "⟦Haddad, Amina⟧", Household: 3}, AreaName: "⟦Wohnen⟧",
		Priority: "high", Due: &day, Status: "open", Version: 1, Next: []string{"in_progress", "done"}, Unassigned: true,
	}
	plain := MyTaskRowView{ID: "⟦t2⟧", Title: "⟦Anrufen⟧", Priority: "normal", Status: "waiting", Next: []string{"open"}, Saved: true,
		Case: &CaseLabelView{Reference: "⟦F-2026-00002⟧", NameHidden: true}}
	failed := plain
	failed.Saved, failed.Err = false, msg
	person := Person{ID: "⟦p1⟧",
		Primary: true, FamilyName: "⟦Haddad⟧", GivenNames: "⟦Amina⟧", Variants: []string{"⟦Hadad⟧"}, Birth: &day, Arrival: &day,
		Languages: []string{"ar", "de", "⟦prs⟧"}, Residence: "⟦Duldung⟧", District: "⟦Schinkel⟧", Phone: "⟦0541⟧", Email: "⟦a@b.test⟧", Address: "⟦Str. 1⟧",
	}
	full := CasePageView{
		ID: "⟦c1⟧", Reference: "⟦F-2026-00001⟧", Status: "closed", StatusReason: "⟦Umzug⟧", LeadOrg: "⟦FB Wohnen⟧", District: "⟦Schinkel⟧",
		Responsible: Who{Me: true}, HasResponsible: true, Opened: now, Updated: now, Closed: &now, Version: 3, Full: true,
		CanEditPersons: true, CanHandOverResponsible: true, CanHandOverLead: true,
		Persons: []Person{person, {GivenNames: "⟦Omar⟧"}, {}},
		Plan: []PlanRow{
			{Area: "housing", AreaName: "⟦Wohnen⟧", Status: "in_progress", RespOrgID: "⟦o1⟧", RespOrg: "⟦Jobcenter⟧", Note: "⟦Notiz⟧", ChangedAt: now, ChangedBy: Who{Name: "⟦Lea⟧"}, Version: 2},
			{Area: "work", AreaName: "⟦Arbeit⟧", Status: "not_started", ChangedAt: now, Form: &FormState{V: map[string]string{"note": "⟦x⟧"}, Errs: FormErrors{{Field: "note", Msg: *msg}}}},
		},
		Timeline: []TimelineEvent{
			{Kind: "note", At: now, Org: "⟦FB⟧", Who: Who{Me: true}, Area: "⟦Wohnen⟧", Visibility: "shared", Text: "⟦Text⟧"},
			{Kind: "note", At: now, Org: "⟦FB⟧", Visibility: "org", Text: "⟦Text⟧"},
			{Kind: "referral", At: now, Org: "⟦FB⟧", ToOrg: "⟦JC⟧", Reference: "⟦V-1⟧", Areas: []string{"⟦Arbeit⟧"}, Status: "declined", Due: &day, Text: "⟦Bitte⟧", Reply: "⟦Nein⟧", Outcome: "⟦Kurs⟧"},
			{Kind: "referral", At: now, Org: "⟦FB⟧", ToOrg: "⟦JC⟧", Reference: "⟦V-2⟧", Status: "sent"},
			{Kind: "answered", At: now, Org: "⟦FB⟧", ToOrg: "⟦JC⟧", Reference: "⟦V-1⟧", Status: "declined", Who: Who{Name: "⟦Jonas⟧"}},
			{Kind: "answered", At: now, Org: "⟦FB⟧", ToOrg: "⟦JC⟧", Reference: "⟦V-3⟧", Status: "accepted", Who: Who{Me: true}},
			{Kind: "task", At: now, Org: "⟦FB⟧", Text: "⟦Aufgabe⟧", Status: "open", Due: &day, Area: "⟦Wohnen⟧"},
			{Kind: "task", At: now, Org: "⟦FB⟧", Text: "⟦Aufgabe⟧", Status: "done"},
			{Kind: "plan", At: now, Area: "⟦Wohnen⟧", Status: "achieved", Who: Who{}},
			{Kind: "opened", At: now, Org: "⟦FB⟧"},
			{Kind: "closed", At: now, Text: "⟦Umzug⟧"},
		},
		ShowConsents: true,
		Consents: []Consent{
			{ID: "⟦k1⟧", Person: "⟦Haddad⟧", Recipients: []string{"⟦JC⟧"}, Areas: []string{"⟦Arbeit⟧"}, Categories: []string{"identity", "contact", "residence", "languages"},
				Purpose: "⟦Vermittlung⟧", From: day, Until: day, Evidence: "⟦Formular⟧", Language: "ar", RecordedBy: Who{Me: true}, RecordedAt: now, MayRevoke: true},
			{ID: "⟦k2⟧", Recipients: []string{"⟦JC⟧"}, From: day, Until: day, Language: "xx", RecordedAt: now, RevokedAt: &now},
			{ID: "⟦k3⟧", From: day, Until: day, Language: "de", RecordedAt: now, Expired: true},
		},
		CanEditPlan: true, CanAddNote: true, CanChangeStatus: true, CanRecordConsent: true, CanRefer: true,
		Orgs: orgs, AreaStatuses: []string{"not_started", "in_progress", "waiting", "achieved", "not_needed"}, NoteAreas: areas,
		Note:       FormState{V: map[string]string{"body": "⟦x⟧", "visibility": "⟦shared⟧"}, Errs: FormErrors{{Field: "body", Msg: *msg}}},
		StatusNext: []string{"⟦open⟧", "⟦paused⟧", "⟦closed⟧"}, NoteVisibilities: []string{"⟦org⟧", "⟦shared⟧"},
		StatusForm: FormState{Errs: FormErrors{{Field: "reason", Msg: *msg}}},
	}
	restricted := CasePageView{
		ID: "⟦c2⟧", Reference: "⟦F-2026-00002⟧", Status: "open", LeadOrg: "⟦FB⟧", Opened: now, Updated: now,
		Persons: []Person{{Primary: true, FamilyName: "⟦Haddad⟧"}}, CanAddNote: true, NoteAreas: areas[1:], NoteAreaRequired: true, NoteVisibilities: []string{"⟦org⟧", "⟦shared⟧"},
	}
	summary := CasePageView{ID: "⟦c3⟧", Reference: "⟦F-2026-00003⟧", Status: "paused", LeadOrg: "⟦FB⟧", Opened: now, Updated: now,
		SummaryOnly: true, HasResponsible: true, Responsible: Who{}}
	cover := ReferCoverView{Ready: true, CaseID: "⟦c1⟧", OrgName: "⟦JC⟧", AreaNames: []string{"⟦Arbeit⟧"},
		Consents: []CoverConsent{{ID: "⟦k1⟧", From: day, Until: day, Evidence: "⟦F⟧"}, {ID: "⟦k2⟧", From: day, Until: day, Evidence: "⟦G⟧"}}, Chosen: "⟦k2⟧"}
	refer := ReferFormView{CaseID: "⟦c1⟧", Reference: "⟦F-2026-00001⟧", Orgs: orgs, Areas: areas, Chosen: []string{"⟦work⟧"},
		LegalBases: []string{"⟦SGB II § 50⟧"}, V: map[string]string{"org": "⟦o1⟧", "reply_days": "10", "message": "⟦Hallo⟧"}, Cover: cover, Errs: errs}
	extra := map[string][]templ.Component{
		"MyTasks": {
			MyTasks(MyTasksView{Rows: []MyTaskRowView{task, plain, failed}, Status: "open", Whose: "queue", Err: msg,
				List: ListingView{Path: "/aufgaben", DefaultSort: "due", Sort: "priority", Desc: true, Page: 2, Pages: 3, Size: 25, Sizes: []int{25, 50}, Total: 60, ExportMax: 100, Label: "⟦Aufgaben⟧"}}),
			MyTasks(MyTasksView{}),
		},
		"MyTaskRow": {MyTaskRow(task), MyTaskRow(plain), MyTaskRow(failed)},
		"CaseList": {
			CaseList(CaseListView{Q: "⟦Haddad⟧", Status: "open", Area: "work", AreaStatus: "waiting", Areas: areas, Total: 2,
				List:      ListingView{Path: "/faelle", DefaultSort: "changed", Page: 1, Pages: 1, Size: 25, Sizes: []int{25}, Total: 2, ExportMax: 1, Label: "⟦Fälle⟧"},
				CanCreate: true, Searched: true, Errs: errs, Rows: []CaseListRow{
					{ID: "⟦c1⟧", Reference: "⟦F-1⟧", Name: "⟦Haddad, Amina⟧", Status: "open", LeadOrg: "⟦FB⟧", Updated: now},
					{ID: "⟦c2⟧", Reference: "⟦F-2⟧", Status: "closed", LeadOrg: "⟦FB⟧", Updated: now},
				}}),
			CaseList(CaseListView{}),
			CaseList(CaseListView{Q: "⟦F-2026-00042⟧", Searched: true, CanEmergency: true}),
		},
		"CaseNew": {
			CaseNew(CaseFormView{V: map[string]string{"family_name": "⟦Haddad⟧", "email": "⟦x@y⟧"}, LangOptions: []string{"⟦ar⟧", "⟦uk⟧", "⟦de⟧"}, Langs: []string{"⟦ar⟧"},
				Districts: []string{"⟦Schinkel⟧"}, ResidenceStatuses: []string{"⟦Duldung⟧"}, Errs: errs,
				Members: []Option{{Value: "⟦u1⟧", Label: "⟦Wiebke⟧"}, {Value: "⟦u2⟧", Label: "⟦Nils⟧"}}}),
			CaseNew(CaseFormView{}),
		},
		"CasePage": {CasePage(full), CasePage(restricted), CasePage(summary)},
		"ConsentNew": {
			ConsentNew(ConsentFormView{CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", Orgs: orgs, Areas: areas, Categories: cats,
				Persons: []Option{{Value: "⟦p1⟧", Label: "⟦Haddad⟧"}, {Value: "⟦p2⟧", Label: "⟦Omar⟧"}}, LangOptions: []string{"⟦ar⟧", "⟦de⟧"},
				V: map[string]string{"purpose": "⟦Zweck⟧", "valid_from": "2026-03-14"}, Multi: map[string][]string{"areas": {"⟦work⟧"}}, Errs: errs}),
			ConsentNew(ConsentFormView{CaseID: "⟦c1⟧"}),
		},
		"ConsentRevoke": {
			ConsentRevoke(ConsentRevokeView{ConsentID: "⟦k1⟧", CaseID: "⟦c1⟧", Reference: "⟦F-1⟧", Version: 1, Recipients: []string{"⟦JC⟧"}, Areas: []string{"⟦Arbeit⟧"},
				From: day, Until: day, Evidence: "⟦F⟧", Referrals: []EndingReferral{{Reference: "⟦V-1⟧", ToOrg: "⟦JC⟧", Status: "accepted", Areas: []string{"⟦Arbeit⟧"}}}, Errs: errs}),
			ConsentRevoke(ConsentRevokeView{ConsentID: "⟦k1⟧", CaseID: "⟦c1⟧"}),
		},
		"ReferNew": {ReferNew(refer), ReferNew(ReferFormView{CaseID: "⟦c1⟧"})},
		"ReferCover": {
			ReferCover(cover), ReferCover(ReferCoverView{}), ReferCover(ReferCoverView{Ready: true, CaseID: "⟦c1⟧", OrgName: "⟦JC⟧", AreaNames: []string{"⟦Arbeit⟧"}}),
		},
	}
	for name, comps := range extra {
		pages[name] = comps
	}
}
