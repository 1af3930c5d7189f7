package devidp_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lotse-project/lotse/internal/devidp"
)

const (
	clientID     = "lotse"
	clientSecret = "dev-secret"
	apiAudience  = "lotse-api"
)

var testAccounts = []devidp.Account{
	{Subject: "demo-fm-1", Email: "fm1@demo.lotse.invalid", Name: "Frieda Fallmann", Role: "Fallmanagerin", Org: "Fachdienst Wohnen"},
	{Subject: "demo-admin", Email: "admin@demo.lotse.invalid", Name: "Arne Admin", Role: "Administrator", Org: "Stadt Musterstadt"},
	{Subject: "demo-partner", Email: "partner@demo.lotse.invalid", Name: "Paula Partner", Role: "Partnerin", Org: "Beratungsstelle Süd"},
}

// callbackServer is the relying party's redirect_uri: it records what the
// provider sends there.
type callbackServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []url.Values
}

func newCallbackServer(t *testing.T) *callbackServer {
	t.Helper()
	cb := &callbackServer{}
	cb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb.mu.Lock()
		cb.got = append(cb.got, r.URL.Query())
		cb.mu.Unlock()
		_, _ = io.WriteString(w, "callback reached")
	}))
	t.Cleanup(cb.Close)
	return cb
}

func (cb *callbackServer) redirectURI() string { return cb.URL + "/auth/callback" }
func (cb *callbackServer) logoutURI() string   { return cb.URL + "/signed-out" }

func (cb *callbackServer) last(t *testing.T) url.Values {
	t.Helper()
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.got) == 0 {
		t.Fatal("the callback was never reached")
	}
	return cb.got[len(cb.got)-1]
}

type env struct {
	idp      *devidp.Server
	cb       *callbackServer
	provider *oidc.Provider
	oauth    oauth2.Config
}

func start(t *testing.T, addr string) *env {
	t.Helper()
	cb := newCallbackServer(t)
	idp, err := devidp.New(devidp.Config{
		Addr:     addr,
		Accounts: testAccounts,
		Clients: []devidp.Client{{
			ID:                     clientID,
			Secret:                 clientSecret,
			RedirectURIs:           []string{cb.redirectURI()},
			PostLogoutRedirectURIs: []string{cb.logoutURI()},
		}},
		APIAudience: apiAudience,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := idp.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := idp.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	provider, err := oidc.NewProvider(t.Context(), idp.Issuer())
	if err != nil {
		t.Fatalf("discovery at %s: %v", idp.Issuer(), err)
	}
	return &env{
		idp:      idp,
		cb:       cb,
		provider: provider,
		oauth: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  cb.redirectURI(),
			Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
		},
	}
}

func TestNewRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{
		"0.0.0.0:8081",
		":8081",
		"[::]:8081",
		"192.168.1.5:8081",
		"10.0.0.1:8081",
		"example.com:8081",
		"localhost.example.com:8081",
		"",
		"127.0.0.1",         // no port
		"127.0.0.1:http",    // named port
		"127.0.0.1:99999",   // out of range
		"[fe80::1%lo]:8081", // link-local with zone
	} {
		t.Run(addr, func(t *testing.T) {
			_, err := devidp.New(validConfig(addr))
			if err == nil {
				t.Fatalf("New(%q) succeeded, want an error", addr)
			}
		})
	}
}

func TestNewAcceptsLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.1:8081", "127.1.2.3:8081", "[::1]:8081", "localhost:8081", "LOCALHOST:0"} {
		t.Run(addr, func(t *testing.T) {
			if _, err := devidp.New(validConfig(addr)); err != nil {
				t.Fatalf("New(%q): %v", addr, err)
			}
		})
	}
}

