package web_test

import (
	"context"
	encsv "encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The tests of the organisation switch, the statistics, the administration and the audit
// log pages, through the whole stack on a fresh database (world).

// signedInClient is a browser of one user: it keeps the session cookie that the server sets
// (organisation switch, status messages) and sends the anti-forgery token with every post
// once it has a session.
type signedInClient struct {
	t      *testing.T
	w      *world.World
	as     *world.User
	cookie string
}

var sessionCookie = regexp.MustCompile(`(?:^|\s)(lotse_session=[^;]*)`)

func (c *signedInClient) do(method, path string, body string, hdr map[string]string) *world.Response {
	c.t.Helper()
	h := map[string]string{}
	if body != "" {
		h["Content-Type"] = "application/x-www-form-urlencoded"
	}
	if c.cookie != "" {
		h["Cookie"] = c.cookie
	}
	for k, v := range hdr {
		h[k] = v
	}
	var b any
	if body != "" {
		b = body
	}
	res := c.w.Do(c.t, world.Request{As: c.as, Method: method, URL: path, Body: b, Headers: h})
	for _, sc := range res.Header.Values("Set-Cookie") {
		if m := sessionCookie.FindStringSubmatch(sc); m != nil {
			c.cookie = m[1]
			if strings.HasSuffix(m[1], "=") {
				c.cookie = ""
			}
		}
	}
	return res
}

func (c *signedInClient) get(path string) *world.Response {
	c.t.Helper()
	return c.do(http.MethodGet, path, "", nil)
}

var csrfOf = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// post sends a form as a browser would, with the token of the session when there is one.
func (c *signedInClient) post(path string, v url.Values, hdr ...string) *world.Response {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if c.cookie != "" && v.Get("_csrf") == "" {
		m := csrfOf.FindStringSubmatch(string(c.get("/").Body))
		if m == nil {
			c.t.Fatal("no anti-forgery token on the start page")
		}
		v.Set("_csrf", html.UnescapeString(m[1]))
	}
	h := map[string]string{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h[hdr[i]] = hdr[i+1]
	}
	return c.do(http.MethodPost, path, v.Encode(), h)
}

// expectPage fails unless the response has the status and contains (or lacks) the texts.
func expectPage(t *testing.T, what string, r *world.Response, status int, contains []string, lacks ...string) string {
	t.Helper()
	body := string(r.Body)
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, body)
	}
	for _, s := range contains {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	for _, s := range lacks {
		if strings.Contains(body, s) {
			t.Errorf("%s has %q", what, s)
		}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		checkHTML(t, what, body)
	}
	return body
}

