package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/config"
)

// TestSessionIdleTimeout: a session ends after 30 minutes without a request, and is removed
// from the database; requests keep it alive.
func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)
	b := newBrowser(t)
	tok := e.loginOK(b)

	for range 3 { // 87 minutes in all, never 30 without a request
		e.Clock.Advance(29 * time.Minute)
		b.getMe(e.URL)
	}
	e.Clock.Advance(30*time.Minute + time.Second)
	wantUnauthenticated(t, b.get(e.URL+"/api/v1/me"), "after 30 idle minutes")
	if n := e.DB.sessionRows(t, tok); n != 0 {
		t.Errorf("the idle session is still stored (%d rows)", n)
	}
	wantUnauthenticated(t, meWithToken(t, e.URL, "lotse_session", tok), "the idle session's token by hand")
	// A page asks for a new login.
	if p := b.once(http.MethodGet, e.URL+"/", nil); p.Status != http.StatusSeeOther || p.Location() != "/login?return=%2F" {
		t.Errorf("GET / after the idle timeout = %d %q, want 303 to the login", p.Status, p.Location())
	}
}

// TestSessionAbsoluteLifetime: a session ends 10 hours after sign-in however active it is.
func TestSessionAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)
	b := newBrowser(t)
	tok := e.loginOK(b)

	// A request every 20 minutes: alive for the whole lifetime (seen_at moves on).
	for elapsed := 20 * time.Minute; elapsed < 10*time.Hour; elapsed += 20 * time.Minute {
		e.Clock.Advance(20 * time.Minute)
		if p := b.get(e.URL + "/api/v1/me"); p.Status != http.StatusOK {
			t.Fatalf("after %s of activity: %d, want 200", elapsed, p.Status)
		}
	}
	e.Clock.Advance(20*time.Minute + time.Second)
	wantUnauthenticated(t, b.get(e.URL+"/api/v1/me"), "past the 10 hour lifetime")
	if n := e.DB.sessionRows(t, tok); n != 0 {
		t.Errorf("the expired session is still stored (%d rows)", n)
	}
	// Signing in again is possible (and starts a new lifetime). The provider's tokens follow
	// its own clock, which is not moved, so move Lotse's back for the ID token check.
	e.Clock.Set(time.Now())
	e.loginOK(b)
	b.getMe(e.URL)
}

// TestSessionCookieFlags: the session cookie is HttpOnly, SameSite=Lax, Path=/, a browser
// session cookie (no expiry), and Secure with the __Host- prefix in secure mode.
func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "insecure", true: "secure"}[secure], func(t *testing.T) {
			t.Parallel()
			e := newMockEnv(t, func(cfg *config.Config) {
				if secure {
					cfg.CookieSecure = "true"
				}
			})
			name := "lotse_session"
			if secure {
				name = "__Host-lotse_session"
			}
			check := func(p page, what string) string {
				t.Helper()
				var raw string
				for _, h := range p.Header.Values("Set-Cookie") {
					if strings.HasPrefix(h, name+"=") {
						raw = h
					}
					if strings.HasPrefix(h, "lotse_session=") && secure || strings.HasPrefix(h, "__Host-") && !secure {
						t.Errorf("%s: cookie with the wrong name: %s", what, h)
					}
				}
				if raw == "" {
					t.Fatalf("%s: no %s cookie set (Set-Cookie %v)", what, name, p.Header.Values("Set-Cookie"))
				}
				c, err := http.ParseSetCookie(raw)
				if err != nil {
					t.Fatal(err)
				}
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
					t.Errorf("%s: %s, want HttpOnly, SameSite=Lax, Path=/ and no Domain", what, raw)
				}
				if !c.Expires.IsZero() || c.MaxAge != 0 || strings.Contains(raw, "Expires") || strings.Contains(raw, "Max-Age") {
					t.Errorf("%s: %s, want a session cookie without expiry", what, raw)
				}
				if c.Secure != secure {
					t.Errorf("%s: %s, Secure = %v, want %v", what, raw, c.Secure, secure)
				}
				return c.Value
			}

			// Step by step, carrying the cookie by hand: a browser over plain http would not
			// send back a Secure cookie.
			p := rawDo(t, mustReq(t, http.MethodGet, e.URL+"/auth/login/default?return=/api/v1/me", ""))
			pre := check(p, "pre-login session")
			e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
			p = rawDo(t, mustReq(t, http.MethodGet, p.Location(), ""))
			if !strings.HasPrefix(p.Location(), e.URL+"/auth/callback?") {
				t.Fatalf("provider answered %d %q", p.Status, p.Location())
			}
			p = rawDo(t, mustReq(t, http.MethodGet, p.Location(), name+"="+pre))
			if p.Status != http.StatusSeeOther || p.Location() != "/api/v1/me" {
				t.Fatalf("callback = %d %q: %s", p.Status, p.Location(), p.Body)
			}
			tok := check(p, "session after login")
			if tok == pre {
				t.Error("the token was not renewed at login")
			}
			if p = rawDo(t, mustReq(t, http.MethodGet, e.URL+"/api/v1/me", name+"="+tok)); p.Status != http.StatusOK {
				t.Fatalf("GET /api/v1/me with the session = %d: %s", p.Status, p.Body)
			}
			if hsts := p.Header.Get("Strict-Transport-Security"); (hsts != "") != secure {
				t.Errorf("Strict-Transport-Security = %q in secure=%v mode", hsts, secure)
			}
			// The other mode's cookie name does not count.
			other := "__Host-lotse_session"
			if secure {
				other = "lotse_session"
			}
			wantUnauthenticated(t, rawDo(t, mustReq(t, http.MethodGet, e.URL+"/api/v1/me", other+"="+tok)), "the session under the other cookie name")

			// Logout deletes the cookie.
			csrf := csrfInput.FindStringSubmatch(rawDo(t, mustReq(t, http.MethodGet, e.URL+"/", name+"="+tok)).Body)
			if csrf == nil {
				t.Fatal("no CSRF token on the start page")
			}
			req := mustReq(t, http.MethodPost, e.URL+"/auth/logout", name+"="+tok)
			req.Body = http.NoBody
			req.Header.Set("X-CSRF-Token", csrf[1])
			p = rawDo(t, req)
			if p.Status != http.StatusSeeOther {
				t.Fatalf("logout = %d: %s", p.Status, p.Body)
			}
			var deleted bool
			for _, c := range p.Cookies {
				deleted = deleted || c.Name == name && c.Value == "" && c.MaxAge < 0
			}
			if !deleted {
				t.Errorf("logout did not delete the cookie: %v", p.Header.Values("Set-Cookie"))
			}
			wantUnauthenticated(t, rawDo(t, mustReq(t, http.MethodGet, e.URL+"/api/v1/me", name+"="+tok)), "after logout")
		})
	}
}

