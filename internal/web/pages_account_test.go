package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestAccountPage: a member corrects their own business contact data on /konto; refused
// input comes back with the messages and the values typed and changes nothing; a success
// redirects with a status message; the new data is then the contact person's on a referral.
// An account id sent with the form is ignored: nobody changes another member's data.
func TestAccountPage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	out := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	b := &signedInClient{t: t, w: w, as: w.HousingWorker}
	row := func(u *world.User) (phone, email string) {
		t.Helper()
		if err := w.DB.SQL.QueryRow(`SELECT business_phone, business_email FROM users WHERE id = $1`, u.ID).Scan(&phone, &email); err != nil {
			t.Fatal(err)
		}
		return
	}

	expectPage(t, "start page", b.get("/"), http.StatusOK, []string{`href="/konto"`, "Meine Kontaktdaten ändern"})
	expectPage(t, "account page", b.get("/konto"), http.StatusOK, []string{
		"<h1", "Meine Kontaktdaten", `action="/konto"`, "novalidate", `name="_csrf"`, `name="version" value="1"`,
		`name="business_phone"`, `name="business_email"`, "Kolleginnen und Kollegen Ihrer Organisation und die Gegenseite einer Vermittlung",
	})

	// Refused: both messages, in the summary and at the fields, the values kept, nothing stored.
	r := b.post("/konto", formOf("version", "1", "business_phone", "0541 ruf an", "business_email", "kein-postfach"))
	expectPage(t, "refused form", r, http.StatusUnprocessableEntity, []string{
		"Fehler: Meine Kontaktdaten", `id="account-errors"`, `href="#account-phone"`, `href="#account-email"`,
		`id="account-phone-error"`, `id="account-email-error"`, `aria-invalid="true"`,
		"Bitte geben Sie eine Telefonnummer aus Ziffern", "Bitte geben Sie eine gültige E-Mail-Adresse an",
		`value="0541 ruf an"`, `value="kein-postfach"`,
	})
	if p, e := row(w.HousingWorker); p != "" || e != "" {
		t.Fatalf("refused input stored: %q %q", p, e)
	}

	// Saved, with someone else's account id in the form: only the own row changes.
	r = b.post("/konto", formOf("version", "1", "business_phone", "+49 541 000-3151", "business_email", "w.wohnen@osnabrueck.example",
		"user_id", w.HousingWorker2.ID.String(), "id", w.HousingWorker2.ID.String()))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/konto" {
		t.Fatalf("save: %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if p, e := row(w.HousingWorker); p != "+49 541 000-3151" || e != "w.wohnen@osnabrueck.example" {
		t.Errorf("stored %q %q", p, e)
	}
	if p, e := row(w.HousingWorker2); p != "" || e != "" {
		t.Errorf("a colleague's data changed through a form field: %q %q", p, e)
	}
	expectPage(t, "after saving", b.get("/konto"), http.StatusOK, []string{
		`role="status"`, "Ihre Kontaktdaten sind gespeichert.", `value="+49 541 000-3151"`, `value="w.wohnen@osnabrueck.example"`, `name="version" value="2"`,
	})

	// A stale version: the current state with a message, nothing changed.
	r = b.post("/konto", formOf("version", "1", "business_phone", "0541 1", "business_email", ""))
	expectPage(t, "stale form", r, http.StatusConflict, []string{"inzwischen an anderer Stelle geändert", `value="+49 541 000-3151"`, `name="version" value="2"`})
	if p, _ := row(w.HousingWorker); p != "+49 541 000-3151" {
		t.Errorf("a stale form stored %q", p)
	}

	// The other side of the referral sees the new contact person data.
	body := partnerGet(t, w, w.JobcenterWorker, "/vermittlungen/"+out.Referral.ID.String(), http.StatusOK)
	box := sectionOf(t, body, "ansprechpersonen")
	for _, want := range []string{"+49 541 000-3151", `href="mailto:w.wohnen@osnabrueck.example"`} {
		if !strings.Contains(box, want) {
			t.Errorf("the contact box lacks %q: %.1500s", want, box)
		}
	}

	// English.
	expectPage(t, "account page in English", b.do(http.MethodGet, "/konto", "", map[string]string{"Accept-Language": "en"}), http.StatusOK, []string{"My contact details"})
}
