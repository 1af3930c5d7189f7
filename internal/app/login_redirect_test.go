package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/authn"
)

// TestLoginReturnsToThePageAskedFor: a page asked for without a session leads to the login
// and, after it, back to that page with its query.
func TestLoginReturnsToThePageAskedFor(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)
	b := newBrowser(t)

	p := b.once(http.MethodGet, e.URL+"/?tab=2", nil)
	if p.Status != http.StatusSeeOther || p.Location() != "/login?return=%2F%3Ftab%3D2" {
		t.Fatalf("GET /?tab=2 without a session = %d %q, want 303 to /login?return=%%2F%%3Ftab%%3D2", p.Status, p.Location())
	}
	// The API answers machines with JSON, not with a redirect.
	wantUnauthenticated(t, b.once(http.MethodGet, e.URL+"/api/v1/me", nil), "API without a session")

	e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	p = b.get(e.URL + "/?tab=2")
	if p.Status != http.StatusOK || p.URL.String() != e.URL+"/?tab=2" {
		t.Fatalf("after the login: %s %d, want %s/?tab=2", p.URL, p.Status, e.URL)
	}
	if !strings.Contains(p.Body, "Anna Amsel") {
		t.Errorf("the start page does not show the user:\n%s", p.Body)
	}
	// Signed in, /login goes straight back to the page.
	if p = b.once(http.MethodGet, e.URL+"/login?return=%2F%3Ftab%3D3", nil); p.Status != http.StatusSeeOther || p.Location() != "/?tab=3" {
		t.Errorf("GET /login while signed in = %d %q, want 303 to /?tab=3", p.Status, p.Location())
	}
}

// TestLoginIsNoOpenRedirect: whatever return= says, the login ends on Lotse.
func TestLoginIsNoOpenRedirect(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)
	host := strings.TrimPrefix(e.URL, "http://")
	for _, raw := range []string{
		"return=//evil.example",
		"return=%2F%2Fevil.example",
		"return=https://evil.example",
		"return=https%3A%2F%2Fevil.example%2F",
		`return=/\evil.example`,
		"return=%2F%5Cevil.example",
		"return=%5C%5Cevil.example",
		"return=/%09/evil.example",
		"return=%2F%0D%0ALocation:%20https://evil.example",
		"return=javascript:alert(1)",
		"return=http:evil.example",
		"return=///evil.example",
		"return=evil.example",
	} {
		t.Run(raw, func(t *testing.T) {
			b := newBrowser(t)
			b.stopAt["evil.example"] = true
			p := b.once(http.MethodGet, e.URL+"/login?"+raw, nil)
			if p.Status != http.StatusSeeOther || p.Location() != "/auth/login/default?return=%2F" {
				t.Errorf("GET /login?%s = %d %q, want 303 to /auth/login/default?return=%%2F", raw, p.Status, p.Location())
			}
			e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
			p = b.get(e.URL + "/auth/login/default?" + raw)
			if p.URL.Host != host || p.URL.Path != "/" || p.Status != http.StatusOK {
				t.Errorf("the login with %s ended at %s (%d), want %s/", raw, p.URL, p.Status, e.URL)
			}
		})
	}
}

func TestSafeReturn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/?tab=2", "/?tab=2"},
		{"/faelle/123?x=1&y=%C3%A4", "/faelle/123?x=1&y=%C3%A4"},
		{"/a b", "/a%20b"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // a local path with escaped slashes
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"https://evil.example", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{`/\evil.example`, "/"},
		{`\\evil.example`, "/"},
		{"/\t/evil.example", "/"},
		{"/\r\nLocation: https://evil.example", "/"},
		{"evil.example", "/"},
		{"/page#frag", "/page"},
		{"/%zz", "/"},
	} {
		if got := authn.SafeReturn(c.in); got != c.want {
			t.Errorf("SafeReturn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLoginErrorPages: a callback that does not belong to the session's login (forged,
// replayed, or with the provider's error) shows its own page, in German and English, with
// nothing internal.
func TestLoginErrorPages(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)

	begin := func(b *browser) *url.URL {
		t.Helper()
		p := b.once(http.MethodGet, e.URL+"/auth/login/default?return=/", nil)
		u, err := url.Parse(p.Location())
		if p.Status != http.StatusSeeOther || err != nil {
			t.Fatalf("begin login = %d %q", p.Status, p.Location())
		}
		return u
	}
	for _, c := range []struct{ lang, title string }{{"", "Anmeldung abgelaufen"}, {"de-DE,de;q=0.9", "Anmeldung abgelaufen"}, {"en-GB,en;q=0.8", "Sign-in expired"}} {
		b := newBrowser(t)
		b.lang = c.lang
		begin(b)
		wantErrorPage(t, b.get(e.URL+"/auth/callback?state=wrong&code=whatever"), http.StatusBadRequest, c.title, "wrong state ("+c.lang+")")
		// Without any session either.
		wantErrorPage(t, newBrowserLang(t, c.lang).get(e.URL+"/auth/callback?state=x&code=y"), http.StatusBadRequest, c.title, "callback without a session ("+c.lang+")")
	}

	// A finished callback cannot be used again, neither by the same browser nor by another.
	b := newBrowser(t)
	authz := begin(b)
	e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	p := b.once(http.MethodGet, authz.String(), nil)
	callback := p.Location()
	if !strings.HasPrefix(callback, e.URL+"/auth/callback?") {
		t.Fatalf("provider redirect %d %q", p.Status, callback)
	}
	if p = b.get(callback); p.Status != http.StatusOK || p.URL.Path != "/" {
		t.Fatalf("callback = %s %d", p.URL, p.Status)
	}
	wantErrorPage(t, b.get(callback), http.StatusBadRequest, "Anmeldung abgelaufen", "replayed callback, same browser")
	wantErrorPage(t, newBrowser(t).get(callback), http.StatusBadRequest, "Anmeldung abgelaufen", "replayed callback, other browser")

	// The provider refused (e.g. the person cancelled).
	b = newBrowser(t)
	authz = begin(b)
	q := url.Values{"error": {"access_denied"}, "error_description": {"oidc: user said no"}, "state": {authz.Query().Get("state")}}
	wantErrorPage(t, b.get(e.URL+"/auth/callback?"+q.Encode()), http.StatusUnauthorized, "Anmeldung fehlgeschlagen", "provider error")
	b.lang = "en"
	begin(b)
	wantErrorPage(t, b.get(e.URL+"/auth/callback?"+q.Encode()), http.StatusUnauthorized, "Sign-in failed", "provider error (en)")

	// The right state with a code the provider does not know.
	b = newBrowser(t)
	authz = begin(b)
	q = url.Values{"code": {"forged"}, "state": {authz.Query().Get("state")}}
	wantErrorPage(t, b.get(e.URL+"/auth/callback?"+q.Encode()), http.StatusUnauthorized, "Anmeldung fehlgeschlagen", "forged code")
}

func newBrowserLang(t *testing.T, lang string) *browser {
	b := newBrowser(t)
	b.lang = lang
	return b
}
