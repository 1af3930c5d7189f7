package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// atkUnsafeRoutes walks the router for every route with a state-changing method.
func atkUnsafeRoutes(t *testing.T, e *atkEnv) []string {
	t.Helper()
	var out []string
	for _, r := range e.app.Routes() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			out = append(out, r.Method+" "+r.Path)
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			// CONNECT, TRACE or a custom method would be unsafe too; none is expected.
			t.Errorf("route with unexpected method %s %s", r.Method, r.Path)
		}
	}
	sort.Strings(out)
	// Logout ends the session that the other routes need: test it last.
	sort.SliceStable(out, func(i, j int) bool {
		return !strings.HasSuffix(out[i], "/auth/logout") && strings.HasSuffix(out[j], "/auth/logout")
	})
	return out
}

var atkParam = regexp.MustCompile(`:[A-Za-z_]+|\*`)

// atkFill puts values into a route's parameters: a random UUID for ids, the provider's id.
func atkFill(path string) string {
	return atkParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case ":provider":
			return "default"
		case ":id":
			return uuid.NewString()
		}
		return "x"
	})
}

// atkForgery is a request a forger would make to one route.
type atkForgery struct {
	path, body, ifMatch string
}

// TestCSRFEveryUnsafeRouteRefusesForgedRequests enumerates the router and sends every
// state-changing route, with a signed-in browser's cookie, requests a forger could make:
// without the anti-forgery token, with a wrong one, and with a valid token from a foreign
// origin. Each must answer 403 (JSON under /api/, a page elsewhere) and change nothing; the
// same request with the token from the same origin must get past the check.
func TestCSRFEveryUnsafeRouteRefusesForgedRequests(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{})
	routes := atkUnsafeRoutes(t, e)
	for _, want := range []string{"POST /auth/logout", "POST /api/v1/organisations", "PATCH /api/v1/organisations/:id",
		"POST /api/v1/members", "PATCH /api/v1/members/:id", "POST /api/v1/grants", "DELETE /api/v1/grants/:id"} {
		found := false
		for _, r := range routes {
			found = found || r == want
		}
		if !found {
			t.Errorf("the router lacks %s: the enumeration is broken", want)
		}
	}

	b := e.browser()
	b.mustLogin(t)
	token := b.csrfToken(t)
	// Another signed-in browser: its token must not work with the first one's cookie.
	other := e.browser()
	other.mustLogin(t)
	otherToken := other.csrfToken(t)
	if otherToken == token {
		t.Fatal("two sessions share a CSRF token")
	}

	// What a forger would send to each route: real records and bodies that would change
	// something, so that "nothing changed" means something. Routes added later get their
	// parameters filled and an empty body.
	etag := func(path string) string {
		r := b.get(t, path)
		if r.code != http.StatusOK || r.hdr.Get("ETag") == "" {
			t.Fatalf("GET %s: %s", path, r)
		}
		return r.hdr.Get("ETag")
	}
	harmful := map[string]atkForgery{
		"POST /auth/logout":               {path: "/auth/logout"},
		"POST /api/v1/organisations":      {path: "/api/v1/organisations", body: `{"kind":"welfare","name":"Gefälscht e.V.","short_name":"FORGED"}`},
		"PATCH /api/v1/organisations/:id": {path: "/api/v1/organisations/" + e.orgID.String(), body: `{"name":"Gefälscht"}`, ifMatch: etag("/api/v1/organisations/" + e.orgID.String())},
		"POST /api/v1/members":            {path: "/api/v1/members", body: `{"display_name":"Fälscher","email":"forger@evil.example","org_id":"` + e.orgID.String() + `","role":"sysadmin"}`},
		"PATCH /api/v1/members/:id":       {path: "/api/v1/members/" + e.colleagueID.String(), body: `{"active":false}`, ifMatch: etag("/api/v1/members/" + e.colleagueID.String())},
		"POST /api/v1/grants":             {path: "/api/v1/grants", body: `{"user_id":"` + e.colleagueID.String() + `","org_id":"` + e.orgID.String() + `","role":"lead"}`},
		"DELETE /api/v1/grants/:id":       {path: "/api/v1/grants/" + e.colleagueGrantID.String()},
	}

	tested := 0
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		t.Run(route, func(t *testing.T) {
			tested++
			api := strings.HasPrefix(pattern, "/api/")
			fg, ok := harmful[route]
			if !ok {
				fg = atkForgery{path: atkFill(pattern)}
			}
			if api && fg.body == "" && method != http.MethodDelete {
				fg.body = "{}"
			}
			send := func(c *atkBrowser, path, body string, hdr ...string) atkResp {
				t.Helper()
				ctype := "application/json"
				if !api {
					ctype = "application/x-www-form-urlencoded"
				}
				hdr = append([]string{"Content-Type", ctype}, hdr...)
				if fg.ifMatch != "" {
					hdr = append(hdr, "If-Match", fg.ifMatch)
				}
				return c.do(t, method, path, strings.NewReader(body), hdr...)
			}
			forged := []struct {
				name string
				c    *atkBrowser
				hdr  []string
				why  string // what the log says
			}{
				{"no token", b, nil, "CSRF"},
				{"no token, same origin", b, []string{"Origin", e.base, "Sec-Fetch-Site", "same-origin"}, "CSRF"},
				{"wrong token", b, []string{"X-CSRF-Token", atkRandom()}, "CSRF"},
				{"token of another session", b, []string{"X-CSRF-Token", otherToken}, "CSRF"},
				{"valid token, cross-site", b, []string{"X-CSRF-Token", token, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, "cross-origin"},
				{"valid token, foreign Origin without Sec-Fetch-Site", b, []string{"X-CSRF-Token", token, "Origin", "https://evil.example"}, "cross-origin"},
				{"valid token, same-site sibling", b, []string{"X-CSRF-Token", token, "Origin", "http://sibling.localhost", "Sec-Fetch-Site", "same-site"}, "cross-origin"},
				{"cross-site without any cookie", e.browser(), []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, "cross-origin"},
			}
			for _, f := range forged {
				before := e.fingerprint(t)
				r := send(f.c, fg.path, fg.body, f.hdr...)
				if r.code != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403: %s", f.name, r.code, r)
					continue
				}
				if api {
					var eb struct {
						Error struct{ Code string } `json:"error"`
					}
					if err := json.Unmarshal([]byte(r.body), &eb); err != nil || eb.Error.Code != "forbidden" || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
						t.Errorf("%s: not the JSON error forbidden: %s", f.name, r)
					}
				} else if !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html") || !strings.Contains(r.body, "Keine Berechtigung") {
					t.Errorf("%s: not the error page: %s", f.name, r)
				}
				if log := e.logFor(r.rid()); !strings.Contains(log, f.why) {
					t.Errorf("%s: refused, but not for %q:\n%s", f.name, f.why, log)
				}
				if after := e.fingerprint(t); after != before {
					t.Errorf("%s: the refused request changed data: %s -> %s", f.name, before, after)
				}
				if code := b.me(t); code != http.StatusOK {
					t.Fatalf("%s: the session did not survive the refused request (me: %d)", f.name, code)
				}
			}

			// The genuine request passes the check, whatever the handler then says. It goes
			// to a random record (or with an empty body), so that it harms no later case.
			var r atkResp
			if api {
				body := "{}"
				if method == http.MethodDelete {
					body = ""
				}
				r = send(b, atkFill(pattern), body, "X-CSRF-Token", token, "Origin", e.base, "Sec-Fetch-Site", "same-origin")
			} else {
				// A form post carries the token in its hidden field.
				r = send(b, fg.path, url.Values{"_csrf": {token}}.Encode(), "Origin", e.base, "Sec-Fetch-Site", "same-origin")
			}
			log := e.logFor(r.rid())
			// A 403 for want of a permission (the signed-in sysadmin may not create cases) is
			// not a CSRF refusal: the log tells which check said no.
			if strings.Contains(log, "CSRF") || strings.Contains(log, "cross-origin") || (r.code == http.StatusForbidden && !strings.Contains(log, "web: ")) {
				t.Fatalf("a same-origin request with the token was refused: %s\n%s", r, log)
			}
			if r.code >= 500 {
				t.Fatalf("a same-origin request with the token failed: %s\n%s", r, log)
			}
			if pattern == "/auth/logout" {
				if r.code != http.StatusSeeOther || b.me(t) != http.StatusUnauthorized {
					t.Fatalf("logout with the token did not end the session: %s", r)
				}
				b.mustLogin(t)
				token = b.csrfToken(t)
			}
		})
	}

	// The forgeries were real: the same requests from an API client with a bearer token
	// (which needs no CSRF token) do change data.
	bearer := e.browser()
	tok := e.op.accessToken(atkSubject, nil)
	for _, route := range []string{"POST /api/v1/organisations", "PATCH /api/v1/organisations/:id", "POST /api/v1/members",
		"PATCH /api/v1/members/:id", "POST /api/v1/grants", "DELETE /api/v1/grants/:id"} {
		method, _, _ := strings.Cut(route, " ")
		fg := harmful[route]
		hdr := []string{"Authorization", "Bearer " + tok, "Content-Type", "application/json"}
		if fg.ifMatch != "" {
			hdr = append(hdr, "If-Match", fg.ifMatch)
		}
		before := e.fingerprint(t)
		r := bearer.do(t, method, fg.path, strings.NewReader(fg.body), hdr...)
		if r.code < 200 || r.code > 299 || e.fingerprint(t) == before {
			t.Errorf("the forged %s is not an effective request: %s\n%s", route, r, e.logFor(r.rid()))
		}
	}
	if tested != len(routes) || tested < 7 {
		t.Fatalf("tested %d of %d unsafe routes", tested, len(routes))
	}
}

