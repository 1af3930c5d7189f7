package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/app"
)

// atkCheckBaseline checks the browser security baseline of one response.
func atkCheckBaseline(t *testing.T, name string, r atkResp, secure bool) {
	t.Helper()
	csp := r.hdr.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		k, v, _ := strings.Cut(d, " ")
		directives[k] = v
	}
	for k, want := range map[string]string{
		"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
		"base-uri": "'none'", "frame-ancestors": "'none'",
	} {
		if directives[k] != want {
			t.Errorf("%s: CSP %s is %q, want %q (CSP: %q)", name, k, directives[k], want, csp)
		}
	}
	if !strings.HasPrefix(directives["form-action"], "'self'") {
		t.Errorf("%s: CSP form-action %q", name, directives["form-action"])
	}
	for _, weak := range []string{"unsafe-inline", "unsafe-eval", "unsafe-hashes", "strict-dynamic", " * ", "http:", "https:"} {
		if strings.Contains(" "+csp+" ", weak) && !(weak == "http:" && strings.Contains(directives["form-action"], "http://127.0.0.1")) {
			t.Errorf("%s: CSP contains %q: %q", name, weak, csp)
		}
	}
	if got := r.hdr.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", name, got)
	}
	if got := r.hdr.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", name, got)
	}
	switch got := r.hdr.Get("Referrer-Policy"); got {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q", name, got)
	}
	hsts := r.hdr.Get("Strict-Transport-Security")
	if secure && !strings.Contains(hsts, "max-age=63072000") {
		t.Errorf("%s: HSTS %q over https", name, hsts)
	}
	if !secure && hsts != "" {
		t.Errorf("%s: HSTS %q on plain http would lock developers out", name, hsts)
	}
}

var (
	atkInlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	atkStyleAttr    = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=`)
	atkStyleElem    = regexp.MustCompile(`(?i)<style\b`)
	atkEventAttr    = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	atkJSURL        = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*["']?\s*javascript:`)
)

// atkCheckHTML fails on anything a strict CSP would block or that needs 'unsafe-inline':
// inline scripts, style elements and attributes, event-handler attributes, javascript: URLs.
func atkCheckHTML(t *testing.T, name, body string) {
	t.Helper()
	for _, m := range atkInlineScript.FindAllStringSubmatch(body, -1) {
		if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], "src=") {
			t.Errorf("%s: inline script: %.200s", name, m[0])
		}
	}
	for _, re := range []*regexp.Regexp{atkStyleAttr, atkStyleElem, atkEventAttr, atkJSURL} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s: needs unsafe-inline: %.200s", name, m)
		}
	}
}

// TestSecurityBaselineOnEveryResponse visits every page reachable with and without a
// session, the error pages and JSON answers, and checks the headers and the markup.
func TestSecurityBaselineOnEveryResponse(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{twoProviders: true})
	anon := e.browser()
	b := e.browser()
	// Two providers: the login page lists them; sign in with the first.
	lp := b.get(t, "/login")
	if lp.code != http.StatusOK || !strings.Contains(lp.body, "Stadt-Anmeldung") || !strings.Contains(lp.body, "Zweite Anmeldung") {
		t.Fatalf("login page: %s", lp)
	}
	b.mustLogin(t)

	big := strings.Repeat("x", 128<<10) // over the 64K body limit
	type visit struct {
		name         string
		c            *atkBrowser
		method, path string
		body         string
		status       int
		html         bool
	}
	visits := []visit{
		{"login page", anon, "GET", "/login", "", 200, true},
		{"logged out page", anon, "GET", "/logged-out", "", 200, true},
		{"start page, signed in", b, "GET", "/", "", 200, true},
		{"start page, anonymous (to the login)", anon, "GET", "/", "", 303, false},
		{"begin login (to the provider)", anon, "GET", "/auth/login/default", "", 303, false},
		{"unknown provider", anon, "GET", "/auth/login/nobody", "", 404, true},
		{"not found page", anon, "GET", "/no/such/page", "", 404, true},
		{"callback without login", anon, "GET", "/auth/callback?code=x&state=y", "", 400, true},
		{"forbidden page (logout without token)", b, "POST", "/auth/logout", "", 403, true},
		{"method not allowed page", e.browser(), "PUT", "/login", "", 405, true},
		{"body too large page", b, "POST", "/auth/logout", big, 413, true},
		{"body too large, API", b, "POST", "/api/v1/organisations", big, 413, false},
		{"API me", b, "GET", "/api/v1/me", "", 200, false},
		{"API unauthenticated", anon, "GET", "/api/v1/me", "", 401, false},
		{"API not found", anon, "GET", "/api/v1/nothing", "", 404, false},
		{"OpenAPI spec", anon, "GET", "/api/v1/openapi.yaml", "", 200, false},
		{"healthz", anon, "GET", "/healthz", "", 200, false},
		{"readyz", anon, "GET", "/readyz", "", 200, false},
	}
	for _, v := range visits {
		t.Run(v.name, func(t *testing.T) {
			var r atkResp
			if v.body != "" {
				r = v.c.do(t, v.method, v.path, strings.NewReader(v.body), "Content-Type", "application/x-www-form-urlencoded")
			} else {
				r = v.c.do(t, v.method, v.path, nil)
			}
			if r.code != v.status {
				t.Fatalf("status %d, want %d: %s", r.code, v.status, r)
			}
			atkCheckBaseline(t, v.name, r, false)
			isHTML := strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html")
			if isHTML != v.html {
				t.Fatalf("Content-Type %q", r.hdr.Get("Content-Type"))
			}
			if isHTML {
				atkCheckHTML(t, v.name, r.body)
				if !strings.Contains(r.body, "<html lang=\"de\"") {
					t.Errorf("page without language: %.200s", r.body)
				}
			}
		})
	}

	// The session cookie: HttpOnly, SameSite=Lax, path /, no domain; Secure only over https.
	r := e.browser().get(t, "/auth/login/default")
	ck := atkCookie(t, r, "lotse_session")
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure {
		t.Errorf("session cookie over http: %+v", ck)
	}
}

