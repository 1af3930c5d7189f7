package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the emergency access pages (emergency.templ) for TestNoHardCodedText: the
// form, refused, and for a member who may not ask; the banner; the officer's review empty and
// with an access. Data from the database (and the duration, translated by the web layer) is
// marked ⟦…⟧.

func init() {
	form := EmergencyView{Allowed: true, Duration: "⟦4 Stunden⟧", ReasonMin: 20, Reference: "⟦F-2026-00042⟧"}
	refused := form
	refused.Reason = "⟦dringend⟧"
	refused.Errors = FormErrors{
		{Field: "reference", ID: "notfall-reference", Msg: FormMsg{Key: "validation.emergency.reference.unknown"}},
		{Field: "reason", ID: "notfall-reason", Msg: FormMsg{Key: "validation.emergency.reason.too_short", Data: map[string]any{"min": 20}}},
	}
	denied := EmergencyView{Duration: "⟦4 Stunden⟧", ReasonMin: 20}
	pages["Emergency"] = []templ.Component{Emergency(form), Emergency(refused), Emergency(denied)}

	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	pages["EmergencyBanner"] = []templ.Component{EmergencyBanner(&EmergencyBannerView{Until: at.Add(4 * time.Hour), Reason: "⟦Anruf der Polizei⟧"}), EmergencyBanner(nil)}

	rows := EmergencyReviewView{Rows: []EmergencyReviewRow{
		{ID: "e1", Reference: "⟦F-2026-00042⟧", User: "⟦Mira Migration⟧", Org: "⟦Fachdienst Migration⟧", Reason: "⟦Anruf der Polizei⟧",
			Granted: at, Until: at.Add(4 * time.Hour), Active: true,
			Reads: []EmergencyRead{{At: at, Action: "emergency_access.grant"}, {At: at.Add(time.Minute), Action: "case.read"}}},
		{ID: "e2", Reference: "⟦F-2026-00043⟧", User: "⟦Mira Migration⟧", Org: "⟦Fachdienst Migration⟧", Reason: "⟦Notlage⟧",
			Granted: at.AddDate(0, 0, -1), Until: at.AddDate(0, 0, -1).Add(4 * time.Hour)},
	}}
	pages["EmergencyReview"] = []templ.Component{EmergencyReview(EmergencyReviewView{}), EmergencyReview(rows)}
}