// TestCSRFBearerTokensNeedNoCSRFToken: an API client with an access token carries no
// ambient authority, so the anti-forgery checks do not apply; but a bearer header never
// lends the cookie's authority to a request either.
func TestCSRFBearerTokensNeedNoCSRFToken(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{})
	tok := e.op.accessToken(atkSubject, nil)
	c := e.browser() // no cookies yet

	r := c.do(t, http.MethodPost, "/api/v1/organisations", strings.NewReader(`{}`),
		"Authorization", "Bearer "+tok, "Content-Type", "application/json", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if log := e.logFor(r.rid()); r.code == http.StatusForbidden || r.code == http.StatusUnauthorized || strings.Contains(log, "CSRF") || strings.Contains(log, "cross-origin") {
		t.Fatalf("a bearer request was refused by the CSRF checks: %s\n%s", r, log)
	}
	if r.code != http.StatusBadRequest {
		t.Fatalf("an empty organisation from a bearer client: %s, want 400 from validation", r)
	}
	// A valid request from the bearer client changes data, without any CSRF token.
	before := e.fingerprint(t)
	r = c.do(t, http.MethodPost, "/api/v1/organisations", strings.NewReader(`{"kind":"welfare","name":"Verein Test","short_name":"VEREIN"}`),
		"Authorization", "Bearer "+tok, "Content-Type", "application/json")
	if r.code != http.StatusCreated || e.fingerprint(t) == before {
		t.Fatalf("bearer create: %s", r)
	}

	// A signed-in browser: a bogus bearer header does not make the cookie's session usable
	// without the CSRF token; the request is judged by the bearer token alone.
	b := e.browser()
	b.mustLogin(t)
	before = e.fingerprint(t)
	r = b.do(t, http.MethodPost, "/api/v1/organisations", strings.NewReader(`{"kind":"welfare","name":"Verein Zwei","short_name":"VEREIN2"}`),
		"Authorization", "Bearer not-a-token", "Content-Type", "application/json")
	if r.code != http.StatusUnauthorized || e.fingerprint(t) != before {
		t.Fatalf("cookie plus bogus bearer header: %s, want 401 and nothing changed", r)
	}
	// Pages and logout with a bearer header answer cleanly (no session machinery panics).
	for _, req := range []struct{ method, path string }{
		{http.MethodPost, "/auth/logout"}, {http.MethodGet, "/login"}, {http.MethodGet, "/auth/login/default"},
		{http.MethodGet, "/logged-out"}, {http.MethodGet, "/"},
	} {
		r := b.do(t, req.method, req.path, nil, "Authorization", "Bearer not-a-token")
		if r.code >= 500 {
			t.Errorf("%s %s with a bearer header: %s\n%s", req.method, req.path, r, e.logFor(r.rid()))
		}
	}
	if code := b.me(t); code != http.StatusOK {
		t.Fatalf("the browser's session was ended by a bearer request: %d", code)
	}
}

