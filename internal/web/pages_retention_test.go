package web_test

import (
	"net/http"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestRetentionPage: the data protection officer sees the next run's counts per rule and the
// holds, sets a hold by a case's reference (refused, with the message at the field and nothing
// changed, for an unknown reference or without a reason), and lifts it; the page names the
// case by its reference only. Caseworkers and administrators do not reach the page.
func TestRetentionPage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	ref := cw.Case.Reference
	dpo := &signedInClient{t: t, w: w, as: w.DPO}

	expectPage(t, "start page link", dpo.get("/"), http.StatusOK, []string{`href="/loeschfristen"`, "Löschfristen"})
	expectPage(t, "page", dpo.get("/loeschfristen"), http.StatusOK, []string{
		"<h1", "Löschfristen", "Nächster Löschlauf", "Abgeschlossene Fälle mit allen Angaben", "3 Jahre nach dem Abschluss",
		"Kein Fall hat eine Löschsperre.", `action="/loeschfristen/sperren"`, `name="_csrf"`, "novalidate",
	}, cw.Person.FamilyName)

	holds := func() int { return countRows(t, w, `SELECT count(*) FROM case_holds`) }
	expectPage(t, "unknown reference", dpo.post("/loeschfristen/sperren", formOf("reference", "W-1999-9999", "reason", "Verfahren")),
		http.StatusUnprocessableEntity, []string{"Fehler:", "Kein Fall hat dieses Aktenzeichen.", `href="#hold-reference"`, `value="W-1999-9999"`})
	expectPage(t, "no reason", dpo.post("/loeschfristen/sperren", formOf("reference", ref, "reason", " ")),
		http.StatusUnprocessableEntity, []string{"Fehler:", `href="#hold-reason"`})
	expectPage(t, "bad date", dpo.post("/loeschfristen/sperren", formOf("reference", ref, "reason", "Verfahren", "until", "morgen")),
		http.StatusUnprocessableEntity, []string{"Fehler:", `href="#hold-until"`})
	// (Showing the page again audits the preview; that is a read, not a change.)
	if holds() != 0 || countRows(t, w, `SELECT count(*) FROM audit_events WHERE action = 'retention.hold'`) != 0 {
		t.Fatal("a refused hold changed something")
	}

	r := dpo.post("/loeschfristen/sperren", formOf("reference", ref, "reason", "Widerspruchsverfahren"))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/loeschfristen" || holds() != 1 {
		t.Fatalf("set hold: %d to %q, %d holds", r.Status, r.Header.Get("Location"), holds())
	}
	expectPage(t, "with the hold", dpo.get("/loeschfristen"), http.StatusOK, []string{
		"Die Löschsperre für " + ref + " ist gesetzt.", ref, "Widerspruchsverfahren", "bis zur Aufhebung", "noch nicht fällig",
		`action="/loeschfristen/sperren/` + cw.Case.ID.String() + `/aufheben"`,
	}, cw.Person.FamilyName)
	r = dpo.post("/loeschfristen/sperren/"+cw.Case.ID.String()+"/aufheben", formOf())
	if r.Status != http.StatusSeeOther || holds() != 0 {
		t.Fatalf("release: %d, %d holds", r.Status, holds())
	}
	expectPage(t, "released again: not found", dpo.post("/loeschfristen/sperren/"+cw.Case.ID.String()+"/aufheben", formOf()), http.StatusNotFound, nil)

	for _, u := range []*world.User{w.HousingWorker, w.HousingLead, w.Sysadmin, w.Coordinator} {
		c := &signedInClient{t: t, w: w, as: u}
		if r := c.get("/loeschfristen"); r.Status != http.StatusForbidden {
			t.Errorf("%s: GET /loeschfristen %d, want 403", u.Name, r.Status)
		}
		if r := c.post("/loeschfristen/sperren", formOf("reference", ref, "reason", "x")); r.Status != http.StatusForbidden {
			t.Errorf("%s: POST hold %d, want 403", u.Name, r.Status)
		}
	}
	if holds() != 0 {
		t.Error("a role without the permission set a hold")
	}
}
