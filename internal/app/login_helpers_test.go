package app_test

// Helpers for the sign-in tests (login_*_test.go): a real Lotse (app.New on a fresh
// PostgreSQL database, served over HTTP), real OpenID Connect providers (mockoidc and the
// development identity provider), and a cookie-keeping HTTP client in the role of a browser.
//
// No TestMain here: package app's main_test.go already has one (testutil.Main), and it runs
// for this external test package too, since both live in one test binary. A second
// TestMain would not compile ("multiple definitions of TestMain").

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// fakeClock is the clock of sessions and token checks; tests move it.
type fakeClock struct{ ns atomic.Int64 }

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *fakeClock) Set(at time.Time)        { c.ns.Store(at.UnixNano()) }

// testDB is a fresh migrated database with a pool of the test's own for seeding and checks.
type testDB struct {
	URL   string
	DB    *db.DB
	Store *store.Store
}

func newTestDB(t *testing.T) *testDB {
	t.Helper()
	u := testutil.NewDBURL(t)
	d := testutil.Open(t, u)
	return &testDB{URL: u, DB: d, Store: store.New(d.Gorm, nil)}
}

func (d *testDB) tx(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Store.Tx(ctx, model.Actor{System: true, Name: "test"}, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// org creates an active organisation.
func (d *testDB) org(t *testing.T, short, name string) *model.Organisation {
	t.Helper()
	o := &model.Organisation{Kind: model.OrgMunicipal, ShortName: short, Name: name, Active: true}
	d.tx(t, func(ctx context.Context, tx *store.Tx) error { return tx.Organisations().Create(ctx, o) })
	return o
}

// grant is a role in an organisation, for user.
type grant struct {
	org  *model.Organisation
	role model.Role
}

// user pre-provisions an account with grants. An empty subject makes an e-mail-only account
// (linked at the first sign-in by a provider trusted for e-mail).
func (d *testDB) user(t *testing.T, issuer, subject, email, name string, active bool, grants ...grant) *model.User {
	t.Helper()
	u := &model.User{Issuer: issuer, Email: email, DisplayName: name, Active: active}
	if subject != "" {
		u.Subject = &subject
	}
	d.tx(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		for _, g := range grants {
			if err := tx.Grants().Create(ctx, &model.Grant{UserID: u.ID, OrgID: g.org.ID, Role: g.role}); err != nil {
				return err
			}
		}
		return nil
	})
	return u
}

func (d *testDB) exec(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	tag, err := d.DB.Pool.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag.RowsAffected()
}

func (d *testDB) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := d.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// sessionRows counts the server-side sessions with this token.
func (d *testDB) sessionRows(t *testing.T, token string) int {
	t.Helper()
	return d.count(t, `SELECT count(*) FROM sessions WHERE token = $1`, token)
}

// listener reserves Lotse's address first, because the providers must know its callback URL
// and Lotse must know the providers before it starts.
func listener(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return srv, "http://" + srv.Listener.Addr().String()
}

// lotse is a running Lotse.
type lotse struct {
	URL  string
	App  *app.App
	Logs *testutil.LogBuffer
}

// baseConfig is a Lotse configuration for sign-in tests on dbURL, reachable at base.
func baseConfig(dbURL, base string) *config.Config {
	return &config.Config{
		DatabaseURL: dbURL, DBMaxConns: 4, HTTPAddr: "127.0.0.1:0", BaseURL: base,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 10 * time.Second,
		BodyLimit: "1M", ShutdownGrace: time.Second, LogLevel: "debug", LogFormat: "text",
		SessionIdleTimeout: 30 * time.Minute, SessionLifetime: 10 * time.Hour,
		CookieSecure: "false", LoginRateLimit: 1000, OIDCName: "Anmeldung",
	}
}

// startLotse builds the app on srv (from listener) and starts serving.
func startLotse(t *testing.T, srv *httptest.Server, cfg *config.Config, clock *fakeClock) *lotse {
	t.Helper()
	o := app.Options{}
	if clock != nil {
		o.Now = clock.Now
	}
	return startLotseWith(t, srv, cfg, o)
}

// startLotseWith is startLotse with app options of the test's choice (e.g. extra routes).
func startLotseWith(t *testing.T, srv *httptest.Server, cfg *config.Config, o app.Options) *lotse {
	t.Helper()
	logs := &testutil.LogBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), false, o)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
		if t.Failed() {
			t.Logf("Lotse log:\n%s", logs.String())
		}
	})
	return &lotse{URL: "http://" + srv.Listener.Addr().String(), App: a, Logs: logs}
}