func TestNewRefusesBadAccountsAndClients(t *testing.T) {
	tests := []struct {
		name   string
		change func(*devidp.Config)
	}{
		{"no accounts", func(c *devidp.Config) { c.Accounts = nil }},
		{"duplicate subject", func(c *devidp.Config) { c.Accounts = append(c.Accounts, c.Accounts[0]) }},
		{"empty subject", func(c *devidp.Config) { c.Accounts[0].Subject = "" }},
		{"no clients", func(c *devidp.Config) { c.Clients = nil }},
		{"client without secret", func(c *devidp.Config) { c.Clients[0].Secret = "" }},
		{"client without redirect", func(c *devidp.Config) { c.Clients[0].RedirectURIs = nil }},
		{"relative redirect", func(c *devidp.Config) { c.Clients[0].RedirectURIs = []string{"/auth/callback"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig("127.0.0.1:0")
			tc.change(&cfg)
			if _, err := devidp.New(cfg); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}

func validConfig(addr string) devidp.Config {
	return devidp.Config{
		Addr:     addr,
		Accounts: slices.Clone(testAccounts),
		Clients: []devidp.Client{{
			ID: clientID, Secret: clientSecret,
			RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
		}},
	}
}

func TestStartReportsTheActualPort(t *testing.T) {
	addrs := []string{"127.0.0.1:0"}
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		_ = ln.Close()
		addrs = append(addrs, "[::1]:0")
	} else {
		t.Logf("::1 is not available here (%v); testing 127.0.0.1 only", err)
	}
	for _, addr := range addrs {
		t.Run(addr, func(t *testing.T) {
			e := start(t, addr)
			iss := e.idp.Issuer()
			if !regexp.MustCompile(`^http://(127\.0\.0\.1|\[::1\]):[1-9][0-9]*$`).MatchString(iss) {
				t.Fatalf("Issuer() = %q, want http://<loopback>:<actual port>", iss)
			}
			var disco struct {
				Issuer             string   `json:"issuer"`
				EndSessionEndpoint string   `json:"end_session_endpoint"`
				CodeChallenge      []string `json:"code_challenge_methods_supported"`
			}
			if err := e.provider.Claims(&disco); err != nil {
				t.Fatal(err)
			}
			if disco.Issuer != iss || disco.EndSessionEndpoint != iss+"/end_session" || !slices.Contains(disco.CodeChallenge, "S256") {
				t.Errorf("discovery = %+v", disco)
			}
		})
	}
}

// browser is a user agent without cookies that follows every redirect,
// including the last one to the relying party's callback.
func browser() *http.Client { return &http.Client{} }

// noRedirects is a client that stops at the first redirect.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type flow struct {
	state, nonce, verifier string
	loginPage              *http.Response
	loginBody              string
	form                   *htmlForm
}

// beginLogin starts a code flow as the relying party would and returns the
// login page the browser lands on.
func (e *env) beginLogin(t *testing.T) *flow {
	t.Helper()
	f := &flow{state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier(), verifier: oauth2.GenerateVerifier()}
	authURL := e.oauth.AuthCodeURL(f.state, oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier))
	resp, err := browser().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.idp.Issuer()+"/login?") {
		t.Fatalf("auth request ended at %s with %d, want the login page: %s", resp.Request.URL, resp.StatusCode, body)
	}
	f.loginPage, f.loginBody = resp, string(body)
	f.form = parseForm(t, f.loginBody)
	return f
}

// choose submits the login form for the account with subject and returns the
// code and state the callback received.
func (e *env) choose(t *testing.T, f *flow, subject string) (code, state string) {
	t.Helper()
	vals, ok := f.form.submitWith(subjectButton(f.form, subject))
	if !ok {
		t.Fatalf("the login form has no button for %q", subject)
	}
	action, err := f.loginPage.Request.URL.Parse(f.form.action)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(f.form.method, http.MethodPost) {
		t.Fatalf("form method = %q, want post", f.form.method)
	}
	resp, err := browser().PostForm(action.String(), vals)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.cb.redirectURI()) {
		t.Fatalf("after the login form: %s answered %d: %s", resp.Request.URL, resp.StatusCode, body)
	}
	q := e.cb.last(t)
	return q.Get("code"), q.Get("state")
}

// signIn runs the whole code flow as subject and checks state and nonce.
func (e *env) signIn(t *testing.T, subject string) (*oauth2.Token, *oidc.IDToken, string) {
	t.Helper()
	f := e.beginLogin(t)
	code, state := e.choose(t, f, subject)
	if state != f.state {
		t.Fatalf("state = %q, want %q", state, f.state)
	}
	if code == "" {
		t.Fatal("no code at the callback")
	}
	tok, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := e.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	// go-oidc does not check the nonce; the relying party must.
	if idt.Nonce != f.nonce {
		t.Fatalf("nonce = %q, want %q", idt.Nonce, f.nonce)
	}
	return tok, idt, raw
}

