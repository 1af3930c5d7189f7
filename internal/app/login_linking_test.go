package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/lotse-project/lotse/internal/model"
)

// TestLoginLinkingRules: how a verified identity becomes (or does not become) a Lotse
// account at its first sign-in, and how deactivation locks a user out.
func TestLoginLinkingRules(t *testing.T) {
	t.Parallel()
	d := newTestDB(t)
	city := d.org(t, "STADT", "Stadt Osnabrück")
	d.org(t, "CARITAS", "Caritasverband Osnabrück")
	m := startMock(t)
	erika := d.user(t, "", "", "erika@stadt.test", "Erika Email", true, grant{city, model.RoleCaseworker})
	d.user(t, m.Issuer(), "sub-deact", "", "Dieter Deaktiviert", false, grant{city, model.RoleCaseworker})
	lena := d.user(t, m.Issuer(), "sub-lena", "", "Lena Later", true, grant{city, model.RoleCaseworker})
	vorab := d.user(t, "", "", "chris@caritas.test", "Chris Vorab", true)

	// Two providers at the same mockoidc: "mock" is not trusted for e-mail but maps a groups
	// claim to a role; "mocktrust" is trusted for e-mail.
	srv, base := listener(t)
	cfg := baseConfig(d.URL, base)
	cfg.OIDCProvidersFile = providersFile(t, fmt.Sprintf(`providers:
  - id: mock
    name: Testanmeldung
    issuer: %[1]s
    client_id: %[2]s
    client_secret: %[3]s
    scopes: [openid, profile, email, groups]
    claim_mappings:
      - {claim: groups, value: lotse-caritas, org: CARITAS, role: caseworker}
      - {claim: groups, value: lotse-dsb, org: STADT, role: dpo}
  - id: mocktrust
    name: Testanmeldung mit E-Mail
    issuer: %[1]s
    client_id: %[2]s
    client_secret: %[3]s
    trust_email: true
`, m.Issuer(), m.ClientID, m.ClientSecret))
	l := startLotse(t, srv, cfg, nil)

	login := func(b *browser, provider string, u *mockoidc.MockUser) page {
		t.Helper()
		m.QueueUser(u)
		return b.get(l.URL + "/auth/login/" + provider + "?return=" + url.QueryEscape("/api/v1/me"))
	}
	linked := func(id fmt.Stringer) string {
		t.Helper()
		var s string
		if err := d.DB.Pool.QueryRow(t.Context(), `SELECT coalesce(subject, '') FROM users WHERE id = $1`, id.String()).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("e-mail account, provider not trusted for e-mail: not activated", func(t *testing.T) {
		for _, c := range []struct{ lang, title string }{{"", "Konto noch nicht freigeschaltet"}, {"en", "Account not yet activated"}} {
			b := newBrowser(t)
			b.lang = c.lang
			p := login(b, "mock", mockUser("sub-erika", "erika@stadt.test", "erika"))
			wantErrorPage(t, p, http.StatusForbidden, c.title, "untrusted e-mail ("+c.lang+")")
			wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "after the refusal")
		}
		if s := linked(erika.ID); s != "" {
			t.Errorf("the e-mail account was linked to %q by an untrusted provider", s)
		}
	})

	t.Run("e-mail account, trusted provider, unverified e-mail: not activated", func(t *testing.T) {
		b := newBrowser(t)
		u := mockUser("sub-erika", "erika@stadt.test", "erika")
		u.EmailVerified = false
		wantErrorPage(t, login(b, "mocktrust", u), http.StatusForbidden, "Konto noch nicht freigeschaltet", "unverified e-mail")
		if s := linked(erika.ID); s != "" {
			t.Errorf("the e-mail account was linked to %q through an unverified e-mail", s)
		}
	})

	t.Run("e-mail account, trusted provider, verified e-mail: linked", func(t *testing.T) {
		b := newBrowser(t)
		if p := login(b, "mocktrust", mockUser("sub-erika", "ERIKA@stadt.test", "erika")); p.Status != http.StatusOK {
			t.Fatalf("login = %d: %s", p.Status, p.Body)
		}
		me := b.getMe(l.URL)
		if me.ID != erika.ID || !slices.Equal(me.roles(), []string{"STADT:caseworker"}) {
			t.Errorf("me = %+v %v, want Erika's account", me, me.roles())
		}
		if s := linked(erika.ID); s != "sub-erika" {
			t.Errorf("subject = %q, want sub-erika", s)
		}
		// Linked now: the untrusted provider of the same issuer finds it by (issuer, subject).
		b2 := newBrowser(t)
		if p := login(b2, "mock", mockUser("sub-erika", "", "erika")); p.Status != http.StatusOK || b2.getMe(l.URL).ID != erika.ID {
			t.Errorf("second login by (issuer, subject) = %d: %s", p.Status, p.Body)
		}
	})

	t.Run("claim mapping creates the account with its grant", func(t *testing.T) {
		b := newBrowser(t)
		if p := login(b, "mock", mockUser("sub-neu", "neu@caritas.test", "neu.nutzer", "other", "lotse-caritas")); p.Status != http.StatusOK {
			t.Fatalf("login = %d: %s", p.Status, p.Body)
		}
		me := b.getMe(l.URL)
		if me.DisplayName != "neu.nutzer" || !slices.Equal(me.roles(), []string{"CARITAS:caseworker"}) {
			t.Errorf("me = %+v %v, want a new account with CARITAS:caseworker", me, me.roles())
		}
		// The second sign-in finds the account; no second account, no second grant.
		b2 := newBrowser(t)
		login(b2, "mock", mockUser("sub-neu", "neu@caritas.test", "neu.nutzer", "lotse-caritas"))
		if me2 := b2.getMe(l.URL); me2.ID != me.ID || len(me2.roles()) != 1 {
			t.Errorf("second login: %+v, want the same account with one role", me2)
		}
		if n := d.count(t, `SELECT count(*) FROM users WHERE subject = 'sub-neu'`); n != 1 {
			t.Errorf("%d accounts for sub-neu", n)
		}
	})

	t.Run("claim mappings never combine roles the separation of duties keeps apart", func(t *testing.T) {
		// Groups for the data protection officer and a Caritas counsellor at once: the account
		// gets the role without case content only.
		b := newBrowser(t)
		if p := login(b, "mock", mockUser("sub-dsb", "dsb@stadt.test", "dsb", "lotse-caritas", "lotse-dsb")); p.Status != http.StatusOK {
			t.Fatalf("login = %d: %s", p.Status, p.Body)
		}
		if me := b.getMe(l.URL); !slices.Equal(me.roles(), []string{"STADT:dpo"}) {
			t.Errorf("roles %v, want only STADT:dpo", me.roles())
		}
		if n := d.count(t, `SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.subject = 'sub-dsb'`); n != 1 {
			t.Errorf("%d grants stored, want 1", n)
		}
	})

	t.Run("claim mapping for an e-mail that another account holds", func(t *testing.T) {
		// The provider is not trusted for e-mail, so the pre-provisioned account must not be
		// taken over; the mapping still gives the person an account of their own.
		b := newBrowser(t)
		p := login(b, "mock", mockUser("sub-chris", "chris@caritas.test", "chris", "lotse-caritas"))
		if p.Status != http.StatusOK {
			t.Fatalf("login = %d: %s", p.Status, p.Body)
		}
		me := b.getMe(l.URL)
		if me.ID == vorab.ID || !slices.Equal(me.roles(), []string{"CARITAS:caseworker"}) {
			t.Errorf("me = %+v %v, want a new account with CARITAS:caseworker", me, me.roles())
		}
		if s := linked(vorab.ID); s != "" {
			t.Errorf("the pre-provisioned account was taken over (subject %q)", s)
		}
	})

	t.Run("no account and no mapping: not activated", func(t *testing.T) {
		b := newBrowser(t)
		b.lang = "en"
		p := login(b, "mock", mockUser("sub-nobody", "nobody@example.test", "nobody", "engineering"))
		wantErrorPage(t, p, http.StatusForbidden, "Account not yet activated", "no account")
		if n := d.count(t, `SELECT count(*) FROM users WHERE subject = 'sub-nobody'`); n != 0 {
			t.Errorf("an account was created for an unmapped identity")
		}
	})

	t.Run("deactivated account: refused at login", func(t *testing.T) {
		for _, c := range []struct{ lang, title string }{{"de", "Konto deaktiviert"}, {"en", "Account deactivated"}} {
			b := newBrowser(t)
			b.lang = c.lang
			wantErrorPage(t, login(b, "mock", mockUser("sub-deact", "", "dieter")), http.StatusForbidden, c.title, "deactivated ("+c.lang+")")
			wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "deactivated, after the refusal")
		}
	})

	t.Run("deactivated while signed in: locked out at the next request", func(t *testing.T) {
		b := newBrowser(t)
		if p := login(b, "mock", mockUser("sub-lena", "", "lena")); p.Status != http.StatusOK {
			t.Fatalf("login = %d: %s", p.Status, p.Body)
		}
		b.getMe(l.URL)
		d.exec(t, `UPDATE users SET active = false WHERE id = $1`, lena.ID)
		wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "the API right after deactivation")
		p := b.once(http.MethodGet, l.URL+"/", nil)
		if p.Status != http.StatusSeeOther || p.Location() != "/login?return=%2F" {
			t.Errorf("GET / right after deactivation = %d %q, want 303 to the login", p.Status, p.Location())
		}
		// The login page must not send the still-open session back to the page (a loop).
		p = b.get(l.URL + "/")
		if p.Status != http.StatusOK || p.URL.Path != "/login" {
			t.Fatalf("GET / after deactivation ends at %s with %d, want the login page", p.URL, p.Status)
		}
		wantErrorPage(t, login(b, "mock", mockUser("sub-lena", "", "lena")), http.StatusForbidden, "Konto deaktiviert", "deactivated, signing in again")
	})
}
