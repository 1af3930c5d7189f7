package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestOfficerPages: the data protection officer's start page lists every tool of the officer
// and is their start (the card on / and the navigation); the generated documents render
// inside the frame with their tables; other roles reach none of it (the permission concept
// stays the system administrators' too).
func TestOfficerPages(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	dpo := &signedInClient{t: t, w: w, as: w.DPO}

	hrefs := []string{`href="/protokoll"`, `href="/protokoll/kette"`, `href="/auskunft"`, `href="/loeschfristen"`, `href="/notfallzugriffe"`,
		`href="/datenschutz/berechtigungen"`, `href="/datenschutz/verarbeitungsverzeichnis"`, `href="/datenschutz/loeschkonzept"`}
	expectPage(t, "start page", dpo.get("/datenschutz"), http.StatusOK, append([]string{
		"<h1", "Datenschutz", "Protokollkette prüfen", "Verzeichnis von Verarbeitungstätigkeiten", "Löschkonzept", "Berechtigungskonzept",
		`aria-current="page"`,
	}, hrefs...))
	expectPage(t, "home", dpo.get("/"), http.StatusOK, []string{`href="/datenschutz"`, "Alle Werkzeuge der Datenschutzbeauftragten"})
	expectPage(t, "the log leads to the check", dpo.get("/protokoll"), http.StatusOK, []string{`href="/protokoll/kette"`, "Prüfen, ob das Protokoll unverändert ist"})

	for _, d := range []struct{ path, heading string }{
		{"/datenschutz/berechtigungen", "Berechtigungskonzept / Permission concept"},
		{"/datenschutz/verarbeitungsverzeichnis", "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO): Lotse"},
		{"/datenschutz/loeschkonzept", "Löschkonzept: Lotse"},
	} {
		body := expectPage(t, d.path, dpo.get(d.path), http.StatusOK, []string{
			`class="kern-heading-large">` + d.heading + "</h1>", `<table class="kern-table kern-table--small">`,
			`class="kern-table-responsive" role="region" tabindex="0" aria-label="Tabelle: `, `href="/datenschutz"`,
		}, "<!--", "raw HTML omitted")
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1", d.path, n)
		}
	}

	for _, u := range []*world.User{w.HousingWorker, w.HousingLead, w.Coordinator, w.Sysadmin} {
		c := &signedInClient{t: t, w: w, as: u}
		for _, p := range []string{"/datenschutz", "/datenschutz/verarbeitungsverzeichnis", "/datenschutz/loeschkonzept", "/protokoll/kette"} {
			if r := c.get(p); r.Status != http.StatusForbidden {
				t.Errorf("%s: GET %s %d, want 403", u.Name, p, r.Status)
			}
		}
		if r := c.post("/protokoll/kette", formOf()); r.Status != http.StatusForbidden {
			t.Errorf("%s: POST /protokoll/kette %d, want 403", u.Name, r.Status)
		}
		if r := c.get("/"); strings.Contains(string(r.Body), `href="/datenschutz"`) {
			t.Errorf("%s is offered the officer's start page", u.Name)
		}
	}
	sa := &signedInClient{t: t, w: w, as: w.Sysadmin}
	expectPage(t, "the sysadmin's permission concept", sa.get("/datenschutz/berechtigungen"), http.StatusOK, []string{"Berechtigungskonzept / Permission concept"})
}

