package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The follow-up forms (pages_followups.go) through the whole stack, with the app's clock on
// Wednesday 24 March 2027, before Easter (Good Friday 26 and Easter Monday 29 March are
// holidays): a date on a holiday is moved to the next working day and the confirmation says
// so; "in 2 working days" lands on Tuesday 30 March; a date in the past is refused with the
// error summary and changes nothing; another organisation's case is not found; the start page
// lists the follow-ups by day with links; clearing removes it.
func TestFollowUpPages(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 24, 10, 0, 0, 0, loc)
	w := world.New(t, world.WithClock(func() time.Time { return now }))
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	caseID, taskID := cw.Case.ID.String(), cw.Task.ID.String()
	dueOn := func(record string) string {
		var d string
		err := w.DB.SQL.QueryRow(`SELECT coalesce(max(due_on::text), '') FROM follow_ups WHERE user_id = $1 AND (case_id::text = $2 OR task_id::text = $2) AND done_at IS NULL`,
			w.HousingWorker.ID, record).Scan(&d)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("the case page offers the form", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle/"+caseID, http.StatusOK)
		mustContain(t, "the case page", body, `id="wiedervorlage"`, `action="/faelle/`+caseID+`/wiedervorlage"`, `name="due_on"`,
			`name="working_days"`, `<option value="5">5 Arbeitstagen</option>`, "Sie haben hier keine Wiedervorlage.")
		i := strings.Index(body, `action="/faelle/`+caseID+`/wiedervorlage"`)
		if i < 0 || !strings.Contains(body[i:i+200], "novalidate") {
			t.Error("the follow-up form is not novalidate")
		}
	})
	t.Run("a date on Good Friday moves to Tuesday, and the confirmation says so", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/faelle/"+caseID+"/wiedervorlage", url.Values{"due_on": {"26.03.2027"}, "working_days": {""}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/faelle/"+caseID+"#wiedervorlage" {
			t.Fatalf("status %d to %q: %.2000s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if d := dueOn(caseID); d != "2027-03-30" {
			t.Errorf("follow-up on %q, want 2027-03-30", d)
		}
		next := getPage(t, w, w.HousingWorker, "/faelle/"+caseID, http.StatusOK, "Cookie", reviewSession(t, r))
		mustContain(t, "the page after the change", next, `role="status"`,
			"Fr 26.03.2027 ist kein Arbeitstag: Die Wiedervorlage wurde auf den nächsten Arbeitstag, Di 30.03.2027, verschoben.",
			"Ihre Wiedervorlage: Di 30.03.2027", `action="/faelle/`+caseID+`/wiedervorlage/entfernen"`)
	})
	t.Run("a date in the past: the summary and the message, nothing changed", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/faelle/"+caseID+"/wiedervorlage", url.Values{"due_on": {"23.03.2027"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		body := string(r.Body)
		checkCasePage(t, "the refused form", body)
		mustContain(t, "the refused form", body, `id="fehler"`, `href="#f-due_on"`, `id="f-due_on-error"`, `aria-invalid="true"`,
			`value="23.03.2027"`, "Das Datum liegt in der Vergangenheit.")
		r = postForm(t, w, w.HousingWorker, "/faelle/"+caseID+"/wiedervorlage", url.Values{"due_on": {"30.03.2027"}, "working_days": {"3"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "entweder ein Datum oder eine Anzahl Arbeitstage") {
			t.Errorf("date and working days: status %d", r.Status)
		}
		if d := dueOn(caseID); d != "2027-03-30" {
			t.Errorf("a refused form changed the follow-up to %q", d)
		}
	})
	t.Run("in 2 working days on the task page, over Easter", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+taskID+"/wiedervorlage", url.Values{"due_on": {""}, "working_days": {"2"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/aufgaben/"+taskID+"#wiedervorlage" {
			t.Fatalf("status %d to %q: %.2000s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if d := dueOn(taskID); d != "2027-03-30" {
			t.Errorf("follow-up on %q, want 2027-03-30", d)
		}
		next := getPage(t, w, w.HousingWorker, "/aufgaben/"+taskID, http.StatusOK, "Cookie", reviewSession(t, r))
		mustContain(t, "the task page", next, "Wiedervorlage für Di 30.03.2027 gesetzt.", "Ihre Wiedervorlage: Di 30.03.2027")
		r = postForm(t, w, w.HousingWorker, "/aufgaben/"+taskID+"/wiedervorlage", url.Values{"working_days": {"viele"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `href="#f-working_days"`) {
			t.Errorf("a number that is none: status %d", r.Status)
		}
	})
	t.Run("the start page lists them this week, with links", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/", http.StatusOK)
		i := strings.Index(body, `id="wiedervorlagen"`)
		if i < 0 {
			t.Fatal("no follow-up section")
		}
		mustContain(t, "the start page", body[i:], "Wiedervorlagen", "Diese Woche", `href="/aufgaben/`+taskID+`"`, "Aufgabe: Unterlagen prüfen",
			`href="/faelle/`+caseID+`"`, cw.Case.Reference, "Di 30.03.2027")
		mustNotContain(t, "the start page", body[i:], `id="wiedervorlagen-heute"`, `id="wiedervorlagen-ueberfaellig"`)
		other := getPage(t, w, w.HousingWorker2, "/", http.StatusOK)
		mustContain(t, "the colleague's start page", other, "Für diese Woche haben Sie keine Wiedervorlagen.")
	})
	t.Run("another organisation's case is not found, nothing written", func(t *testing.T) {
		before := countRows(t, w, `SELECT count(*) FROM follow_ups`)
		r := postForm(t, w, w.MigrationWorker, "/faelle/"+caseID+"/wiedervorlage", url.Values{"working_days": {"1"}})
		if r.Status != http.StatusNotFound {
			t.Errorf("status %d, want 404", r.Status)
		}
		r = postForm(t, w, w.MigrationWorker, "/aufgaben/"+taskID+"/wiedervorlage/entfernen", url.Values{})
		if r.Status != http.StatusNotFound {
			t.Errorf("clearing: status %d, want 404", r.Status)
		}
		if n := countRows(t, w, `SELECT count(*) FROM follow_ups`); n != before || dueOn(taskID) == "" {
			t.Error("a refused follow-up wrote or cleared something")
		}
	})
	t.Run("clear", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/faelle/"+caseID+"/wiedervorlage/entfernen", url.Values{})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		if d := dueOn(caseID); d != "" {
			t.Errorf("still open on %s", d)
		}
		next := getPage(t, w, w.HousingWorker, "/faelle/"+caseID, http.StatusOK, "Cookie", reviewSession(t, r))
		mustContain(t, "the page after clearing", next, "Wiedervorlage entfernt.", "Sie haben hier keine Wiedervorlage.")
	})
}
