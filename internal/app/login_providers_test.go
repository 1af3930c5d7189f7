package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/model"
)

// TestSeveralProviders: providers from the providers file are listed on the login page; one
// that is down neither stops the server nor the others, shows its own error page, and works
// once it is back (discovery is lazy and retried).
func TestSeveralProviders(t *testing.T) {
	t.Parallel()
	d := newTestDB(t)
	city := d.org(t, "STADT", "Stadt Osnabrück")
	m := startMock(t)
	srv, base := listener(t)
	idp := startDevIdP(t, base, []devidp.Account{{Subject: "dora", Email: "dora@stadt.test", Name: "Dora"}})
	broken := "http://" + freePort(t) + "/realms/stadt"
	// "late" is down at first and comes up during the test, at an address known in advance.
	lateAddr := freePort(t)
	late, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	lateIssuer := "http://" + lateAddr + mockoidc.IssuerBase

	d.user(t, m.Issuer(), "sub-mia", "", "Mia Mock", true, grant{city, model.RoleCaseworker})
	d.user(t, idp.Issuer(), "dora", "", "Dora Dev", true, grant{city, model.RoleLead})
	d.user(t, lateIssuer, "sub-lara", "", "Lara Late", true, grant{city, model.RoleCaseworker})

	cfg := baseConfig(d.URL, base)
	cfg.OIDCProvidersFile = providersFile(t, fmt.Sprintf(`providers:
  - id: mock
    name: "Städtisches Konto <Test>"
    issuer: %s
    client_id: %s
    client_secret: %s
  - id: dev
    name: Entwicklungs-Anmeldung
    issuer: %s
    client_id: %s
    client_secret: %s
  - id: broken
    name: Jobcenter-Anmeldung
    issuer: %s
    client_id: lotse
    client_secret: secret
    api_audience: lotse-api
  - id: late
    name: Späte Anmeldung
    issuer: %s
    client_id: %s
    client_secret: %s
`, m.Issuer(), m.ClientID, m.ClientSecret, idp.Issuer(), idp.ClientID, idp.Secret, broken, lateIssuer, late.ClientID, late.ClientSecret))
	clock := newClock()
	l := startLotse(t, srv, cfg, clock)
	b := newBrowser(t)

	if p := b.get(l.URL + "/readyz"); p.Status != http.StatusOK {
		t.Fatalf("/readyz with a provider down = %d: %s", p.Status, p.Body)
	}
	p := b.get(l.URL + "/login?return=/api/v1/me")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /login = %d: %s", p.Status, p.Body)
	}
	for _, c := range []struct{ name, id string }{
		{"Städtisches Konto <Test>", "mock"}, {"Entwicklungs-Anmeldung", "dev"}, {"Jobcenter-Anmeldung", "broken"}, {"Späte Anmeldung", "late"},
	} {
		// A link (styled as a KERN button) to the provider, named as configured.
		link := fmt.Sprintf(`<a [^>]*href="/auth/login/%s\?return=%%2Fapi%%2Fv1%%2Fme"[^>]*>(?:<span[^>]*>)?%s(?:</span>)?</a>`,
			regexp.QuoteMeta(c.id), regexp.QuoteMeta(html.EscapeString(c.name)))
		if !regexp.MustCompile(link).MatchString(p.Body) {
			t.Errorf("the login page lacks %s:\n%s", link, p.Body)
		}
	}
	// The CSP lets the logout form's redirect go to each provider.
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, idp.Issuer()) || !strings.Contains(csp, strings.TrimSuffix(m.Issuer(), "/oidc")) {
		t.Errorf("CSP form-action lacks the providers: %s", csp)
	}

	for _, c := range []struct{ lang, title string }{{"", "Anmeldedienst nicht erreichbar"}, {"en", "Sign-in service unreachable"}} {
		b.lang = c.lang
		wantErrorPage(t, b.get(l.URL+"/auth/login/broken?return=/"), http.StatusBadGateway, c.title, "provider down ("+c.lang+")")
	}
	b.lang = ""
	wantErrorPage(t, b.get(l.URL+"/auth/login/nosuch?return=/"), http.StatusNotFound, "Seite nicht gefunden", "unknown provider")
	// An API token of the provider that is down cannot be checked: the API says it is
	// unavailable (not that the token is bad, nor an internal error).
	p = bearer(t, http.MethodGet, l.URL+"/api/v1/me", signedJWT(t, map[string]any{"iss": broken, "sub": "x", "aud": "lotse-api", "exp": time.Now().Add(time.Hour).Unix()}), "")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, `"code":"unavailable"`) {
		t.Errorf("bearer of the provider that is down = %d %s, want 503 unavailable", p.Status, p.Body)
	}
	noLeak(t, p, "bearer of the provider that is down")

	// The others work.
	m.QueueUser(mockUser("sub-mia", "", "mia"))
	if me := func() me { b.get(l.URL + "/auth/login/mock?return=/api/v1/me"); return b.getMe(l.URL) }(); me.DisplayName != "Mia Mock" {
		t.Errorf("mock login: %+v", me)
	}
	if p := b.logout(l.URL); p.Status != http.StatusSeeOther || p.Location() != "/logged-out" {
		t.Errorf("logout from mock = %d %q", p.Status, p.Location())
	}
	p = b.chooseAccount(b.get(l.URL+"/auth/login/dev?return=/api/v1/me"), "dora")
	if p.Status != http.StatusOK || b.getMe(l.URL).DisplayName != "Dora Dev" {
		t.Errorf("dev login: %d %s", p.Status, p.Body)
	}
	// Logout goes to the provider the session signed in with.
	if p := b.logout(l.URL); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), idp.disco.EndSession+"?") {
		t.Errorf("logout from dev = %d %q, want the dev provider's end_session", p.Status, p.Location())
	}

	// "late" comes up. Discovery is retried, though not more than every few seconds.
	wantErrorPage(t, b.get(l.URL+"/auth/login/late?return=/"), http.StatusBadGateway, "Anmeldedienst nicht erreichbar", "late provider still down")
	ln, err := net.Listen("tcp", lateAddr)
	if err != nil {
		t.Fatalf("listen on %s for the late provider: %v", lateAddr, err)
	}
	if err := late.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = late.Shutdown() })
	wantErrorPage(t, b.get(l.URL+"/auth/login/late?return=/"), http.StatusBadGateway, "Anmeldedienst nicht erreichbar", "late provider within the retry pause")
	clock.Advance(5 * time.Second)
	late.QueueUser(mockUser("sub-lara", "", "lara"))
	b.get(l.URL + "/auth/login/late?return=/api/v1/me")
	if me := b.getMe(l.URL); me.DisplayName != "Lara Late" {
		t.Errorf("late login: %+v", me)
	}
	if p := b.get(l.URL + "/readyz"); p.Status != http.StatusOK {
		t.Errorf("/readyz = %d", p.Status)
	}
}

// TestNoProviderConfigured: without any provider the server runs; the login says so.
func TestNoProviderConfigured(t *testing.T) {
	t.Parallel()
	d := newTestDB(t)
	srv, base := listener(t)
	l := startLotse(t, srv, baseConfig(d.URL, base), nil)
	b := newBrowser(t)
	if p := b.get(l.URL + "/readyz"); p.Status != http.StatusOK {
		t.Fatalf("/readyz = %d", p.Status)
	}
	wantErrorPage(t, b.get(l.URL+"/"), http.StatusServiceUnavailable, "Anmeldung nicht eingerichtet", "login without providers")
	wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "API without providers")
}

// signedJWT signs claims with a throwaway key: a token that no provider issued.
func signedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := sig.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