func atkCookie(t *testing.T, r atkResp, name string) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.hdr}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cookie %s in %v", name, r.hdr.Values("Set-Cookie"))
	return nil
}

// TestSecurityBaselineOverHTTPS: with an https base URL (and secure cookies) every response
// carries HSTS and the session cookie is a __Host- cookie with the Secure flag. The test
// server itself speaks plain http; the headers do not depend on it.
func TestSecurityBaselineOverHTTPS(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{secure: true})
	c := e.browser()
	for _, p := range []struct {
		path   string
		status int
	}{{"/logged-out", 200}, {"/no/such/page", 404}, {"/api/v1/me", 401}, {"/healthz", 200}, {"/", 303}} {
		r := c.get(t, p.path)
		if r.code != p.status {
			t.Fatalf("%s: %s", p.path, r)
		}
		atkCheckBaseline(t, p.path, r, true)
	}
	r := c.get(t, "/auth/login/default")
	if r.code != http.StatusSeeOther {
		t.Fatalf("begin login: %s", r)
	}
	ck := atkCookie(t, r, "__Host-lotse_session")
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Errorf("session cookie over https: %+v", ck)
	}
	// The provider is told to send the browser back to the https callback.
	u, _ := url.Parse(r.loc())
	if got := u.Query().Get("redirect_uri"); got != e.cfg.BaseURL+"/auth/callback" || !strings.HasPrefix(got, "https://") {
		t.Errorf("redirect_uri %q", got)
	}
}

// TestLoginRateLimit: the sign-in routes are limited per client address (bursts of 20, then
// 0.5 per second); the limit answers 429 with the localised page, and other routes stay
// usable.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{rate: 0.5})
	b := e.browser()
	var limited []atkResp
	allowed := 0
	start := time.Now()
	for i := 0; i < 25; i++ {
		r := b.get(t, "/auth/login/default?return=/")
		switch r.code {
		case http.StatusTooManyRequests:
			limited = append(limited, r)
		case http.StatusSeeOther:
			allowed++
		default:
			t.Fatalf("attempt %d: %s", i+1, r)
		}
		if i < 20 && r.code != http.StatusSeeOther {
			t.Errorf("attempt %d of the burst was limited", i+1)
		}
	}
	// The burst, plus what the rate refilled meanwhile.
	if most := 20 + int(time.Since(start).Seconds()*0.5) + 1; allowed > most {
		t.Errorf("%d of 25 attempts allowed, at most %d expected", allowed, most)
	}
	if len(limited) == 0 {
		t.Fatal("25 sign-in attempts in a row were never limited")
	}
	r := limited[0]
	if !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html") || !strings.Contains(r.body, "Zu viele Anfragen") {
		t.Errorf("the limit's page: %s", r)
	}
	atkCheckBaseline(t, "429 page", r, false)
	atkCheckHTML(t, "429 page", r.body)
	atkNoLeaks(t, r.body)
	en := b.get(t, "/auth/login/default", "Accept-Language", "en")
	if en.code != http.StatusTooManyRequests || !strings.Contains(en.body, "Too many requests") {
		t.Errorf("English 429 page: %s", en)
	}
	// The callback and the login page share the limit ...
	for _, p := range []string{"/auth/callback?code=x&state=y", "/login"} {
		if r := b.get(t, p); r.code != http.StatusTooManyRequests {
			t.Errorf("%s after the limit: %s", p, r)
		}
	}
	// ... other routes do not.
	for p, want := range map[string]int{"/healthz": 200, "/logged-out": 200, "/api/v1/me": 401} {
		if r := b.get(t, p); r.code != want {
			t.Errorf("%s after the sign-in limit: %s, want %d", p, r, want)
		}
	}
	// A second instance on the same database keeps the limit: the buckets are shared
	// (docs/instances.md), so a balancer spreading the attempts does not multiply it.
	other, err := app.New(context.Background(), e.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	srv := httptest.NewServer(other.Handler())
	defer srv.Close()
	// Not following the redirect: the provider sends it back to the first instance's callback.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(srv.URL + "/auth/login/default?return=/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a second instance on the same database answers the limited address with %d, want 429", res.StatusCode)
	}
}
