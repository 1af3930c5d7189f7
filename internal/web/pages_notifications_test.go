package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestNotificationCentrePages: the bell in the frame (a plain link, the count loaded by
// htmx), the list grouped by day with unread items marked, opening an item (marks it read,
// goes to the record), another member's item 404, and a revoked consent: the item names
// nothing and the count drops. Then mark all read.
func TestNotificationCentrePages(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	out := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	ref := out.Case.Reference
	partnerNote := w.Notify(t, w.JobcenterWorker, model.NotifyReferralNew, model.ObjectReferral, out.Referral.ID)
	leadNote := w.Notify(t, w.HousingWorker, model.NotifyFollowUp, model.ObjectCase, out.Case.ID)
	p := &signedInClient{t: t, w: w, as: w.JobcenterWorker}

	expectPage(t, "start page with the bell", p.get("/"), http.StatusOK, []string{
		`href="/benachrichtigungen"`, `hx-get="/benachrichtigungen/anzahl"`, `hx-trigger="load, every 60s"`, "Benachrichtigungen",
	})
	expectPage(t, "count", p.get("/benachrichtigungen/anzahl"), http.StatusOK, []string{"1 ungelesene Benachrichtigung"}, "<html")
	expectPage(t, "list", p.get("/benachrichtigungen"), http.StatusOK, []string{
		"<h1", "Heute", "Neue Vermittlung eingegangen", ref, ">Neu<", `action="/benachrichtigungen/` + partnerNote.String() + `/oeffnen"`,
		`action="/benachrichtigungen/gelesen"`, "novalidate", `name="_csrf"`, `href="/benachrichtigungen/einstellungen"`,
	}, leadNote.String())

	// Another member's notification: not found, and still unread.
	expectPage(t, "someone else's", p.post("/benachrichtigungen/"+leadNote.String()+"/oeffnen", formOf()), http.StatusNotFound, nil)
	if n := countRows(t, w, `SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NULL`, leadNote); n != 1 {
		t.Fatal("another member's notification was marked read")
	}

	// Opening the lead's own one: read, and off to the case.
	l := &signedInClient{t: t, w: w, as: w.HousingWorker}
	r := l.post("/benachrichtigungen/"+leadNote.String()+"/oeffnen", formOf())
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/faelle/"+out.Case.ID.String() {
		t.Fatalf("open: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if n := countRows(t, w, `SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NOT NULL`, leadNote); n != 1 {
		t.Fatal("opening did not mark the notification read")
	}

	// The consent is revoked: the partner's item names nothing, the count drops.
	svc := w.Services(t)
	if _, err := svc.Consents.Revoke(context.Background(), w.Actor(t, w.HousingWorker), out.Consent.ID, out.Consent.Version); err != nil {
		t.Fatal(err)
	}
	expectPage(t, "count after revocation", p.get("/benachrichtigungen/anzahl"), http.StatusOK, nil, "ungelesen")
	expectPage(t, "list after revocation", p.get("/benachrichtigungen"), http.StatusOK,
		[]string{"Dieser Eintrag ist für Sie nicht mehr verfügbar.", "Als gelesen markieren"}, ref, out.Person.FamilyName, out.Referral.ID.String())
	r = p.post("/benachrichtigungen/"+partnerNote.String()+"/oeffnen", formOf())
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/benachrichtigungen" {
		t.Fatalf("open a hidden one: %d to %q", r.Status, r.Header.Get("Location"))
	}
	expectPage(t, "flash", p.get("/benachrichtigungen"), http.StatusOK, []string{"nicht mehr verfügbar. Die Benachrichtigung ist als gelesen markiert."}, ">Neu<")

	// Mark all read.
	w.Notify(t, w.HousingWorker, model.NotifyTaskOverdue, model.ObjectTask, out.Task.ID)
	r = l.post("/benachrichtigungen/gelesen", formOf())
	if r.Status != http.StatusSeeOther {
		t.Fatalf("mark all: %d", r.Status)
	}
	if n := countRows(t, w, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, w.HousingWorker.ID); n != 0 {
		t.Fatalf("%d unread after marking all read", n)
	}
	expectPage(t, "in English", l.do(http.MethodGet, "/benachrichtigungen", "", map[string]string{"Accept-Language": "en"}), http.StatusOK,
		[]string{"Notifications", "Today", "Task overdue", "Follow-up date reached"})
}

// TestNotificationSettingsPage: the form shows every kind with its channel and the e-mail
// language; bad input gets the error summary, 422, and changes nothing; good input is stored.
func TestNotificationSettingsPage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	b := &signedInClient{t: t, w: w, as: w.HousingWorker}
	expectPage(t, "settings", b.get("/benachrichtigungen/einstellungen"), http.StatusOK, []string{
		"<h1", "Einstellungen für Benachrichtigungen", "novalidate", `name="_csrf"`, "Sofort per E-Mail", "Tägliche Zusammenfassung", "Aus",
		`name="referral_new" value="immediate" checked`, `name="task_due" value="digest" checked`, `name="language" value="de" checked`,
	})
	form := func(ch, lang string) []string {
		kv := []string{"language", lang}
		for _, k := range model.NotificationKinds {
			kv = append(kv, string(k), ch)
		}
		return kv
	}
	stored := func() int {
		return countRows(t, w, `SELECT count(*) FROM notification_settings WHERE user_id = $1`, w.HousingWorker.ID)
	}
	r := b.post("/benachrichtigungen/einstellungen", formOf(form("pigeon", "fr")...))
	expectPage(t, "refused", r, http.StatusUnprocessableEntity, []string{
		"Fehler: Einstellungen für Benachrichtigungen", `id="notification-settings-errors"`, `href="#ns-task_due"`, `href="#ns-language"`,
		"Bitte wählen Sie eine der angebotenen Möglichkeiten.", `id="ns-language-error"`,
	})
	if body := string(r.Body); strings.Index(body, `href="#ns-referral_new"`) > strings.Index(body, `href="#ns-task_due"`) {
		t.Error("the error summary does not follow the order of the form")
	}
	if stored() != 0 || countRows(t, w, `SELECT count(*) FROM users WHERE id = $1 AND language = 'de'`, w.HousingWorker.ID) != 1 {
		t.Fatal("refused settings changed something")
	}
	r = b.post("/benachrichtigungen/einstellungen", formOf(form("off", "en")...))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d: %s", r.Status, r.Body)
	}
	if stored() != len(model.NotificationKinds) || countRows(t, w, `SELECT count(*) FROM notification_settings WHERE user_id = $1 AND channel = 'off'`, w.HousingWorker.ID) != len(model.NotificationKinds) {
		t.Fatal("settings not stored")
	}
	expectPage(t, "after saving", b.get("/benachrichtigungen/einstellungen"), http.StatusOK,
		[]string{"sind gespeichert", `name="referral_new" value="off" checked`, `name="language" value="en" checked`})
}
