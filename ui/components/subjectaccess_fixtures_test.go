package components

import "github.com/a-h/templ"

// Renderings of the subject access pages (subjectaccess.templ) for TestNoHardCodedText, with
// data in every branch. Data from the database is marked ⟦…⟧.

func init() {
	reqs := []SARRequestRow{
		{ID: "⟦r1⟧", Reference: "⟦Az. 1⟧", RequestedAt: "⟦01.12.2026⟧", Status: "started",
			Confirmations: []SARConfirmation{{Org: "⟦FB Wohnen⟧", Done: true, At: "⟦02.12.2026⟧"}, {Org: "⟦Team Nord⟧"}}},
		{ID: "⟦r2⟧", Reference: "⟦Az. 2⟧", RequestedAt: "⟦01.12.2026⟧", Status: "confirmed", Exportable: true,
			Confirmations: []SARConfirmation{{Org: "⟦FB Wohnen⟧", Done: true, At: "⟦02.12.2026⟧"}}},
	}
	find := SARFindForm{FamilyName: "⟦Haddad⟧", GivenNames: "⟦Amina⟧", BirthDate: "⟦1990-03-14⟧", Reference: "⟦Az. 3⟧"}
	pages["SubjectAccess"] = []templ.Component{
		SubjectAccess(SARView{Find: find, Searched: true, Matches: []SARMatch{{PersonID: "⟦p1⟧", CaseReference: "⟦F-1⟧", LeadOrg: "⟦FB Wohnen⟧"}}, Requests: reqs}),
		SubjectAccess(SARView{Find: find, Searched: true}),
		SubjectAccess(SARView{Errors: FormErrors{{Field: "birth_date", ID: "sar-birth_date", Msg: FormMsg{Text: "⟦date⟧"}}}}),
	}
	pages["SubjectAccessConfirm"] = []templ.Component{
		SubjectAccessConfirm(SARConfirmView{Pending: []SARPendingRow{{ID: "⟦r1⟧", Reference: "⟦Az. 1⟧", RequestedAt: "⟦01.12.2026⟧", Cases: []string{"⟦F-1⟧", "⟦F-2⟧"}}}}),
		SubjectAccessConfirm(SARConfirmView{}),
	}
	pages["SubjectAccessDocument"] = []templ.Component{
		SubjectAccessDocument(SARDocView{Reference: "⟦Az. 1⟧", RequestedAt: "⟦01.12.2026⟧", ExportedAt: "⟦03.12.2026⟧", Confirmed: []string{"⟦FB Wohnen⟧"},
			Sections: []SARDocSection{
				{Title: "⟦Vermerke⟧", Records: []SARDocRecord{{Review: true, Fields: []SARDocField{{Label: "⟦Text⟧", Review: "⟦Zeynep⟧",
					Parts: []SARTextPart{{Text: "⟦Termin mit ⟧"}, {Text: "⟦Zeynep⟧", Mark: true}}}}}}},
				{Title: "⟦Übergaben⟧"},
			},
			History: []SARDocHistory{{At: "⟦01.12.2026 10:00⟧", Org: "⟦FB Wohnen⟧", Role: "⟦Fallmanagement⟧", Action: "⟦Fall angesehen⟧", Purpose: "⟦Fallarbeit⟧"}}}),
		SubjectAccessDocument(SARDocView{Reference: "⟦Az. 1⟧"}),
	}
}