// startMock starts an in-process mockoidc provider.
func startMock(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("mockoidc: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

func mockUser(subject, email, name string, groups ...string) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: subject, Email: email, EmailVerified: true, PreferredUsername: name, Groups: groups}
}

// devIdP is a running development identity provider with its client for Lotse.
type devIdP struct {
	*devidp.Server
	ClientID, Secret string
	disco            discovery
}

type discovery struct {
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

const (
	devClient   = "lotse-test"
	devSecret   = "lotse-test-secret"
	devAudience = "lotse-api"
	// toolRedirect is where the test's own OAuth client is sent back to; nobody listens, the
	// test reads the code from the redirect.
	toolRedirect = "http://127.0.0.1:1/cb"
)

// startDevIdP starts the development identity provider for a Lotse at base, with accounts and
// extra clients (each gets the secret <id>-secret and toolRedirect).
func startDevIdP(t *testing.T, base string, accounts []devidp.Account, extraClients ...string) *devIdP {
	t.Helper()
	clients := []devidp.Client{{
		ID: devClient, Secret: devSecret,
		RedirectURIs:           []string{base + "/auth/callback"},
		PostLogoutRedirectURIs: []string{base + "/logged-out"},
	}}
	for _, c := range extraClients {
		clients = append(clients, devidp.Client{ID: c, Secret: c + "-secret", RedirectURIs: []string{toolRedirect}})
	}
	s, err := devidp.New(devidp.Config{Addr: "127.0.0.1:0", Accounts: accounts, Clients: clients, APIAudience: devAudience})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = s.Close() })
	d := &devIdP{Server: s, ClientID: devClient, Secret: devSecret}
	res, err := http.Get(s.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&d.disco); err != nil {
		t.Fatal(err)
	}
	return d
}

// providersFile writes a LOTSE_OIDC_PROVIDERS_FILE.
func providersFile(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// browser is an HTTP client with a cookie jar that follows redirects, except to hosts in
// stopAt (their redirect is returned as the response).
type browser struct {
	t      *testing.T
	c      *http.Client
	lang   string
	stopAt map[string]bool
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, stopAt: map[string]bool{}}
	b.c = &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 15 {
			return fmt.Errorf("stopped after %d redirects (a loop?): %v", len(via), via[len(via)-1].URL)
		}
		if b.stopAt[req.URL.Host] {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// page is a response read in full.
type page struct {
	Status int
	Body   string
	Header http.Header
	URL    *url.URL // the URL of the last request (after redirects)
	// Cookies are the Set-Cookie headers of the last response.
	Cookies []*http.Cookie
}

func (p page) Location() string { return p.Header.Get("Location") }

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Body: string(body), Header: res.Header, URL: res.Request.URL, Cookies: res.Cookies()}
}

