package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// notificationsStory: a caseworker's follow-up date is reached (the notification written as
// the reminder job writes it); the bell in the frame shows the unread count (loaded by htmx),
// leads to the notification page, whose item opens the case and is then read; the settings
// page saves a choice. axe checks the notification pages in German and English.
func notificationsStory(t *testing.T, srv *server, s *session) {
	c := srv.arrangeCase(t, housing, "Lindqvist", "Aino")
	a := srv.actor(t, housing)
	err := srv.Store.Tx(context.Background(), model.Actor{System: true}, func(tx *store.Tx) error {
		_, err := tx.CreateNotifications(context.Background(), []model.Notification{{
			UserID: a.UserID, OrgID: a.OrgID, Kind: model.NotifyFollowUp, ObjectType: model.ObjectCase, ObjectID: c.ID, Occasion: "e2e",
		}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	s.visit(t, "start-mit-glocke", "/", http.StatusOK)
	s.waitFor(t, `.lotse-bell .kern-badge`)
	if got := s.textOf(t, `.lotse-bell`); !strings.Contains(got, "ungelesene Benachrichtigung") {
		t.Fatalf("the bell does not show the unread count: %q", got)
	}
	if got := s.submit(t, "follow the bell", chromedp.Click(chromedp.CSS(`a.lotse-bell`))); got != http.StatusOK || s.path() != "/benachrichtigungen" {
		t.Fatalf("the bell led to %s (%d)", s.path(), got)
	}
	s.check(t, "benachrichtigungen")
	list := s.textOf(t, `main`)
	for _, want := range []string{"Heute", "Wiedervorlage fällig", c.Reference, "Lindqvist", "Neu"} {
		if !strings.Contains(list, want) {
			t.Errorf("the notification page lacks %q:\n%s", want, list)
		}
	}
	if got := s.submit(t, "open the item", chromedp.Click(chromedp.CSS(`main .lotse-notification button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("opening the item: %d at %s", got, s.path())
	}
	if s.path() != "/faelle/"+c.ID.String() {
		t.Fatalf("the item opened %s, want the case", s.path())
	}
	s.visit(t, "benachrichtigungen-gelesen", "/benachrichtigungen", http.StatusOK)
	// Other stories leave other notifications unread: look at this case's item.
	unread := run(t, s, "find the opened item", chromedp.Evaluate[bool](`[...document.querySelectorAll('main .lotse-notification')]
		.some(li => li.textContent.includes('Lindqvist') && li.classList.contains('lotse-notification--unread'))`))
	if unread {
		t.Error("the opened item is still unread")
	}

	s.visit(t, "benachrichtigungen-einstellungen", "/benachrichtigungen/einstellungen", http.StatusOK)
	if got := s.submit(t, "save a choice", chromedp.Click(chromedp.CSS(`#ns-task_due-off`)), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("saving the settings: %d at %s", got, s.path())
	}
	if !strings.Contains(s.text(t), "gespeichert") || !s.present(t, `#ns-task_due-off:checked`) {
		t.Errorf("the settings were not saved: %s", s.textOf(t, "main"))
	}
	s.visit(t, "notifications-en", "/benachrichtigungen?lang=en", http.StatusOK)
	s.visit(t, "notification-settings-en", "/benachrichtigungen/einstellungen?lang=en", http.StatusOK)
	s.open(t, "/?lang=de")
}
