package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestEmergencyAccessPages: a caseworker of a municipal department who cannot see a case
// finds the way from an empty search to the page Notfallzugriff, is refused without a
// reason (a message at the field, nothing changed), opens the case with one and sees the
// banner "Notfallzugriff bis HH:MM – Grund: …" on the case page, with no form to change it.
// A partner's caseworker learns that it is not for them. The lead organisation's caseworker
// is told; the officer's review shows the reason and what was read, without case content.
func TestEmergencyAccessPages(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	ref, caseURL := cw.Case.Reference, "/faelle/"+cw.Case.ID.String()
	const reason = "Anruf der Polizei: Kind allein in der Wohnung, Kontaktdaten nötig"
	mig := &signedInClient{t: t, w: w, as: w.MigrationWorker}

	expectPage(t, "the case before", mig.get(caseURL), http.StatusNotFound, nil, cw.Person.FamilyName)
	expectPage(t, "an empty search", mig.get("/faelle?q="+ref), http.StatusOK,
		[]string{"Nicht in Ihren Fällen?", `href="/notfallzugriff?aktenzeichen=` + ref + `"`})
	expectPage(t, "the form", mig.get("/notfallzugriff?aktenzeichen="+ref), http.StatusOK, []string{
		"<h1", "Notfallzugriff", "4 Stunden", `action="/notfallzugriff"`, `name="_csrf"`, `value="` + ref + `"`, `name="reason"`,
	})

	accesses := func() int { return countRows(t, w, `SELECT count(*) FROM emergency_accesses`) }
	expectPage(t, "no reason", mig.post("/notfallzugriff", formOf("reference", ref, "reason", " ")),
		http.StatusUnprocessableEntity, []string{"Fehler:", "Geben Sie einen Grund an.", `href="#notfall-reason"`})
	expectPage(t, "reason too short", mig.post("/notfallzugriff", formOf("reference", ref, "reason", "dringend")),
		http.StatusUnprocessableEntity, []string{"Der Grund ist zu kurz", "mindestens 20 Zeichen", `href="#notfall-reason"`, ">dringend</textarea>"})
	expectPage(t, "unknown reference", mig.post("/notfallzugriff", formOf("reference", "F-1999-99999", "reason", reason)),
		http.StatusUnprocessableEntity, []string{"Kein Fall hat dieses Aktenzeichen.", `href="#notfall-reference"`})
	partner := &signedInClient{t: t, w: w, as: w.CaritasWorker}
	expectPage(t, "a partner's form", partner.get("/notfallzugriff"), http.StatusOK, []string{"Notfallzugriff nicht möglich"}, `name="reason"`)
	expectPage(t, "a partner's request", partner.post("/notfallzugriff", formOf("reference", ref, "reason", reason)),
		http.StatusForbidden, []string{"Notfallzugriff nicht möglich", "städtischen Fachbereichs"})
	if accesses() != 0 || countRows(t, w, `SELECT count(*) FROM notifications WHERE kind = 'emergency_access'`) != 0 ||
		countRows(t, w, `SELECT count(*) FROM audit_events WHERE action = 'emergency_access.grant'`) != 0 {
		t.Fatal("a refused emergency access changed something")
	}

	r := mig.post("/notfallzugriff", formOf("reference", ref, "reason", reason))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != caseURL || accesses() != 1 {
		t.Fatalf("grant: %d to %q, %d accesses", r.Status, r.Header.Get("Location"), accesses())
	}
	var until time.Time
	if err := w.DB.SQL.QueryRow(`SELECT expires_at FROM emergency_accesses`).Scan(&until); err != nil {
		t.Fatal(err)
	}
	banner := "Notfallzugriff bis " + until.In(model.Berlin).Format("15:04") + " – Grund: " + reason
	page := expectPage(t, "the case page", mig.get(caseURL), http.StatusOK, []string{
		"kern-alert--warning", cw.Person.FamilyName, ref,
	}, `action="`+caseURL+`/status"`, `action="`+caseURL+`/vermerke"`, `action="`+caseURL+`/wiedervorlage"`)
	if !strings.Contains(html.UnescapeString(page), banner) {
		t.Errorf("the case page lacks the banner %q", banner)
	}

	lead := &signedInClient{t: t, w: w, as: w.HousingWorker}
	expectPage(t, "the lead organisation's notifications", lead.get("/benachrichtigungen"), http.StatusOK,
		[]string{"Notfallzugriff auf einen Fall Ihrer Stelle", ref})
	expectPage(t, "the lead organisation's case page", lead.get(caseURL), http.StatusOK, nil, "Notfallzugriff bis")

	dpo := &signedInClient{t: t, w: w, as: w.DPO}
	expectPage(t, "the officer's navigation", dpo.get("/"), http.StatusOK, []string{`href="/notfallzugriffe"`})
	review := expectPage(t, "the review", dpo.get("/notfallzugriffe"), http.StatusOK, []string{
		"<h1", "Notfallzugriffe", ref, "Mira Migration", "läuft noch", "Notfallzugriff geöffnet", "Fall angesehen",
	}, cw.Person.FamilyName)
	if !strings.Contains(html.UnescapeString(review), reason) {
		t.Error("the review lacks the reason")
	}
	for _, u := range []*world.User{w.HousingWorker, w.MigrationWorker, w.Sysadmin} {
		c := &signedInClient{t: t, w: w, as: u}
		if r := c.get("/notfallzugriffe"); r.Status != http.StatusForbidden {
			t.Errorf("%s: GET /notfallzugriffe %d, want 403", u.Name, r.Status)
		}
	}
}
