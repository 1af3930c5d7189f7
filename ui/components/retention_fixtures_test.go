package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the page "Löschfristen" (retention.templ) for TestNoHardCodedText: without
// holds, with two holds (one for a date, one until lifted), and a refused form. Data from the
// database is marked ⟦…⟧.

func init() {
	empty := RetentionView{ClosedCaseYears: 3, EndedReferralMonths: 12, ReadNotificationDays: 90, DueCases: 2, DueNotifications: 7}
	until := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	held := empty
	held.Holds = []HoldRow{
		{CaseID: "c1", Reference: "⟦W-2023-0042⟧", Reason: "⟦Widerspruchsverfahren⟧", HeldAt: until.AddDate(0, -1, 0), Until: &until, Due: true},
		{CaseID: "c2", Reference: "⟦W-2024-0007⟧", Reason: "⟦Klage⟧", HeldAt: until.AddDate(0, -2, 0)},
	}
	refused := empty
	refused.Form = HoldForm{Reference: "⟦W-1999-9999⟧", Reason: "", Until: "⟦morgen⟧"}
	refused.Errors = FormErrors{
		{Field: "reference", ID: "hold-reference", Msg: FormMsg{Key: "validation.retention.reference.unknown"}},
		{Field: "reason", ID: "hold-reason", Msg: FormMsg{Key: "validation.required"}},
		{Field: "until", ID: "hold-until", Msg: FormMsg{Key: "validation.format"}},
	}
	pages["Retention"] = []templ.Component{Retention(empty), Retention(held), Retention(refused)}
}
