package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// emergencyAccess is the story of emergency access (issue 14, part 5): the migration
// caseworker, in a municipal department that does not lead the case, searches for a case of
// the housing office by its reference and finds nothing; the hint leads to the page
// Notfallzugriff; without a reason the form refuses with the message at the field; with one
// the case opens with the banner "Notfallzugriff bis HH:MM – Grund: …" and without forms to
// change it. Each page is checked with axe; the officer's review (/notfallzugriffe) is
// checked by the walk of the officer's navigation, which now lists this access.
func emergencyAccess(t *testing.T, srv *server, mig *session) {
	cv := srv.arrangeCase(t, housing, "Karimi", "Leyla")
	caseURL := "/faelle/" + cv.ID.String()
	const reason = "Anruf der Polizei: Kind allein in der Wohnung, Kontaktdaten nötig"

	if got := mig.open(t, caseURL); got != http.StatusNotFound {
		t.Fatalf("the case before the emergency access: %d, want 404", got)
	}
	mig.open(t, "/faelle?q="+url.QueryEscape(cv.Reference))
	if !mig.present(t, `#notfall-hinweis a[href^="/notfallzugriff"]`) {
		t.Fatalf("an empty search shows no way to emergency access:\n%s", mig.textOf(t, "main"))
	}
	mig.check(t, "faelle-notfall-hinweis")
	if got := mig.submit(t, "follow the hint", chromedp.Click(chromedp.CSS(`#notfall-hinweis a`))); got != http.StatusOK || pagePath(mig) != "/notfallzugriff" {
		t.Fatalf("the hint led to %s (%d)", mig.path(), got)
	}
	mig.check(t, "notfallzugriff")
	if got := mig.submit(t, "ask without a reason", chromedp.Click(submitButton)); got != http.StatusUnprocessableEntity {
		t.Fatalf("emergency access without a reason: %d, want 422", got)
	}
	if !mig.present(t, `#notfall-reason[aria-invalid="true"]`) || !strings.Contains(mig.text(t), "Geben Sie einen Grund an.") {
		t.Error("the refused form does not say at the reason what is missing")
	}
	mig.check(t, "notfallzugriff-fehler")
	mig.do(t, "give the reason", chromedp.SetValue(chromedp.CSS(`#notfall-reason`), reason))
	if got := mig.submit(t, "open the case", chromedp.Click(submitButton)); got != http.StatusOK || pagePath(mig) != caseURL {
		t.Fatalf("opening the case: %d at %s", got, mig.path())
	}
	banner := mig.textOf(t, "#notfallzugriff")
	if !strings.Contains(banner, "Notfallzugriff bis ") || !strings.Contains(banner, "Grund: "+reason) {
		t.Errorf("the case page's banner reads %q", banner)
	}
	if !strings.Contains(mig.text(t), "Karimi") {
		t.Error("the case page shows no household through the emergency access")
	}
	if mig.present(t, `form[action="`+caseURL+`/status"]`) || mig.present(t, `form[action="`+caseURL+`/wiedervorlage"]`) {
		t.Error("the case page offers changes through an emergency access")
	}
	mig.check(t, "fall-notfallzugriff")
}