func (b *browser) get(u string, hdr ...string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// once makes one request without following redirects.
func (b *browser) once(method, u string, form url.Values) page {
	b.t.Helper()
	saved := b.c.CheckRedirect
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	defer func() { b.c.CheckRedirect = saved }()
	if method == http.MethodPost {
		return b.post(u, form)
	}
	return b.get(u)
}

// cookie returns the value of the cookie name the jar holds for base ("" when none).
func (b *browser) cookie(base, name string) string {
	u, _ := url.Parse(base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the session's anti-forgery token from a Lotse page.
func (b *browser) csrf(base string) string {
	b.t.Helper()
	p := b.get(base + "/")
	m := csrfInput.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		b.t.Fatalf("GET / for the CSRF token: %d %s", p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}

// logout posts the logout form and returns the (unfollowed) answer.
func (b *browser) logout(base string) page {
	b.t.Helper()
	return b.once(http.MethodPost, base+"/auth/logout", url.Values{"_csrf": {b.csrf(base)}})
}

// me is the body of GET /api/v1/me.
type me struct {
	ID            uuid.UUID `json:"id"`
	DisplayName   string    `json:"display_name"`
	Organisation  *member   `json:"organisation"`
	Organisations []member  `json:"organisations"`
}

type member struct {
	ShortName string   `json:"short_name"`
	Name      string   `json:"name"`
	Roles     []string `json:"roles"`
}

func (m me) roles() []string {
	var out []string
	for _, o := range m.Organisations {
		for _, r := range o.Roles {
			out = append(out, o.ShortName+":"+r)
		}
	}
	return out
}

// getMe asserts 200 and decodes /api/v1/me.
func (b *browser) getMe(base string) me {
	b.t.Helper()
	p := b.get(base + "/api/v1/me")
	if p.Status != http.StatusOK {
		b.t.Fatalf("GET /api/v1/me = %d, want 200: %s", p.Status, p.Body)
	}
	var m me
	if err := json.Unmarshal([]byte(p.Body), &m); err != nil {
		b.t.Fatalf("GET /api/v1/me: %v: %s", err, p.Body)
	}
	return m
}

// wantUnauthenticated asserts the API's JSON 401 with code unauthenticated.
func wantUnauthenticated(t *testing.T, p page, what string) {
	t.Helper()
	if p.Status != http.StatusUnauthorized {
		t.Fatalf("%s: status %d, want 401: %s", what, p.Status, p.Body)
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(p.Body), &e); err != nil || e.Error.Code != "unauthenticated" || e.Error.Message == "" {
		t.Fatalf("%s: body %q, want the JSON error with code unauthenticated", what, p.Body)
	}
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", what, p.Header.Get("Content-Type"))
	}
	noLeak(t, p, what)
}

// meWithToken calls /api/v1/me on base with nothing but the session cookie given.
func meWithToken(t *testing.T, base, cookieName, token string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: token})
	return rawDo(t, req)
}

// rawDo makes a request without jar or redirects.
func rawDo(t *testing.T, req *http.Request) page {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Body: string(body), Header: res.Header, URL: res.Request.URL, Cookies: res.Cookies()}
}

// internalPrefixes are the error prefixes of Lotse's packages and of libraries (Go errors are
// lower case, so "IT-Service:" on the page does not count); internalText is further text that
// must never reach a person: network errors, causes, stack traces.
var (
	internalPrefixes = []string{"authn:", "oidc:", "service:", "web:", "store:", "db:", "api:", "app:", "devidp:", "oauth2:", "pq:"}
	internalText     = []string{
		"goroutine ", ".go:", "panic", "runtime error", "dial tcp", "connection refused", "discover",
		"state mismatch", "login failed", "not activated for lotse",
		"invalid_grant", "nonce", "sqlstate", "127.0.0.1:1", "unauthenticated:", "%!",
	}
)

// noLeak asserts that a response shows no internal text.
func noLeak(t *testing.T, p page, what string) {
	t.Helper()
	low := strings.ToLower(p.Body)
	for _, s := range internalPrefixes {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: the response shows internal text %q:\n%s", what, s, p.Body)
		}
	}
	for _, s := range internalText {
		if strings.Contains(low, s) {
			t.Errorf("%s: the response shows internal text %q:\n%s", what, s, p.Body)
		}
	}
}