func mustReq(t *testing.T, method, u, cookie string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req
}

// TestSessionsAcrossInstances: two Lotse instances on one database (behind a load balancer)
// share sessions; a logout on one ends the session on the other.
func TestSessionsAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil) // instance A
	srvB, _ := listener(t)
	cfgB := baseConfig(e.DB.URL, e.URL) // the same public URL: both are behind one name
	cfgB.OIDCIssuer, cfgB.OIDCClientID, cfgB.OIDCClientSecret = e.Mock.Issuer(), e.Mock.ClientID, e.Mock.ClientSecret
	b := startLotse(t, srvB, cfgB, e.Clock)

	br := newBrowser(t)
	tok := e.loginOK(br) // on A
	p := meWithToken(t, b.URL, "lotse_session", tok)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Anna Amsel") {
		t.Fatalf("the session made on A on instance B: %d %s", p.Status, p.Body)
	}

	// A login begun on B finishes on A (the login state is in the shared session).
	br2 := newBrowser(t)
	br2.stopAt[strings.TrimPrefix(e.URL, "http://")] = true // the provider sends it to A
	e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	p = br2.get(b.URL + "/auth/login/default?return=/")
	cb, err := url.Parse(p.Location())
	if err != nil || cb.Path != "/auth/callback" {
		t.Fatalf("want the provider's redirect to A's callback, got %d %q", p.Status, p.Location())
	}
	delete(br2.stopAt, cb.Host)
	if p = br2.get(cb.String()); p.Status != http.StatusOK || p.URL.Path != "/" {
		t.Fatalf("callback on A for a login begun on B: %s %d: %s", p.URL, p.Status, p.Body)
	}

	// Logout on B (the jar sends the cookie to both: one host, two ports).
	if p = br.logout(b.URL); p.Status != http.StatusSeeOther {
		t.Fatalf("logout on B = %d: %s", p.Status, p.Body)
	}
	wantUnauthenticated(t, meWithToken(t, e.URL, "lotse_session", tok), "the session on A after logout on B")
	wantUnauthenticated(t, meWithToken(t, b.URL, "lotse_session", tok), "the session on B after logout on B")
}

// TestLogoutIsNotUndoneByARequestInFlight: a request that loaded the session before the
// logout (another tab, a slow page, an attacker's long request with a stolen cookie) must
// not bring the session back when it saves the session at its end.
func TestLogoutIsNotUndoneByARequestInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	e := newMockEnv(t, nil, func(e *echo.Echo) {
		e.GET("/test/slow", func(c echo.Context) error {
			entered <- struct{}{}
			<-release
			return c.String(http.StatusOK, "done")
		})
	})
	b := newBrowser(t)
	tok := e.loginOK(b)
	csrf := b.csrf(e.URL)

	done := make(chan page, 1)
	go func() { done <- rawDo(t, mustReq(t, http.MethodGet, e.URL+"/test/slow", "lotse_session="+tok)) }()
	<-entered
	if p := b.once(http.MethodPost, e.URL+"/auth/logout", url.Values{"_csrf": {csrf}}); p.Status != http.StatusSeeOther {
		t.Fatalf("logout = %d: %s", p.Status, p.Body)
	}
	if n := e.DB.sessionRows(t, tok); n != 0 {
		t.Fatalf("the session is still stored right after logout (%d rows)", n)
	}
	close(release)
	p := <-done
	if p.Status != http.StatusOK {
		t.Fatalf("the slow request = %d", p.Status)
	}
	if n := e.DB.sessionRows(t, tok); n != 0 {
		t.Errorf("the request in flight stored the logged-out session again (%d rows)", n)
	}
	wantUnauthenticated(t, meWithToken(t, e.URL, "lotse_session", tok), "the logged-out token after the request in flight ended")
	for _, c := range p.Cookies {
		if c.Name == "lotse_session" && c.Value != "" {
			t.Errorf("the request in flight handed out a session cookie: %s", c)
		}
	}
}