var (
	inlineParts = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=|<style\b|<[^>]*\son[a-z]+\s*=|javascript:`)
	rawKey      = regexp.MustCompile(`\b(?:admin|stats|auditlog|nav)\.[a-z_]+(?:\.[a-z_]+)*\b`)
	scriptIn    = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
)

// checkHTML: nothing the strict CSP would block, and no message key instead of its text.
func checkHTML(t *testing.T, what, body string) {
	t.Helper()
	if m := inlineParts.FindString(body); m != "" {
		t.Errorf("%s needs unsafe-inline: %.100s", what, m)
	}
	for _, m := range scriptIn.FindAllStringSubmatch(body, -1) {
		if strings.TrimSpace(m[2]) != "" {
			t.Errorf("%s: inline script", what)
		}
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
	if m := rawKey.FindString(text); m != "" {
		t.Errorf("%s shows the message key %q instead of its text", what, m)
	}
}

func formOf(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// orgPage is the administration page of an organisation.
func orgPage(o *model.Organisation) string { return "/verwaltung/organisationen/" + o.ID.String() }

// TestOrganisationSwitch: a user with roles in two organisations switches between them in
// the frame; the frame and the data follow; a foreign organisation is refused.
func TestOrganisationSwitch(t *testing.T) {
	t.Parallel()
	var twoOrgs *world.User
	w := world.New(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		sub := "two-orgs"
		u := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: "zwei@stadt.test", DisplayName: "Zora Zwei", Active: true}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		twoOrgs = &world.User{ID: u.ID, Name: u.DisplayName}
		for _, org := range []*model.Organisation{w.Caritas, w.Housing} {
			g := &model.Grant{UserID: u.ID, OrgID: org.ID, Role: model.RoleCaseworker}
			if err := tx.Grants().Create(ctx, g); err != nil {
				return err
			}
			twoOrgs.Grants = append(twoOrgs.Grants, *g)
		}
		return nil
	}))
	housingCase := w.Case(t, w.HousingWorker)
	caseAPI := "/api/v1/cases/" + housingCase.ID.String()
	b := &signedInClient{t: t, w: w, as: twoOrgs}

	acting := regexp.MustCompile(`(?s)<p class="kern-body kern-body--small lotse-user__org">.*?</p>`)
	actingIn := func(body string) string { return acting.FindString(body) }

	home := expectPage(t, "start page", b.get("/"), 200, []string{`action="/organisation"`, `name="org"`})
	if !strings.Contains(actingIn(home), "Caritasverband Osnabrück") {
		t.Fatalf("acts first in %q", actingIn(home))
	}
	if r := b.get(caseAPI); r.Status != http.StatusNotFound {
		t.Fatalf("the Housing case is visible from Caritas: %d", r.Status)
	}

	r := b.post("/organisation", formOf("org", w.Housing.ID.String()), "Referer", "http://example.com/faelle?q=a%20b")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/faelle?q=a%20b" {
		t.Fatalf("switch: %d to %q", r.Status, r.Header.Get("Location"))
	}
	home = expectPage(t, "start page after the switch", b.get("/"), 200, []string{`role="status"`, "Sie arbeiten jetzt für Fachbereich Wohnen."})
	if !strings.Contains(actingIn(home), "Fachbereich Wohnen") {
		t.Errorf("acts in %q after the switch", actingIn(home))
	}
	expectPage(t, "the status message once only", b.get("/"), 200, nil, "Sie arbeiten jetzt für")
	if r := b.get(caseAPI); r.Status != http.StatusOK {
		t.Errorf("the Housing case after switching to Housing: %d", r.Status)
	}

	// A foreign organisation: refused, and the choice stays.
	r = b.post("/organisation", formOf("org", w.Jobcenter.ID.String()))
	expectPage(t, "switch to a foreign organisation", r, http.StatusForbidden, []string{"Keine Berechtigung"})
	if !strings.Contains(actingIn(string(b.get("/").Body)), "Fachbereich Wohnen") {
		t.Error("the refused switch changed the organisation")
	}
	expectPage(t, "switch to no organisation", b.post("/organisation", formOf("org", "x")), http.StatusBadRequest, nil)
	// The way back may not lead off the site.
	r = b.post("/organisation", formOf("org", w.Caritas.ID.String()), "Referer", "https://evil.example/x")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Errorf("switch from a foreign page: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if r := b.get(caseAPI); r.Status != http.StatusNotFound {
		t.Errorf("the Housing case from Caritas again: %d", r.Status)
	}
	// Without the token (with a session) the switch is refused.
	r = b.do(http.MethodPost, "/organisation", formOf("org", w.Housing.ID.String()).Encode(), nil)
	if r.Status != http.StatusForbidden {
		t.Errorf("switch without the anti-forgery token: %d", r.Status)
	}
	// The header of API clients still wins over the session.
	r = w.Do(t, world.Request{As: twoOrgs, Org: w.Housing, Method: http.MethodGet, URL: caseAPI, Headers: map[string]string{"Cookie": b.cookie}})
	if r.Status != http.StatusOK {
		t.Errorf("X-Lotse-Org does not choose the organisation: %d", r.Status)
	}
}

// TestStatisticsPage: the coordinator sees city-wide figures, small ones as "<5", no names
// or references, and the CSV; nobody else; and no case page.
func TestStatisticsPage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	coord := &signedInClient{t: t, w: w, as: w.Coordinator}
	secret := []string{cw.Person.FamilyName, cw.Person.GivenNames, cw.Case.Reference, cw.Case.ID.String(), cw.Referral.Reference}

	body := expectPage(t, "statistics", coord.get("/statistik"), 200, []string{
		"<h1", "Statistik", `href="/statistik" aria-current="page"`, "Laufende Fälle nach Handlungsfeld und Stand",
		`<th class="kern-table__header" scope="row">Wohnen</th>`, "&lt;5", "Neu eröffnete Fälle", `role="img"`,
		"Jobcenter", "Angenommen", `scope="col"`, "<caption",
	}, secret...)
	if strings.Contains(body, ">1<") {
		t.Error("a count of 1 is shown")
	}

	r := coord.get("/statistik.csv")
	csv := expectPage(t, "statistics CSV", r, 200, []string{"\ufeff", "Statistik;", "\r\n", ";<5", "Wohnen;"}, secret...)
	if !strings.HasPrefix(csv, "\ufeff") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers %v", r.Header)
	}
	cells := map[string]bool{}
	for _, rec := range parseCSV(t, csv) {
		for _, c := range rec {
			cells[c] = true
		}
	}
	for _, want := range []string{"Statistik", "<5", "Wohnen"} {
		if !cells[want] {
			t.Errorf("the statistics CSV has no cell %q:\n%s", want, csv)
		}
	}

	// The coordinator reaches no case, by any path.
	for _, path := range []string{"/api/v1/cases/" + cw.Case.ID.String(), "/faelle/" + cw.Case.ID.String()} {
		if r := coord.get(path); r.Status != http.StatusNotFound {
			t.Errorf("coordinator GET %s: %d", path, r.Status)
		}
	}
	// Others get no statistics and no entry in the navigation.
	for _, u := range []*world.User{w.HousingWorker, w.HousingLead, w.Sysadmin, w.DPO, w.JobcenterWorker} {
		c := &signedInClient{t: t, w: w, as: u}
		if r := c.get("/statistik"); r.Status != http.StatusForbidden {
			t.Errorf("%s GET /statistik: %d", u.Name, r.Status)
		}
		if r := c.get("/statistik.csv"); r.Status != http.StatusForbidden {
			t.Errorf("%s GET /statistik.csv: %d", u.Name, r.Status)
		}
		if strings.Contains(string(c.get("/").Body), `href="/statistik"`) {
			t.Errorf("%s sees the statistics in the navigation", u.Name)
		}
	}
	// English.
	expectPage(t, "statistics in English", w.Do(t, world.Request{As: w.Coordinator, Method: http.MethodGet, URL: "/statistik", Headers: map[string]string{"Accept-Language": "en"}}),
		200, []string{`<html lang="en">`, "Running cases by area and state", "Housing"})
}

// TestAdministrationOrgAdmin: the Caritas administrator manages Caritas only, is offered
// only the roles they may grant, cannot forge another, and deactivates only after the
// confirmation.
func TestAdministrationOrgAdmin(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	admin := &signedInClient{t: t, w: w, as: w.CaritasAdmin}
	caritas := orgPage(w.Caritas)

	expectPage(t, "overview", admin.get("/verwaltung"), 200,
		[]string{`href="/verwaltung" aria-current="page"`, "Caritasverband Osnabrück", `href="` + caritas + `"`},
		"Diakonisches Werk Osnabrück", "Fachbereich Wohnen", "Neue Organisation anlegen")

	page := expectPage(t, "Caritas page", admin.get(caritas), 200, []string{
		"Chris Caritas", "Carla Admin-Caritas", "Neues Mitglied anlegen", "Angaben der Organisation ändern",
		`<option value="caseworker"`, `<option value="lead"`, `<option value="org_admin"`,
	}, `value="sysadmin"`, `value="dpo"`, `value="coordinator"`, "Jonas Jobcenter")
	if !strings.Contains(page, `/verwaltung/mitglieder/`+w.CaritasWorker.ID.String()+`/deaktivieren`) {
		t.Error("no way to deactivate the caseworker")
	}
	if strings.Contains(page, `/verwaltung/mitglieder/`+w.CaritasAdmin.ID.String()+`/deaktivieren`) {
		t.Error("the administrator is offered to deactivate themselves")
	}

	// Other organisations' pages and members: not found.
	for _, path := range []string{orgPage(w.Diakonie), orgPage(w.Housing), "/verwaltung/organisationen/kein-id",
		"/verwaltung/mitglieder/" + w.DiakonieWorker.ID.String() + "/deaktivieren",
		"/verwaltung/rollen/" + w.DiakonieWorker.Grant(t, w.Diakonie).ID.String() + "/entfernen"} {
		if r := admin.get(path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, r.Status)
		}
	}
	// Forged posts: nothing changes.
	before := w.Fingerprint(t)
	r := admin.post(caritas+"/rollen", formOf("user_id", w.CaritasWorker.ID.String(), "role", "sysadmin"))
	expectPage(t, "forged sysadmin grant", r, http.StatusUnprocessableEntity, []string{
		"Diese Rolle dürfen Sie in dieser Organisation nicht vergeben.", `id="grant-role-` + w.CaritasWorker.ID.String() + `-error"`,
	})
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{orgPage(w.Diakonie) + "/mitglieder", formOf("display_name", "Fremd", "email", "fremd@stadt.test", "role", "caseworker")},
		{orgPage(w.Diakonie) + "/rollen", formOf("user_id", w.DiakonieWorker.ID.String(), "role", "lead")},
		{orgPage(w.Diakonie), formOf("name", "Übernommen", "short_name", "DIAKONIE", "kind", "welfare", "version", "1")},
		{"/verwaltung/rollen/" + w.DiakonieWorker.Grant(t, w.Diakonie).ID.String() + "/entfernen", formOf("confirm", "yes")},
		{"/verwaltung/mitglieder/" + w.DiakonieWorker.ID.String() + "/deaktivieren", formOf("confirm", "yes", "version", "1")},
	} {
		if r := admin.post(f.path, f.form); r.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d: %s", f.path, r.Status, r.Body)
		}
	}
	if r := admin.post("/verwaltung/organisationen", formOf("name", "Neu", "short_name", "NEU", "kind", "welfare")); r.Status != http.StatusForbidden {
		t.Errorf("an organisation administrator creates an organisation: %d", r.Status)
	}
	if after := w.Fingerprint(t); after != before {
		t.Errorf("refused posts changed data:\n%s\n%s", before, after)
	}

	// An account of another organisation cannot be found from here.
	before = w.Fingerprint(t)
	expectPage(t, "add a Diakonie account to Caritas", admin.post(caritas+"/konten", formOf("email", "world-13@stadt.test", "role", "caseworker")),
		http.StatusUnprocessableEntity, []string{"Wir finden kein Konto mit dieser E-Mail-Adresse", `id="member-add-email-error"`, `value="world-13@stadt.test"`})
	expectPage(t, "add an unknown account", admin.post(caritas+"/konten", formOf("email", "niemand@stadt.test", "role", "caseworker")),
		http.StatusUnprocessableEntity, []string{"Wir finden kein Konto mit dieser E-Mail-Adresse"})
	if after := w.Fingerprint(t); after != before {
		t.Error("refused account additions changed data")
	}

	// Granting a role the administrator may grant.
	r = admin.post(caritas+"/rollen", formOf("user_id", w.CaritasWorker.ID.String(), "role", "lead"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("grant lead: %d %s", r.Status, r.Body)
	}
	expectPage(t, "after granting", admin.get(caritas), 200, []string{"Die Rolle ist vergeben.", "Fachdienstleitung"})
	var leadGrant uuid.UUID
	if err := w.DB.SQL.QueryRow(`SELECT id FROM role_grants WHERE user_id = $1 AND role = 'lead'`, w.CaritasWorker.ID).Scan(&leadGrant); err != nil {
		t.Fatal(err)
	}
	// ... and taking it away, after the confirmation.
	expectPage(t, "confirm removing the role", admin.get("/verwaltung/rollen/"+leadGrant.String()+"/entfernen"), 200,
		[]string{"Rolle entfernen?", "Chris Caritas verliert sofort die Rolle „Fachdienstleitung“ in Caritasverband Osnabrück", `name="confirm" value="yes"`})
	if r := admin.post("/verwaltung/rollen/"+leadGrant.String()+"/entfernen", nil); r.Status != http.StatusSeeOther ||
		!strings.HasSuffix(r.Header.Get("Location"), "/entfernen") {
		t.Errorf("removing without the confirmation: %d to %s", r.Status, r.Header.Get("Location"))
	}
	if n := dbCount(t, w, `SELECT count(*) FROM role_grants WHERE id = $1`, leadGrant); n != 1 {
		t.Fatal("the role went without the confirmation")
	}
	r = admin.post("/verwaltung/rollen/"+leadGrant.String()+"/entfernen", formOf("confirm", "yes", "org", w.Caritas.ID.String()))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != caritas {
		t.Fatalf("remove the role: %d to %s", r.Status, r.Header.Get("Location"))
	}
	if n := dbCount(t, w, `SELECT count(*) FROM role_grants WHERE id = $1`, leadGrant); n != 0 {
		t.Error("the role is still there")
	}

	// Deactivation needs the confirmation.
	deact := "/verwaltung/mitglieder/" + w.CaritasWorker.ID.String() + "/deaktivieren"
	r = admin.post(deact, formOf("version", "1", "org", w.Caritas.ID.String()))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), deact) {
		t.Fatalf("deactivation without the confirmation: %d to %s", r.Status, r.Header.Get("Location"))
	}
	if dbCount(t, w, `SELECT count(*) FROM users WHERE id = $1 AND active`, w.CaritasWorker.ID) != 1 {
		t.Fatal("deactivated without the confirmation")
	}
	confirm := expectPage(t, "confirm the deactivation", admin.get(deact+"?org="+w.Caritas.ID.String()), 200,
		[]string{"Konto deaktivieren?", "Chris Caritas kann sich sofort nicht mehr", `name="confirm" value="yes"`, `href="` + caritas + `"`})
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(confirm)
	if version == nil {
		t.Fatal("no version on the confirmation")
	}
	r = admin.post(deact, formOf("confirm", "yes", "version", version[1], "org", w.Caritas.ID.String()))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != caritas {
		t.Fatalf("deactivate: %d to %s: %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	expectPage(t, "after the deactivation", admin.get(caritas), 200, []string{"Das Konto von Chris Caritas ist deaktiviert.", "Konto wieder aktivieren"})
	if r := w.Do(t, world.Request{As: w.CaritasWorker, Method: http.MethodGet, URL: "/api/v1/me"}); r.Status != http.StatusUnauthorized {
		t.Errorf("the deactivated account still works: %d", r.Status)
	}
	var v int
	if err := w.DB.SQL.QueryRow(`SELECT version FROM users WHERE id = $1`, w.CaritasWorker.ID).Scan(&v); err != nil {
		t.Fatal(err)
	}
	r = admin.post("/verwaltung/mitglieder/"+w.CaritasWorker.ID.String()+"/aktivieren", formOf("version", fmt.Sprint(v), "org", w.Caritas.ID.String()))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("reactivate: %d %s", r.Status, r.Body)
	}
	if dbCount(t, w, `SELECT count(*) FROM users WHERE id = $1 AND active`, w.CaritasWorker.ID) != 1 {
		t.Error("not active again")
	}

	// A new member: messages next to the fields, values kept; then created.
	before = w.Fingerprint(t)
	r = admin.post(caritas+"/mitglieder", formOf("display_name", "Neue Person", "email", "keine-adresse", "role", "caseworker"))
	body := expectPage(t, "new member with a bad e-mail", r, http.StatusUnprocessableEntity, []string{
		`id="member-new-email-error"`, "Bitte geben Sie eine gültige E-Mail-Adresse an", `value="Neue Person"`, `value="keine-adresse"`,
		`aria-describedby="member-new-email-hint member-new-email-error"`, `href="#member-new-email"`, `aria-invalid="true"`,
	})
	if !strings.Contains(body, `<option value="caseworker" selected>`) {
		t.Error("the chosen role is not kept")
	}
	if after := w.Fingerprint(t); after != before {
		t.Error("the refused member changed data")
	}
	r = admin.post(caritas+"/mitglieder", formOf("display_name", "Neue Person", "email", "neu@caritas.test", "role", "caseworker"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("new member: %d %s", r.Status, r.Body)
	}
	expectPage(t, "after the new member", admin.get(caritas), 200, []string{"Neue Person ist angelegt", "neu@caritas.test", "noch nie angemeldet"})
	r = admin.post(caritas+"/mitglieder", formOf("display_name", "Doppelt", "email", "neu@caritas.test", "role", "caseworker"))
	expectPage(t, "a second account for the e-mail", r, http.StatusUnprocessableEntity, []string{"Für diese E-Mail-Adresse gibt es schon ein Konto."})

	// Roles without administration rights: no administration.
	for _, u := range []*world.User{w.CaritasWorker, w.Coordinator, w.JobcenterWorker} {
		if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: "/verwaltung"}); r.Status != http.StatusForbidden {
			t.Errorf("%s GET /verwaltung: %d", u.Name, r.Status)
		}
		if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: caritas}); r.Status != http.StatusNotFound {
			t.Errorf("%s GET %s: %d", u.Name, caritas, r.Status)
		}
	}
}

// parseCSV reads a CSV download as German Excel does: a byte order mark, then records with
// ';' between fields and CRLF at line ends.
func parseCSV(t *testing.T, csv string) [][]string {
	t.Helper()
	body, ok := strings.CutPrefix(csv, "\ufeff")
	if !ok {
		t.Errorf("CSV without byte order mark: %q", csv[:min(len(csv), 20)])
	}
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Errorf("CSV line without CRLF:\n%s", body)
	}
	cr := encsv.NewReader(strings.NewReader(body))
	cr.Comma, cr.FieldsPerRecord = ';', -1
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, csv)
	}
	return records
}

func dbCount(t *testing.T, w *world.World, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestAdministrationSysadmin: the system administrator creates an organisation (messages next
// to the fields, values kept), edits it with its version, and reads no case.
func TestAdministrationSysadmin(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	admin := &signedInClient{t: t, w: w, as: w.Sysadmin}

	expectPage(t, "overview", admin.get("/verwaltung"), 200, []string{
		"Neue Organisation anlegen", "Diakonisches Werk Osnabrück", "Wohnen, Team Nord", `<option value="` + w.City.ID.String() + `"`,
	}, cw.Person.FamilyName, cw.Case.Reference)

	before := w.Fingerprint(t)
	r := admin.post("/verwaltung/organisationen", formOf("name", "", "short_name", "mit leerzeichen", "kind", "", "contact_email", "kaputt", "parent_id", w.City.ID.String()))
	body := expectPage(t, "invalid organisation", r, http.StatusUnprocessableEntity, []string{
		"Bitte prüfen Sie Ihre Angaben", `href="#org-new-name"`, `href="#org-new-short"`, `href="#org-new-kind"`, `href="#org-new-email"`,
		`id="org-new-name-error"`, `id="org-new-short-error"`, `id="org-new-kind-error"`, `id="org-new-email-error"`,
		"Bitte geben Sie einen Namen an", "Bitte wählen Sie die Art der Organisation.", `value="mit leerzeichen"`, `value="kaputt"`,
		`<option value="` + w.City.ID.String() + `" selected>`, `aria-describedby="org-new-short-hint org-new-short-error"`,
	})
	if strings.Index(body, `href="#org-new-name"`) > strings.Index(body, `id="org-new-name"`) {
		t.Error("the error summary is not at the top of the form")
	}
	if after := w.Fingerprint(t); after != before {
		t.Error("the invalid organisation changed data")
	}

	r = admin.post("/verwaltung/organisationen", formOf("name", "Migrantenverein Haste", "short_name", "MV-HASTE", "kind", "civil_society", "contact_email", "info@mv-haste.test"))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/verwaltung/organisationen/") {
		t.Fatalf("create: %d to %s: %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	page := r.Header.Get("Location")
	expectPage(t, "new organisation", admin.get(page), 200, []string{"Die Organisation Migrantenverein Haste ist angelegt.", "<h1 class=\"kern-heading-large\">Migrantenverein Haste</h1>", "MV-HASTE", "Zivilgesellschaft"})
	expectPage(t, "the same short name again", admin.post("/verwaltung/organisationen", formOf("name", "Zweiter", "short_name", "MV-HASTE", "kind", "welfare")),
		http.StatusUnprocessableEntity, []string{"Diesen Kurznamen hat schon eine andere Organisation.", `value="Zweiter"`})

	// Editing with the version; a stale version shows the current state.
	edit := formOf("name", "Migrantenverein Haste e. V.", "short_name", "MV-HASTE", "kind", "civil_society", "contact_email", "", "contact_phone", "0541 1", "active", "1", "version", "1")
	if r := admin.post(page, edit); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	expectPage(t, "after editing", admin.get(page), 200, []string{"Die Angaben sind gespeichert.", "Migrantenverein Haste e. V.", "0541 1"})
	edit.Set("name", "Veraltet")
	expectPage(t, "stale edit", admin.post(page, edit), http.StatusConflict,
		[]string{"inzwischen von jemand anderem geändert", `value="Migrantenverein Haste e. V."`, `name="version" value="2"`}, `value="Veraltet"`)
	edit.Set("version", "2")
	edit.Set("active", "")
	if r := admin.post(page, edit); r.Status != http.StatusSeeOther {
		t.Fatalf("deactivate the organisation: %d", r.Status)
	}
	if n := dbCount(t, w, `SELECT count(*) FROM organisations WHERE short_name = 'MV-HASTE' AND NOT active AND name = 'Veraltet'`); n != 1 {
		t.Error("the organisation was not deactivated")
	}

	// An existing account gets a role in a second organisation, and may then switch.
	r = admin.post(orgPage(w.Caritas)+"/konten", formOf("email", "WORLD-05@stadt.test", "role", "caseworker"))
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "#mitglied-"+w.HousingWorker.ID.String()) {
		t.Fatalf("add the housing caseworker to Caritas: %d to %s: %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	expectPage(t, "the frame of a worker of two organisations", w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodGet, URL: "/"}), 200,
		[]string{`action="/organisation"`, "Caritasverband Osnabrück", "Fachbereich Wohnen"})
	expectPage(t, "the same account again", admin.post(orgPage(w.Caritas)+"/konten", formOf("email", "world-05@stadt.test", "role", "caseworker")),
		http.StatusUnprocessableEntity, []string{"Die Person hat diese Rolle hier schon."})

	// The system administrator may grant every role, also sysadmin.
	expectPage(t, "roles offered to the sysadmin", admin.get(orgPage(w.Caritas)), 200, []string{`<option value="sysadmin"`, `<option value="dpo"`})

	// No case content for the system administrator or the data protection officer.
	for _, u := range []*world.User{w.Sysadmin, w.DPO} {
		for _, path := range []string{"/api/v1/cases/" + cw.Case.ID.String(), "/faelle/" + cw.Case.ID.String()} {
			if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path}); r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", u.Name, path, r.Status)
			}
		}
	}
	// The DPO reviews the administration read-only.
	expectPage(t, "administration for the DPO", w.Do(t, world.Request{As: w.DPO, Method: http.MethodGet, URL: orgPage(w.Caritas)}), 200,
		[]string{"Chris Caritas"}, "Neues Mitglied anlegen", "Angaben der Organisation ändern", "Rolle vergeben", "/deaktivieren")
}

// TestAuditLogPage: the data protection officer filters the log, pages it and exports it as
// CSV for German Excel with the formula guard; caseworkers get neither.
func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	var eve *world.User
	w := world.New(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		sub := "eve"
		u := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: "eve@stadt.test", DisplayName: `=HYPERLINK("http://evil.example";"x")`, Active: true}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		g := &model.Grant{UserID: u.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker}
		eve = &world.User{ID: u.ID, Name: u.DisplayName, Grants: []model.Grant{*g}}
		return tx.Grants().Create(ctx, g)
	}))
	one := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	other := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	// Eve reads the case, giving a purpose that would be a formula.
	if r := w.Do(t, world.Request{As: eve, Method: http.MethodGet, URL: "/api/v1/cases/" + one.Case.ID.String(),
		Headers: map[string]string{"X-Lotse-Purpose": "+SUM(A1)"}}); r.Status != http.StatusOK {
		t.Fatalf("eve reads the case: %d %s", r.Status, r.Body)
	}
	dpo := &signedInClient{t: t, w: w, as: w.DPO}

	all := expectPage(t, "audit log", dpo.get("/protokoll"), 200, []string{
		`href="/protokoll" aria-current="page"`, `<td class="kern-table__cell">Fall angesehen</td>`, one.Case.Reference, other.Case.Reference, "Fachbereich Wohnen",
		`scope="col"`, "<caption", `href="/protokoll.csv"`,
		// The action filter offers readable names, grouped by object.
		`<optgroup label="Fälle">`, `<option value="case">Fälle: alle Aktionen</option>`, `<option value="referral.decline">Vermittlung abgelehnt</option>`,
	}, one.Person.FamilyName, "Interner Vermerk", "<code class=\"lotse-code lotse-adm-nowrap\">case.read")
	_ = all
	filtered := expectPage(t, "audit log of one case", dpo.get("/protokoll?case="+url.QueryEscape(one.Case.Reference)), 200,
		[]string{one.Case.Reference, "+SUM(A1)", `value="` + one.Case.Reference + `"`, `href="/protokoll.csv?case=` + one.Case.Reference + `"`},
		other.Case.Reference)
	_ = filtered
	expectPage(t, "audit log by user", dpo.get("/protokoll?user=wiebke&action=case.create"), 200,
		[]string{"Wiebke Wohnen", `<td class="kern-table__cell">Fall angelegt</td>`, `<option value="case.create" selected>`}, "HYPERLINK", `<td class="kern-table__cell">Fall angesehen</td>`)
	// By part of the e-mail address, as the field's hint promises.
	expectPage(t, "audit log by part of an e-mail address", dpo.get("/protokoll?user=eve%40stadt&action=case.read"), 200,
		[]string{`<td class="kern-table__cell">Fall angesehen</td>`, "+SUM(A1)"}, "Wiebke Wohnen")
	// A purpose Lotse records itself is shown by name.
	expectPage(t, "the officer's own purpose by name", dpo.get("/protokoll?action=audit.read"), 200,
		[]string{`<td class="kern-table__cell">Datenschutzkontrolle</td>`}, "data protection review")

	// A date that is none: the message next to the field, the value kept, no events.
	expectPage(t, "bad date", dpo.get("/protokoll?from=gestern&to=2026-01-01&user=x"), http.StatusBadRequest, []string{
		`id="audit-from-error"`, "Bitte geben Sie ein Datum", `value="gestern"`, `value="x"`, `href="#audit-from"`,
	}, one.Case.Reference)
	expectPage(t, "to before from", dpo.get("/protokoll?from=2026-02-01&to=2026-01-01"), http.StatusBadRequest,
		[]string{`id="audit-to-error"`, "Das Bis-Datum liegt vor dem Von-Datum."})
	// A position in the log that no page gave (the list's opaque cursor): said so, no events.
	expectPage(t, "a position that is none", dpo.get("/protokoll?before=42"), http.StatusBadRequest,
		[]string{"Diese Position im Protokoll gilt nicht."}, one.Case.Reference)

	// Reading the log is logged, without the filter's values.
	var details string
	if err := w.DB.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE action = 'audit.read' AND actor_id = $1 ORDER BY id DESC LIMIT 1`, w.DPO.ID).Scan(&details); err != nil {
		t.Fatalf("no audit.read event: %v", err)
	}
	if strings.Contains(details, "wiebke") {
		t.Errorf("the audit.read event holds the filter's value: %s", details)
	}

	// CSV for German Excel: BOM, ';', CRLF, quoted, formulas guarded.
	r := dpo.get("/protokoll.csv?case=" + url.QueryEscape(one.Case.Reference))
	csv := expectPage(t, "audit CSV", r, 200, nil, other.Case.Reference)
	if !strings.HasPrefix(csv, "\ufeffZeit;Person;Organisation;") || !strings.Contains(csv, "\r\n") {
		t.Errorf("CSV start %q", csv[:min(len(csv), 80)])
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv; charset=utf-8") || !strings.Contains(r.Header.Get("Content-Disposition"), `attachment; filename="lotse-protokoll-`) {
		t.Errorf("CSV headers %v", r.Header)
	}
	// The one cell with ';' and '"' in it is quoted and escaped, and guarded.
	if want := `"'=HYPERLINK(""http://evil.example"";""x"")"`; !strings.Contains(csv, want) {
		t.Errorf("CSV lacks %s:\n%s", want, csv)
	}
	records := parseCSV(t, csv)
	if len(records) < 2 {
		t.Fatalf("CSV of %d records", len(records))
	}
	cells := map[string]bool{}
	for _, rec := range records {
		if len(rec) != 11 {
			t.Errorf("CSV record of %d fields: %q", len(rec), rec)
		}
		for _, c := range rec {
			cells[c] = true
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example";"x")`, "'+SUM(A1)", one.Case.Reference, "Fall angesehen", "case.read", "Aktion (Kennung)"} {
		if !cells[want] {
			t.Errorf("CSV has no cell %s:\n%s", want, csv)
		}
	}
	if dbCount(t, w, `SELECT count(*) FROM audit_events WHERE action = 'audit.export' AND actor_id = $1`, w.DPO.ID) != 1 {
		t.Error("the export is not logged")
	}
	if r := dpo.get("/protokoll.csv?from=kaputt"); r.Status != http.StatusBadRequest {
		t.Errorf("export with a bad date: %d", r.Status)
	}

	// Nobody else.
	for _, u := range []*world.User{w.HousingWorker, w.HousingLead, w.Sysadmin, w.Coordinator, w.CaritasAdmin} {
		for _, path := range []string{"/protokoll", "/protokoll.csv"} {
			if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path}); r.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", u.Name, path, r.Status)
			}
		}
	}
}
