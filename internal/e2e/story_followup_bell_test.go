package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lotse-project/lotse/internal/service"
)

// followUpReachesTheBell is issue 12's chain end to end: the housing caseworker sets a
// follow-up on a case "in 1 working day" on the case page; time passes (the reminder sweep
// runs on that working day, on the arranging services' clock); the bell in the frame counts
// it, the notification page names the case, and the item opens it.
func followUpReachesTheBell(t *testing.T, srv *server, s *session) {
	c := srv.arrangeCase(t, housing, "Okonkwo", "Adaeze")
	caseID := c.ID.String()

	s.open(t, "/faelle/"+caseID)
	s.do(t, "choose in one working day", chromedp.SetValue(chromedp.CSS(`#f-working_days`), "1"))
	if got := s.submit(t, "set the follow-up", chromedp.Click(chromedp.CSS(`form[action="/faelle/`+caseID+`/wiedervorlage"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("setting the follow-up: %d at %s", got, s.path())
	}
	if !s.present(t, `.lotse-flash`) || !strings.Contains(s.text(t), "Wiedervorlage") {
		t.Fatal("no confirmation of the follow-up")
	}

	// Time passes: the sweep runs on the next working day.
	day := service.AddWorkingDays(srv.Svc.Today(), 1).Add(9 * time.Hour)
	clock := srv.Svc.Clock()
	srv.Svc.SetClock(func() time.Time { return day })
	_, err := srv.Svc.Reminders.Run(context.Background())
	srv.Svc.SetClock(clock)
	if err != nil {
		t.Fatalf("the reminder sweep: %v", err)
	}

	s.open(t, "/")
	s.waitFor(t, `.lotse-bell .kern-badge`)
	if got := s.textOf(t, `.lotse-bell`); !strings.Contains(got, "ungelesene Benachrichtigung") {
		t.Fatalf("the bell does not count the follow-up: %q", got)
	}
	if got := s.submit(t, "follow the bell", chromedp.Click(chromedp.CSS(`a.lotse-bell`))); got != http.StatusOK || s.path() != "/benachrichtigungen" {
		t.Fatalf("the bell led to %s (%d)", s.path(), got)
	}
	item := `main .lotse-notification form[action$="/oeffnen"]`
	found := run(t, s, "find the follow-up of the case", chromedp.Evaluate[string](`(() => {
		for (const li of document.querySelectorAll('main .lotse-notification')) {
			if (li.textContent.includes('Okonkwo') && li.textContent.includes('Wiedervorlage')) {
				const f = li.querySelector('form[action$="/oeffnen"]');
				return f ? f.getAttribute('action') : '';
			}
		}
		return '';
	})()`))
	if found == "" {
		t.Fatalf("the notification page has no follow-up naming the case:\n%s", s.textOf(t, "main"))
	}
	if got := s.submit(t, "open the follow-up", chromedp.Click(chromedp.CSS(item+`[action="`+found+`"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("opening the item: %d at %s", got, s.path())
	}
	if !strings.HasPrefix(s.path(), "/faelle/"+caseID) {
		t.Fatalf("the item opened %s, want the case", s.path())
	}
}