func TestCodeFlow(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	want := testAccounts[0]
	tok, idt, _ := e.signIn(t, want.Subject)

	t.Run("ID token", func(t *testing.T) {
		var claims struct {
			Sub               string `json:"sub"`
			Email             string `json:"email"`
			EmailVerified     bool   `json:"email_verified"`
			Name              string `json:"name"`
			PreferredUsername string `json:"preferred_username"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if idt.Issuer != e.idp.Issuer() || idt.Subject != want.Subject || claims.Sub != want.Subject ||
			claims.Email != want.Email || !claims.EmailVerified || claims.Name != want.Name || claims.PreferredUsername != want.Email {
			t.Errorf("ID token: iss %q, claims %+v; want account %+v", idt.Issuer, claims, want)
		}
		// The ID token is for the client alone, so that it cannot pass as an
		// access token at the API.
		if !slices.Equal(idt.Audience, []string{clientID}) {
			t.Errorf("ID token aud = %v, want [%s]", idt.Audience, clientID)
		}
	})

	t.Run("access token is a JWT for the API audience", func(t *testing.T) {
		at, err := e.provider.Verifier(&oidc.Config{ClientID: apiAudience}).Verify(t.Context(), tok.AccessToken)
		if err != nil {
			t.Fatalf("verify access token against the JWKS: %v", err)
		}
		if at.Subject != want.Subject || !slices.Contains(at.Audience, apiAudience) {
			t.Errorf("access token sub %q aud %v", at.Subject, at.Audience)
		}
		// ...and not an ID token for the client.
		if _, err := e.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(t.Context(), tok.AccessToken); err == nil {
			t.Error("the access token verifies as an ID token for the client")
		}
	})

	t.Run("ID token is not an access token for the API", func(t *testing.T) {
		raw, _ := tok.Extra("id_token").(string)
		if _, err := e.provider.Verifier(&oidc.Config{ClientID: apiAudience}).Verify(t.Context(), raw); err == nil {
			t.Error("the ID token verifies for the API audience")
		}
	})

	t.Run("userinfo", func(t *testing.T) {
		ui, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Name string `json:"name"`
		}
		if err := ui.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if ui.Subject != want.Subject || ui.Email != want.Email || !ui.EmailVerified || claims.Name != want.Name {
			t.Errorf("userinfo = %+v %+v", ui, claims)
		}
	})
}

func TestCodeIsSingleUseAndNeedsTheVerifier(t *testing.T) {
	e := start(t, "127.0.0.1:0")

	f := e.beginLogin(t)
	code, _ := e.choose(t, f, testAccounts[1].Subject)
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Error("exchange with a wrong code_verifier succeeded")
	}
	if _, err := e.oauth.Exchange(t.Context(), code); err == nil {
		t.Error("exchange without code_verifier succeeded")
	}
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier)); err != nil {
		t.Fatalf("exchange with the right verifier: %v", err)
	}
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier)); err == nil {
		t.Error("a code was exchanged twice")
	}

	wrong := e.oauth
	wrong.ClientSecret = "wrong"
	f = e.beginLogin(t)
	code, _ = e.choose(t, f, testAccounts[1].Subject)
	if _, err := wrong.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier)); err == nil {
		t.Error("exchange with a wrong client secret succeeded")
	}
}

func TestClientSecretPost(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	e.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	tok, _, _ := e.signIn(t, testAccounts[2].Subject)
	if tok.AccessToken == "" {
		t.Fatal("no access token")
	}
}

func TestAuthRequestWithoutPKCEIsRefused(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	resp, err := browser().Get(e.oauth.AuthCodeURL("st4te", oidc.Nonce("n0nce")))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	q := e.cb.last(t)
	if q.Get("error") != "invalid_request" || q.Get("state") != "st4te" || q.Get("code") != "" {
		t.Errorf("callback got %v, want error=invalid_request", q)
	}
}

func TestLoginPageListsEveryAccount(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	f := e.beginLogin(t)
	body := f.loginBody

	if !strings.Contains(body, "<title>Lotse – Entwicklungs-Anmeldung / development sign-in</title>") {
		t.Error("title missing")
	}
	if !strings.Contains(body, "Nur für die Entwicklung") || !strings.Contains(body, "For development only") {
		t.Error("the development-only note is missing")
	}
	for _, a := range testAccounts {
		b := subjectButton(f.form, a.Subject)
		if b == nil {
			t.Errorf("no button for %s", a.Subject)
			continue
		}
		for _, s := range []string{a.Name, a.Role, a.Org, a.Email} {
			if !strings.Contains(b.text, s) {
				t.Errorf("button for %s reads %q, want it to contain %q", a.Subject, b.text, s)
			}
		}
	}
	if len(f.form.buttons) != len(testAccounts) {
		t.Errorf("%d buttons, want %d", len(f.form.buttons), len(testAccounts))
	}
	for _, bad := range []string{"<script", "<style", "style=", "type=\"password\""} {
		if strings.Contains(body, bad) {
			t.Errorf("login page contains %q", bad)
		}
	}
	if csp := f.loginPage.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}

	// The root lists the accounts too (what `make run` can point at).
	resp, err := browser().Get(e.idp.Issuer() + "/")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, a := range testAccounts {
		if !strings.Contains(string(root), a.Email) {
			t.Errorf("the root page does not list %s", a.Email)
		}
	}
}

// The sign-in page wears Lotse's KERN look: its styles, fonts and icon are served by the
// provider itself (the CSP allows nothing from elsewhere), and no folder is listed.
func TestLoginPageWearsKERN(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	f := e.beginLogin(t)
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := browser().Get(e.idp.Issuer() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	links := regexp.MustCompile(`<link rel="(stylesheet|icon)" href="([^"]+)"`).FindAllStringSubmatch(f.loginBody, -1)
	want := map[string]string{
		"/static/vendor/kern/kern.min.css":        ".kern-btn",
		"/static/vendor/kern/fonts/fira-sans.css": "@font-face",
		"/static/lotse.css":                       ".lotse-account",
		"/static/favicon.svg":                     "<svg",
	}
	for _, l := range links {
		if _, ok := want[l[2]]; !ok {
			t.Errorf("unexpected link %s", l[2])
			continue
		}
		status, ctype, body := get(l[2])
		if status != http.StatusOK || !strings.Contains(body, want[l[2]]) {
			t.Errorf("GET %s: %d %s, want 200 with %q", l[2], status, ctype, want[l[2]])
		}
		delete(want, l[2])
	}
	if len(want) > 0 {
		t.Errorf("the page does not link %v", want)
	}
	if status, _, _ := get("/static/vendor/kern/fonts/fira-sans/FiraSans-Regular.woff2"); status != http.StatusOK {
		t.Errorf("the font: %d, want 200", status)
	}
	for _, dir := range []string{"/static/", "/static/vendor/"} {
		if status, _, _ := get(dir); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (no listing)", dir, status)
		}
	}
	for _, cls := range []string{`class="kern-btn kern-btn--secondary lotse-account"`, `class="kern-alert kern-alert--warning"`, `id="inhalt"`} {
		if !strings.Contains(f.loginBody, cls) {
			t.Errorf("login page lacks %s", cls)
		}
	}
	csp := f.loginPage.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP = %q, want styles from self only and no scripts", csp)
	}
}