// TestCSRFTokenChangesAtSignIn: whoever knew the session's token before a sign-in (the
// earlier user of the browser, or an attacker who planted the session cookie) cannot use it
// afterwards.
func TestCSRFTokenChangesAtSignIn(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{})
	b := e.browser()
	b.mustLogin(t)
	old := b.csrfToken(t)
	// The same browser signs in again (e.g. after the attacker planted their own signed-in
	// session cookie in the victim's browser, and the victim signs in over it).
	b.mustLogin(t)
	now := b.csrfToken(t)
	if now == old {
		t.Fatal("the CSRF token survived a sign-in")
	}
	before := e.fingerprint(t)
	r := b.do(t, http.MethodPost, "/api/v1/organisations", strings.NewReader(`{"kind":"welfare","name":"Alt e.V.","short_name":"ALT"}`),
		"Content-Type", "application/json", "X-CSRF-Token", old)
	if r.code != http.StatusForbidden || e.fingerprint(t) != before {
		t.Fatalf("the token from before the sign-in still works: %s", r)
	}
	r = b.do(t, http.MethodPost, "/api/v1/organisations", strings.NewReader(`{"kind":"welfare","name":"Neu e.V.","short_name":"NEU"}`),
		"Content-Type", "application/json", "X-CSRF-Token", now, "Sec-Fetch-Site", "same-origin")
	if r.code != http.StatusCreated {
		t.Fatalf("the new token does not work: %s", r)
	}
}
