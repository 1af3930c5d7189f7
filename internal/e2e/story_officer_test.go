package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// officer is the demo data protection officer (STADT).
const officer = "petra.lange"

// officerPages: the data protection officer starts on the start page's card "Datenschutz",
// which lists every tool of the officer; the access log names actions in German and finds
// the housing caseworker's events by her account (with the case she opened by its reference,
// never the person's name); the audit chain check runs by its button
// and refuses a key that is none at its field; subject access, retention and the three
// generated documents open. Every page passes axe.
func officerPages(t *testing.T, srv *server, s *session) {
	c := srv.arrangeCase(t, housing, "Okafor", "Chidi")
	s.visit(t, "start", "/", http.StatusOK)
	if !s.present(t, `main a[href="/datenschutz"]`) || !s.present(t, `nav.lotse-nav a[href="/datenschutz"]`) {
		t.Fatalf("the officer's start page and navigation do not lead to /datenschutz: %s", s.htmlOf(t, "main"))
	}
	if got := s.submit(t, "open the officer's page", chromedp.Click(chromedp.CSS(`main a[href="/datenschutz"]`))); got != http.StatusOK || s.path() != "/datenschutz" {
		t.Fatalf("the card led to %s (%d)", s.path(), got)
	}
	s.check(t, "datenschutz")
	for _, href := range []string{"/protokoll", "/protokoll/kette", "/auskunft", "/loeschfristen", "/notfallzugriffe",
		"/datenschutz/berechtigungen", "/datenschutz/verarbeitungsverzeichnis", "/datenschutz/loeschkonzept"} {
		if !s.present(t, `main a[href="`+href+`"]`) {
			t.Errorf("the officer's page does not list %s", href)
		}
	}

	// The access log: readable actions, searched by the actor's account.
	s.visit(t, "protokoll-konto", "/protokoll?user=lena.schroeder", http.StatusOK)
	log := s.textOf(t, "main table")
	if !strings.Contains(log, "Lena Schröder") || !strings.Contains(log, "Fall angelegt") || !strings.Contains(log, c.Reference) {
		t.Errorf("the log searched by the caseworker's account lacks her name or the readable action:\n%.600s", log)
	}
	if strings.Contains(log, "case.create") || strings.Contains(log, "case.list") || strings.Contains(log, "Markus Hoffmann") || strings.Contains(log, "Okafor") {
		t.Errorf("the log shows an action's code or another account's event:\n%.600s", log)
	}

	// The chain check: the button runs it; a key that is none is refused at its field.
	s.visit(t, "protokoll-kette", "/protokoll/kette", http.StatusOK)
	submit := chromedp.CSS(`main form button.kern-btn--primary[type="submit"]`)
	if got := s.submit(t, "verify the chain", chromedp.Click(submit)); got != http.StatusOK {
		t.Fatalf("verifying the chain: %d", got)
	}
	if res := s.textOf(t, `section[aria-labelledby="ergebnis"]`); !strings.Contains(res, "Die Protokollkette ist unverändert.") {
		t.Errorf("the chain check does not say the chain is intact: %q", res)
	}
	s.check(t, "protokoll-kette-ergebnis")
	s.do(t, "type a key that is none", chromedp.SendKeys(chromedp.CSS(`#chain-key`), "kein Schlüssel"))
	if got := s.submit(t, "verify with a key that is none", chromedp.Click(submit)); got != http.StatusUnprocessableEntity {
		t.Errorf("a key that is none: %d, want 422", got)
	}
	if !s.present(t, `#chain-errors a[href="#chain-key"]`) || !s.present(t, `#chain-key[aria-invalid="true"][aria-describedby~="chain-key-error"]`) {
		t.Errorf("the refused key has no error summary linked to the field: %s", s.htmlOf(t, "main form"))
	}
	s.check(t, "protokoll-kette-fehler")

	for _, p := range []struct{ name, path, heading string }{
		{"auskunft", "/auskunft", "Auskunftsersuchen (Art. 15 DSGVO)"},
		{"loeschfristen", "/loeschfristen", "Löschfristen"},
		{"notfallzugriffe", "/notfallzugriffe", "Notfallzugriffe"},
		{"berechtigungen", "/datenschutz/berechtigungen", "Berechtigungskonzept / Permission concept"},
		{"verarbeitungsverzeichnis", "/datenschutz/verarbeitungsverzeichnis", "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO): Lotse"},
		{"loeschkonzept", "/datenschutz/loeschkonzept", "Löschkonzept: Lotse"},
	} {
		s.visit(t, p.name, p.path, http.StatusOK)
		if h := s.textOf(t, "main h1"); h != p.heading {
			t.Errorf("%s: heading %q, want %q", p.path, h, p.heading)
		}
	}
	if !s.present(t, `main .kern-table-responsive[role="region"][tabindex="0"] table.kern-table`) {
		t.Error("the deletion concept's tables are not scrollable regions")
	}
	s.zoomed(t, "loeschkonzept")
}