// TestChainCheckPage: the officer checks the audit chain in the browser with the
// installation's key: intact, "valid up to" its last position, recorded as audit.verify; a
// key that is no key is refused at its field and nothing is checked or recorded; another
// installation's key is a clear message; a row a superuser changed is named.
func TestChainCheckPage(t *testing.T) {
	t.Parallel()
	priv, _, id, err := auditchain.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub, otherID, err := auditchain.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	w := world.New(t, world.WithConfig(func(c *config.Config) { c.AuditSigningKey = string(priv) }))
	ctx := context.Background()
	dpo := &signedInClient{t: t, w: w, as: w.DPO}
	key, err := auditchain.ParsePrivateKey(string(priv))
	if err != nil {
		t.Fatal(err)
	}
	seal := func() {
		t.Helper()
		if _, err := service.NewAuditChain(w.Store, key, time.Hour, nil).Seal(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	verifies := func() int {
		return countRows(t, w, `SELECT count(*) FROM audit_events WHERE action = 'audit.verify'`)
	}

	expectPage(t, "form", dpo.get("/protokoll/kette"), http.StatusOK, []string{
		"<h1", "Protokollkette prüfen", "Schlüssel " + id, `action="/protokoll/kette"`, `name="public_key"`, `name="_csrf"`, "novalidate",
	})
	dpo.get("/protokoll") // one more event to seal
	seal()
	sealed := countRows(t, w, `SELECT count(*) FROM audit_chain`)
	if sealed == 0 {
		t.Fatal("nothing sealed")
	}
	expectPage(t, "intact", dpo.post("/protokoll/kette", formOf()), http.StatusOK, []string{
		"Die Protokollkette ist unverändert.", fmt.Sprintf("gültig bis Position %d", sealed),
		fmt.Sprintf("Letzter signierter Prüfpunkt: Position %d", sealed),
		"mit dem Schlüssel dieser Installation geprüft (Schlüssel " + id + ")",
	}, "nicht intakt")
	if n := countRows(t, w, `SELECT count(*) FROM audit_events WHERE action = 'audit.verify' AND details->>'result' = 'intact' AND details->>'key' = 'configured'`); n != 1 {
		t.Fatalf("%d audit.verify events of the intact check, want 1", n)
	}

	before := verifies()
	expectPage(t, "no key", dpo.post("/protokoll/kette", formOf("public_key", "kein Schlüssel")), http.StatusUnprocessableEntity, []string{
		"Fehler:", `href="#chain-key"`, "Das ist kein öffentlicher Ed25519-Schlüssel", "kein Schlüssel</textarea>", `aria-invalid="true"`,
	}, "Die Protokollkette ist unverändert.")
	if verifies() != before {
		t.Fatal("a refused key was checked and recorded")
	}

	expectPage(t, "wrong key", dpo.post("/protokoll/kette", formOf("public_key", string(otherPub))), http.StatusOK, []string{
		"Der Schlüssel passt nicht.", "nicht mit diesem Schlüssel signiert (Schlüssel " + otherID + "; die Prüfpunkte nennen Schlüssel " + id + ")",
		"Es wurde nichts verändert.",
	}, "Die Protokollkette ist unverändert.")
	if n := countRows(t, w, `SELECT count(*) FROM audit_events WHERE action = 'audit.verify' AND details->>'result' = 'audit.chain.wrong_key' AND details->>'key' = 'given'`); n != 1 {
		t.Fatalf("%d audit.verify events of the wrong key, want 1", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM audit_chain`); n != sealed {
		t.Fatalf("checking changed the chain: %d entries, was %d", n, sealed)
	}

	// The checks' own events are sealed too; then a superuser changes the third sealed event.
	seal()
	var third int64
	if err := w.DB.SQL.QueryRow(`SELECT event_id FROM audit_chain WHERE seq = 3`).Scan(&third); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(w.URL)
	if err != nil {
		t.Fatal(err)
	}
	super := testutil.Open(t, testutil.Server(t).URL(strings.TrimPrefix(u.Path, "/")))
	tx, err := super.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, q := range []string{`SET LOCAL session_replication_role = replica`, fmt.Sprintf(`UPDATE audit_events SET actor_name = 'Niemand' WHERE id = %d`, third)} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	expectPage(t, "changed", dpo.post("/protokoll/kette", formOf()), http.StatusOK, []string{
		"Die Protokollkette ist nicht intakt.", fmt.Sprintf("Ereignis %d (Position 3) wurde nach dem Versiegeln verändert.", third),
		"Bis Position 2 ist die Kette gültig (2 Ereignisse).",
	}, "Die Protokollkette ist unverändert.")
}
