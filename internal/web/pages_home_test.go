package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestHomePage renders the start page for every kind of role: the caseworker's day with the
// overdue task named by its person and linked, empty sections with their sentence, the
// partner's referrals waiting for an answer, the head's figures, the link cards of the roles
// without case content (and none of the case content), the alert of an account without a role.
func TestHomePage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	threeDaysAgo := model.CalendarDay(time.Now()).AddDate(0, 0, -3) // a due date is a calendar day in Berlin
	me := w.HousingWorker.ID
	overdue := createTask(t, w, w.HousingWorker, model.TaskCreate{Title: "Mietvertrag prüfen", CaseID: &cw.Case.ID, AssigneeID: &me, DueDate: &threeDaysAgo, Priority: model.PriorityHigh})
	person := cw.Person.FamilyName + ", " + cw.Person.GivenNames
	sections := []string{"Überfällige Aufgaben", "Heute fällig", "Diese Woche fällig", "Neue Vermittlungen, noch nicht beantwortet",
		"Antworten auf Ihre Vermittlungen", "Zuletzt geänderte Fälle", "Ihr Team", "Ihre Bereiche"}
	has := func(present ...string) []string {
		var out []string
		for _, s := range sections {
			found := false
			for _, p := range present {
				found = found || p == s
			}
			if !found {
				out = append(out, s)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		as     *world.User
		want   []string
		absent []string
	}{
		{"caseworker", w.HousingWorker, []string{
			"<h1 class=\"kern-heading-large\">Mein Tag</h1>", "Guten Tag, Wiebke Wohnen.",
			"Überfällige Aufgaben <span class=\"lotse-pl-count\">(1)</span>", "Mietvertrag prüfen", person,
			`href="/aufgaben#task-` + overdue.ID.String() + `"`, `href="/faelle/` + cw.Case.ID.String() + `"`, "seit 3 Tagen überfällig",
			"Heute wird keine Aufgabe fällig.", "Keine Vermittlung wartet auf Ihre Antwort.", "Zuletzt geänderte Fälle", cw.Case.Reference,
			`href="/aufgaben"`, `href="/faelle"`, `href="/vermittlungen"`, "Fachbereich Wohnen", "Fallmanagement",
		}, has("Überfällige Aufgaben", "Heute fällig", "Diese Woche fällig", "Neue Vermittlungen, noch nicht beantwortet",
			"Antworten auf Ihre Vermittlungen", "Zuletzt geänderte Fälle")},
		{"partner", w.JobcenterWorker, []string{
			"Neue Vermittlungen, noch nicht beantwortet <span class=\"lotse-pl-count\">(1)</span>", cw.Referral.Reference,
			`href="/vermittlungen/` + cw.Referral.ID.String() + `"`, person, `href="/eingang"`, "Heute ist nichts überfällig.",
		}, append(has("Überfällige Aufgaben", "Heute fällig", "Diese Woche fällig", "Neue Vermittlungen, noch nicht beantwortet",
			"Zuletzt geänderte Fälle"), "Mietvertrag prüfen")},
		{"department head", w.HousingLead, []string{
			"Ihr Team", `href="/team?overdue=1#aufgaben-liste"`, "überfällige Aufgabe<", "offene Aufgaben<", `href="/team"`,
			"Verwaltung", `href="/verwaltung"`,
		}, append(has("Ihr Team", "Ihre Bereiche", "Zuletzt geänderte Fälle"), "Mietvertrag prüfen")},
		{"coordinator", w.Coordinator, []string{"Ihre Bereiche", `href="/statistik"`, "Anonymisierte Kennzahlen"},
			append(has("Ihre Bereiche"), cw.Case.Reference, person, "Mietvertrag prüfen")},
		{"data protection officer", w.DPO, []string{`href="/datenschutz"`, "Alle Werkzeuge der Datenschutzbeauftragten"},
			append(has("Ihre Bereiche"), cw.Case.Reference, person)},
		{"system administrator", w.Sysadmin, []string{`href="/verwaltung"`}, append(has("Ihre Bereiche"), cw.Case.Reference, person)},
		{"no role", w.NoRole, []string{"Noch keine Rolle zugewiesen", "Willkommen, Otto Ohnerolle"}, has()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.Do(t, world.Request{As: tc.as, Method: http.MethodGet, URL: "/"})
			expectPage(t, tc.name, r, http.StatusOK, tc.want, tc.absent...)
		})
	}
	t.Run("English", func(t *testing.T) {
		r := w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodGet, URL: "/", Headers: map[string]string{"Cookie": "lang=en"}})
		body := expectPage(t, "English", r, http.StatusOK, []string{"My day", "Overdue tasks", "3 days overdue", "No task is due today."}, "Überfällige")
		if !strings.Contains(body, `<html lang="en">`) {
			t.Error("not in English")
		}
	})
}
