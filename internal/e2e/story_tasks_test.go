package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tasksFromTheCase: the housing caseworker creates a task from the case page (the form first
// refuses it without a title, with the application's error summary), assigns it to herself
// with a description, area, due date and priority, comments on it and closes it; the task
// page shows its history. The new pages are checked with axe in German and English.
func tasksFromTheCase(t *testing.T, srv *server, s *session) {
	c := srv.arrangeCase(t, housing, "Nasser", "Rami")
	caseID := c.ID.String()
	title := "Wohnungsbesichtigung mit Familie Nasser vereinbaren"

	s.open(t, "/faelle/"+caseID)
	if got := s.submit(t, "open the task form", chromedp.Click(chromedp.CSS(`main a[href="/aufgaben/neu?fall=`+caseID+`"]`))); got != http.StatusOK {
		t.Fatalf("the task form: %d at %s", got, s.path())
	}
	if !strings.Contains(s.text(t), "Nasser") {
		t.Errorf("the task form does not name the person of the case")
	}
	s.check(t, "aufgabe-neu")
	submit := chromedp.CSS(`main form button.kern-btn--primary[type="submit"]`)
	if got := s.submit(t, "send the empty form", chromedp.Click(submit)); got != http.StatusUnprocessableEntity {
		t.Errorf("a task without a title: %d, want 422", got)
	}
	if !s.present(t, `#fehler a[href="#f-title"]`) || !s.present(t, `#f-title[aria-invalid="true"][aria-describedby~="f-title-error"]`) {
		t.Errorf("the refused form shows no error summary linked to the title")
	}
	s.check(t, "aufgabe-neu-fehler")

	me := run(t, s, "find the caseworker among the assignees", chromedp.Evaluate[string](`(() => {
		for (const o of document.querySelectorAll('#f-assignee option')) {
			if (o.textContent.includes('Lena Schröder')) return o.value;
		}
		return '';
	})()`))
	if me == "" {
		t.Fatal("the form offers no Lena Schröder")
	}
	due := time.Now().AddDate(0, 0, 5).Format("2006-01-02")
	s.do(t, "fill in the task",
		chromedp.SendKeys(chromedp.CSS(`#f-title`), title),
		chromedp.SendKeys(chromedp.CSS(`#f-description`), "Dolmetscher für Arabisch mitbringen"),
		chromedp.SetValue(chromedp.CSS(`#f-area`), "housing"),
		chromedp.SetValue(chromedp.CSS(`#f-due_date`), due),
		chromedp.SetValue(chromedp.CSS(`#f-priority`), "high"),
		chromedp.SetValue(chromedp.CSS(`#f-assignee`), me),
	)
	if got := s.submit(t, "create the task", chromedp.Click(submit)); got != http.StatusOK {
		t.Fatalf("creating the task: %d at %s", got, s.path())
	}
	path := s.path()
	if !strings.HasPrefix(path, "/aufgaben/") || uuidIn.FindString(path) == "" {
		t.Fatalf("creating the task ended at %s, want the task page", path)
	}
	page := s.text(t)
	for _, want := range []string{title, "Dolmetscher für Arabisch mitbringen", "Nasser", "Hoch", "angelegt"} {
		if !strings.Contains(page, want) {
			t.Errorf("the task page lacks %q", want)
		}
	}
	if !s.present(t, `.lotse-flash`) || !s.present(t, `main a[href="/faelle/`+caseID+`"]`) {
		t.Error("no confirmation, or no link to the case")
	}
	s.check(t, "aufgabe")

	s.do(t, "write a comment", chromedp.SendKeys(chromedp.CSS(`#f-body`), "Vermieter hat Dienstag 10 Uhr vorgeschlagen"))
	if got := s.submit(t, "save the comment", chromedp.Click(chromedp.CSS(`form[action$="/kommentare"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("commenting: %d at %s", got, s.path())
	}
	if !strings.Contains(s.text(t), "Vermieter hat Dienstag 10 Uhr vorgeschlagen") {
		t.Error("the comment does not show")
	}
	done := chromedp.CSS(`main form input[name="status"][value="done"] ~ button[type="submit"]`)
	if got := s.submit(t, "close the task", chromedp.Click(done)); got != http.StatusOK {
		t.Fatalf("closing: %d at %s", got, s.path())
	}
	page = s.text(t)
	if !strings.Contains(page, "Status: Erledigt") || !strings.Contains(page, "kommentiert") || !s.present(t, `main form input[name="status"][value="open"]`) {
		t.Errorf("the closed task's page: %q", page)
	}
	s.check(t, "aufgabe-erledigt")
	s.open(t, "/aufgaben")
	if strings.Contains(s.text(t), title) {
		t.Error("the closed task is still among the open tasks")
	}

	// English.
	s.visit(t, "aufgabe-en", path+"?lang=en", http.StatusOK)
	if !strings.Contains(s.text(t), "History") {
		t.Error("the task page in English has no history")
	}
	s.visit(t, "aufgabe-neu-en", "/aufgaben/neu?fall="+caseID, http.StatusOK)
	if got := s.submit(t, "send the empty form in English", chromedp.Click(submit)); got != http.StatusUnprocessableEntity {
		t.Errorf("a task without a title in English: %d, want 422", got)
	}
	s.check(t, "aufgabe-neu-fehler-en")
	s.open(t, "/?lang=de")
}