// wantErrorPage asserts an HTML error page with status and title, and no internal text.
func wantErrorPage(t *testing.T, p page, status int, title, what string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, p.Status, status, p.Body)
	}
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: Content-Type %q, want HTML", what, p.Header.Get("Content-Type"))
	}
	if !regexp.MustCompile(`<h1\b[^>]*>` + regexp.QuoteMeta(html.EscapeString(title)) + `</h1>`).MatchString(p.Body) {
		t.Errorf("%s: page without the title %q:\n%s", what, title, p.Body)
	}
	noLeak(t, p, what)
}

// devLoginForm is the development identity provider's login form.
var (
	devAuthRequest = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	devSubject     = regexp.MustCompile(`name="subject" value="([^"]+)"`)
	devFormAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// chooseAccount submits the development identity provider's login form on p as subject,
// like a person clicking the account's button, and follows where it leads.
func (b *browser) chooseAccount(p page, subject string) page {
	b.t.Helper()
	if p.Status != http.StatusOK {
		b.t.Fatalf("login page of the identity provider: %d %s", p.Status, p.Body)
	}
	id := devAuthRequest.FindStringSubmatch(p.Body)
	action := devFormAction.FindStringSubmatch(p.Body)
	if id == nil || action == nil {
		b.t.Fatalf("no login form on %s:\n%s", p.URL, p.Body)
	}
	found := false
	for _, m := range devSubject.FindAllStringSubmatch(p.Body, -1) {
		if html.UnescapeString(m[1]) == subject {
			found = true
		}
	}
	if !found {
		b.t.Fatalf("the login form has no button for %q:\n%s", subject, p.Body)
	}
	target, err := p.URL.Parse(html.UnescapeString(action[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	return b.post(target.String(), url.Values{"authRequestID": {html.UnescapeString(id[1])}, "subject": {subject}})
}

// freePort returns an address on which nothing listens (a moment ago something did).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// mockEnv is Lotse with one provider, mockoidc, and one pre-provisioned account for
// (mockoidc's issuer, "sub-anna"): Anna Amsel, caseworker in the city.
type mockEnv struct {
	*lotse
	DB    *testDB
	Mock  *mockoidc.MockOIDC
	Clock *fakeClock
	City  *model.Organisation
	Anna  *model.User
}

const annaSubject = "sub-anna"

func newMockEnv(t *testing.T, configure func(cfg *config.Config), extraRoutes ...func(e *echo.Echo)) *mockEnv {
	t.Helper()
	e := &mockEnv{DB: newTestDB(t), Mock: startMock(t), Clock: newClock()}
	e.City = e.DB.org(t, "STADT", "Stadt Osnabrück")
	e.Anna = e.DB.user(t, e.Mock.Issuer(), annaSubject, "anna@stadt.test", "Anna Amsel", true, grant{e.City, model.RoleCaseworker})
	srv, base := listener(t)
	cfg := baseConfig(e.DB.URL, base)
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = e.Mock.Issuer(), e.Mock.ClientID, e.Mock.ClientSecret
	if configure != nil {
		configure(cfg)
	}
	o := app.Options{Now: e.Clock.Now}
	if len(extraRoutes) > 0 {
		o.ExtraRoutes = extraRoutes[0]
	}
	e.lotse = startLotseWith(t, srv, cfg, o)
	return e
}

// login signs b in as Anna, starting at /login?return=ret, and returns the page it ends on.
func (e *mockEnv) login(b *browser, ret string) page {
	b.t.Helper()
	e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	return b.get(e.URL + "/login?return=" + url.QueryEscape(ret))
}

// loginOK signs b in as Anna and returns the session token.
func (e *mockEnv) loginOK(b *browser) string {
	b.t.Helper()
	p := e.login(b, "/api/v1/me")
	if p.Status != http.StatusOK || p.URL.Path != "/api/v1/me" {
		b.t.Fatalf("login ended at %s with %d: %s", p.URL, p.Status, p.Body)
	}
	tok := b.cookie(e.URL, "lotse_session")
	if tok == "" {
		b.t.Fatal("no session cookie after login")
	}
	return tok
}
