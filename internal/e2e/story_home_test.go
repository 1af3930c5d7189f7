package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// startPage: a caseworker's day starts on the start page ("Mein Tag"). An overdue task is
// there with the person's name; its link leads to the task in "Meine Aufgaben", the case
// link to the case. The department head's start page shows the team's figures, each a link
// to the team dashboard. Every demo role's start page passes axe in English too (the walk
// checks the German one for every role).
func startPage(t *testing.T, srv *server, ss map[string]*session) {
	s := ss[housing]
	c := srv.arrangeCase(t, housing, "Nowak", "Irena")
	title := "Mietschuldenberatung für Familie Nowak vereinbaren"
	task := srv.arrangeOverdueTask(t, housing, title, 90, &c.ID)
	row := `#start-aufgabe-` + task.ID.String()

	s.visit(t, "start-mein-tag", "/", http.StatusOK)
	overdue := s.textOf(t, `section[aria-labelledby="ueberfaellig"]`)
	if !strings.Contains(overdue, title) || !strings.Contains(overdue, "Nowak, Irena") {
		t.Fatalf("the overdue tasks on the start page lack the task with the person's name:\n%s", overdue)
	}
	if !strings.Contains(s.textOf(t, row), "seit 90 Tagen überfällig") {
		t.Errorf("the task's row does not say how late it is: %q", s.textOf(t, row))
	}
	s.zoomed(t, "start-mein-tag")

	// The task's link: to the task in "Meine Aufgaben".
	if got := s.submit(t, "open the task", chromedp.Click(chromedp.CSS(row+` a[href^="/aufgaben"]`))); got != http.StatusOK {
		t.Fatalf("following the task: %d at %s", got, s.path())
	}
	if !strings.HasPrefix(s.path(), "/aufgaben") || !s.present(t, `#task-`+task.ID.String()) {
		t.Errorf("the task's link led to %s without the task", s.path())
	}

	// The case's link: to the case page.
	s.open(t, "/")
	if got := s.submit(t, "open the case", chromedp.Click(chromedp.CSS(row+` a[href^="/faelle/"]`))); got != http.StatusOK {
		t.Fatalf("following the case: %d at %s", got, s.path())
	}
	if s.path() != "/faelle/"+c.ID.String() || !strings.Contains(s.text(t), "Nowak") {
		t.Errorf("the case's link led to %s", s.path())
	}

	// The head: the team's figures, each leading to the dashboard.
	h := ss[head]
	h.visit(t, "start-team", "/", http.StatusOK)
	if !h.present(t, `section[aria-labelledby="team"] a[href="/team?overdue=1#aufgaben-liste"]`) {
		t.Fatalf("the head's start page has no link to the overdue tasks: %s", h.htmlOf(t, `main`))
	}
	if h.present(t, `section[aria-labelledby="ueberfaellig"]`) {
		t.Error("the head's start page lists a caseworker's tasks")
	}
	if got := h.submit(t, "open the overdue figure", chromedp.Click(chromedp.CSS(`section[aria-labelledby="team"] a[href="/team?overdue=1#aufgaben-liste"]`))); got != http.StatusOK {
		t.Fatalf("following the figure: %d at %s", got, h.path())
	}
	if !strings.HasPrefix(h.path(), "/team?overdue=1") {
		t.Errorf("the figure led to %s", h.path())
	}

	// Every role's start page in English.
	for _, r := range demoRoles() {
		rs := ss[r.Subject]
		rs.visit(t, "start-en", "/?lang=en", http.StatusOK)
		if !strings.Contains(rs.text(t), "My day") {
			t.Errorf("%s: the English start page is not in English", r.Dir)
		}
		rs.open(t, "/?lang=de")
	}
}