func TestLoginRefusesUnknownRequestsAndAccounts(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	loginURL := e.idp.Issuer() + "/login"

	resp, err := browser().Get(loginURL + "?authRequestID=does-not-exist")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET with an unknown auth request: %d, want 400", resp.StatusCode)
	}

	f := e.beginLogin(t)
	vals, _ := f.form.submitWith(f.form.buttons[0])
	vals.Set("subject", "nobody")
	resp, err = noRedirects().PostForm(loginURL, vals)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST with an unknown account: %d, want 400", resp.StatusCode)
	}

	// The request still works with a real account, but only once.
	e.choose(t, f, testAccounts[0].Subject)
	vals, _ = f.form.submitWith(f.form.buttons[0])
	resp, err = noRedirects().PostForm(loginURL, vals)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("second POST for the same auth request: %d, want 400", resp.StatusCode)
	}
}

func TestEndSession(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	_, _, rawID := e.signIn(t, testAccounts[0].Subject)
	var disco struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := e.provider.Claims(&disco); err != nil {
		t.Fatal(err)
	}
	endSession := func(postLogout string) *http.Response {
		t.Helper()
		q := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {postLogout}, "state": {"bye"}}
		resp, err := noRedirects().Get(disco.EndSession + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp
	}

	resp := endSession(e.cb.logoutURI())
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != e.cb.logoutURI()+"?state=bye" {
		t.Errorf("registered post-logout URI: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	for _, uri := range []string{"https://evil.example/", e.cb.URL + "/elsewhere"} {
		resp = endSession(uri)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("unregistered post-logout URI %s: %d Location %q", uri, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// Without a hint the provider cannot know the client and shows its own page.
	resp, err := noRedirects().Get(disco.EndSession)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/logged-out" {
		t.Errorf("end_session without hint: %d Location %q", resp.StatusCode, loc)
	}
}

// Lotse's sessions outlive a restart of `lotse dev`, the provider's signing
// key does not: an id_token_hint from an earlier run must still allow signing
// out to a registered URI, and only to one.
func TestEndSessionWithHintFromAnEarlierRun(t *testing.T) {
	first := start(t, "127.0.0.1:0")
	_, _, rawID := first.signIn(t, testAccounts[0].Subject)

	second, err := devidp.New(devidp.Config{
		Addr:     "127.0.0.1:0",
		Accounts: testAccounts,
		Clients: []devidp.Client{{
			ID: clientID, Secret: clientSecret,
			RedirectURIs:           []string{first.cb.redirectURI()},
			PostLogoutRedirectURIs: []string{first.cb.logoutURI()},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })

	for _, tc := range []struct {
		postLogout, wantLocation string
		wantStatus               int
	}{
		{first.cb.logoutURI(), first.cb.logoutURI(), http.StatusFound},
		{"https://evil.example/", "", http.StatusBadRequest},
	} {
		q := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {tc.postLogout}}
		resp, err := noRedirects().Get(second.Issuer() + "/end_session?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tc.wantStatus || resp.Header.Get("Location") != tc.wantLocation {
			t.Errorf("post_logout_redirect_uri %s: %d Location %q, want %d %q",
				tc.postLogout, resp.StatusCode, resp.Header.Get("Location"), tc.wantStatus, tc.wantLocation)
		}
	}
}

func TestClientCredentials(t *testing.T) {
	e := start(t, "127.0.0.1:0")
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret, TokenURL: e.provider.Endpoint().TokenURL}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatalf("client_credentials: %v", err)
	}
	at, err := e.provider.Verifier(&oidc.Config{ClientID: apiAudience}).Verify(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatalf("verify access token: %v", err)
	}
	if at.Subject != clientID {
		t.Errorf("sub = %q, want the client id", at.Subject)
	}

	cc.ClientSecret = "wrong"
	if _, err := cc.Token(t.Context()); err == nil {
		t.Error("client_credentials with a wrong secret succeeded")
	}
}

func TestStartTwiceAndCloseTwice(t *testing.T) {
	idp, err := devidp.New(validConfig("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	if idp.Issuer() != "" {
		t.Errorf("Issuer before Start = %q", idp.Issuer())
	}
	if err := idp.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	if err := idp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idp.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(idp.Issuer() + "/.well-known/openid-configuration"); err == nil {
		_ = resp.Body.Close()
		t.Error("the provider still answers after Close")
	}
}

func TestStopsWhenContextEnds(t *testing.T) {
	idp, err := devidp.New(validConfig("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := idp.Start(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(idp.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disco map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&disco)
	_ = resp.Body.Close()
	if disco["issuer"] != idp.Issuer() {
		t.Errorf("discovery issuer = %v", disco["issuer"])
	}
	cancel()
	if err := idp.Close(); err != nil { // waits for the shutdown that cancel started
		t.Fatal(err)
	}
	if resp, err := http.Get(idp.Issuer() + "/.well-known/openid-configuration"); err == nil {
		_ = resp.Body.Close()
		t.Error("the provider still answers after its context ended")
	}
}

// htmlForm is the first form of a page, as a browser would submit it.
type htmlForm struct {
	method, action string
	hidden         url.Values
	buttons        []*htmlButton
}

type htmlButton struct{ name, value, text string }

func subjectButton(f *htmlForm, subject string) *htmlButton {
	for _, b := range f.buttons {
		if b.value == subject {
			return b
		}
	}
	return nil
}

// submitWith returns the values a browser posts when b is clicked.
func (f *htmlForm) submitWith(b *htmlButton) (url.Values, bool) {
	if b == nil {
		return nil, false
	}
	vals := url.Values{}
	for k, v := range f.hidden {
		vals[k] = slices.Clone(v)
	}
	if b.name != "" {
		vals.Set(b.name, b.value)
	}
	return vals, true
}

func parseForm(t *testing.T, page string) *htmlForm {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			form = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form on the page:\n%s", page)
	}
	f := &htmlForm{method: attr(form, "method"), action: attr(form, "action"), hidden: url.Values{}}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "input":
				if attr(n, "type") == "hidden" {
					f.hidden.Add(attr(n, "name"), attr(n, "value"))
				}
			case "button":
				if typ := attr(n, "type"); typ == "" || typ == "submit" {
					f.buttons = append(f.buttons, &htmlButton{name: attr(n, "name"), value: attr(n, "value"), text: text(n)})
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return f
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "br" {
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
