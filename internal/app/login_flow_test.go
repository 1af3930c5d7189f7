package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/model"
)

// TestLoginFullFlowMockOIDC signs in through an in-process OpenID Connect provider: the API
// refuses before, the login renews the session token (session fixation), /api/v1/me shows the
// account, logout ends the session on the server, and the old tokens are worthless.
func TestLoginFullFlowMockOIDC(t *testing.T) {
	t.Parallel()
	e := newMockEnv(t, nil)
	b := newBrowser(t)

	wantUnauthenticated(t, b.get(e.URL+"/api/v1/me"), "GET /api/v1/me before login")

	// The login starts: one provider, so /login goes straight to it.
	p := b.once(http.MethodGet, e.URL+"/login?return=/api/v1/me", nil)
	if p.Status != http.StatusSeeOther || p.Location() != "/auth/login/default?return=%2Fapi%2Fv1%2Fme" {
		t.Fatalf("GET /login = %d Location %q, want 303 to /auth/login/default", p.Status, p.Location())
	}
	p = b.once(http.MethodGet, e.URL+p.Location(), nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), e.Mock.AuthorizationEndpoint()+"?") {
		t.Fatalf("GET /auth/login/default = %d Location %q, want 303 to the provider", p.Status, p.Location())
	}
	q, _ := url.Parse(p.Location())
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Query().Get(k) == "" {
			t.Errorf("authorization request without %s: %s", k, p.Location())
		}
	}
	if q.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("code_challenge_method = %q, want S256", q.Query().Get("code_challenge_method"))
	}
	// The pre-login session holds the login state; an attacker could have planted its token.
	planted := b.cookie(e.URL, "lotse_session")
	if planted == "" || e.DB.sessionRows(t, planted) != 1 {
		t.Fatalf("no pre-login session (cookie %q)", planted)
	}

	e.Mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	p = b.get(p.Location())
	if p.Status != http.StatusOK || p.URL.Path != "/api/v1/me" || p.URL.Host != strings.TrimPrefix(e.URL, "http://") {
		t.Fatalf("login ended at %s with %d, want /api/v1/me: %s", p.URL, p.Status, p.Body)
	}

	tok := b.cookie(e.URL, "lotse_session")
	if tok == "" || tok == planted {
		t.Fatalf("the session token was not renewed at login (before %q, after %q)", planted, tok)
	}
	if n := e.DB.sessionRows(t, planted); n != 0 {
		t.Errorf("the pre-login session is still stored (%d rows)", n)
	}
	wantUnauthenticated(t, meWithToken(t, e.URL, "lotse_session", planted), "the planted pre-login token after login")

	m := b.getMe(e.URL)
	if m.ID != e.Anna.ID || m.DisplayName != "Anna Amsel" {
		t.Errorf("me = %+v, want Anna Amsel (%s)", m, e.Anna.ID)
	}
	if got := m.roles(); !slices.Equal(got, []string{"STADT:caseworker"}) {
		t.Errorf("roles = %v, want [STADT:caseworker]", got)
	}
	if m.Organisation == nil || m.Organisation.Name != "Stadt Osnabrück" {
		t.Errorf("acting organisation = %+v, want Stadt Osnabrück", m.Organisation)
	}
	if n := e.DB.count(t, `SELECT count(*) FROM users WHERE id = $1 AND last_login_at IS NOT NULL`, e.Anna.ID); n != 1 {
		t.Error("the sign-in time was not recorded")
	}
	if n := e.DB.count(t, `SELECT count(*) FROM audit_events WHERE action = 'session.login' AND object_id = $1`, e.Anna.ID); n != 1 {
		t.Errorf("audit events for the login: %d, want 1", n)
	}

	// Logout: mockoidc has no end_session_endpoint, so Lotse's own page follows.
	p = b.logout(e.URL)
	if p.Status != http.StatusSeeOther || p.Location() != "/logged-out" {
		t.Fatalf("logout = %d Location %q, want 303 to /logged-out", p.Status, p.Location())
	}
	if p = b.get(e.URL + p.Location()); p.Status != http.StatusOK {
		t.Errorf("GET /logged-out = %d", p.Status)
	}
	if c := b.cookie(e.URL, "lotse_session"); c == tok {
		t.Error("the browser still holds the session cookie after logout")
	}
	wantUnauthenticated(t, b.get(e.URL+"/api/v1/me"), "GET /api/v1/me after logout")
	wantUnauthenticated(t, meWithToken(t, e.URL, "lotse_session", tok), "the old session token sent by hand after logout")
	if n := e.DB.sessionRows(t, tok); n != 0 {
		t.Errorf("the session is still stored after logout (%d rows)", n)
	}
}

// TestLoginFullFlowDevIdP signs in through the development identity provider's real login
// form; the account was pre-provisioned by e-mail and is linked at this first sign-in (the
// provider is trusted for e-mail). Logout ends the session at the provider too.
func TestLoginFullFlowDevIdP(t *testing.T) {
	t.Parallel()
	d := newTestDB(t)
	city := d.org(t, "STADT", "Stadt Osnabrück")
	u := d.user(t, "", "", "Bea@Stadt.test", "Bea Biber", true, grant{city, model.RoleLead})
	srv, base := listener(t)
	idp := startDevIdP(t, base, []devidp.Account{
		{Subject: "bea", Email: "bea@stadt.test", Name: "Bea B. (IdP)", Role: "Leitung", Org: "Stadt"},
		{Subject: "someone", Email: "someone@stadt.test", Name: "Someone Else"},
	})
	cfg := baseConfig(d.URL, base)
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = idp.Issuer(), idp.ClientID, idp.Secret
	cfg.OIDCTrustEmail, cfg.OIDCAPIAudience, cfg.OIDCName = true, devAudience, "Entwicklungs-Anmeldung"
	l := startLotse(t, srv, cfg, nil)
	b := newBrowser(t)

	wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "GET /api/v1/me before login")
	p := b.get(l.URL + "/login?return=/")
	if !strings.HasPrefix(p.URL.String(), idp.Issuer()+"/login?") {
		t.Fatalf("the login did not reach the provider's login page: %s (%d)", p.URL, p.Status)
	}
	p = b.chooseAccount(p, "bea")
	if p.Status != http.StatusOK || p.URL.String() != l.URL+"/" {
		t.Fatalf("after the provider's form: %s %d, want Lotse's start page: %s", p.URL, p.Status, p.Body)
	}
	if !strings.Contains(p.Body, "Bea Biber") {
		t.Errorf("the start page does not greet the user:\n%s", p.Body)
	}
	m := b.getMe(l.URL)
	if m.ID != u.ID || m.DisplayName != "Bea Biber" || !slices.Equal(m.roles(), []string{"STADT:lead"}) {
		t.Errorf("me = %+v (roles %v), want the pre-provisioned account with STADT:lead", m, m.roles())
	}
	var issuer, subject string
	if err := d.DB.Pool.QueryRow(t.Context(), `SELECT issuer, coalesce(subject, '') FROM users WHERE id = $1`, u.ID).Scan(&issuer, &subject); err != nil {
		t.Fatal(err)
	}
	if issuer != idp.Issuer() || subject != "bea" {
		t.Errorf("account linked to (%q, %q), want (%q, bea)", issuer, subject, idp.Issuer())
	}

	// Logout ends the session here and at the provider, which sends the browser back.
	tok := b.cookie(l.URL, "lotse_session")
	p = b.logout(l.URL)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), idp.disco.EndSession+"?") {
		t.Fatalf("logout = %d Location %q, want 303 to %s", p.Status, p.Location(), idp.disco.EndSession)
	}
	es, _ := url.Parse(p.Location())
	if es.Query().Get("id_token_hint") == "" || es.Query().Get("post_logout_redirect_uri") != l.URL+"/logged-out" || es.Query().Get("client_id") != idp.ClientID {
		t.Errorf("end_session request %s lacks id_token_hint, post_logout_redirect_uri or client_id", p.Location())
	}
	p = b.get(p.Location())
	if p.Status != http.StatusOK || p.URL.String() != l.URL+"/logged-out" {
		t.Errorf("after the provider's logout: %s %d, want Lotse's /logged-out", p.URL, p.Status)
	}
	wantUnauthenticated(t, b.get(l.URL+"/api/v1/me"), "GET /api/v1/me after logout")
	wantUnauthenticated(t, meWithToken(t, l.URL, "lotse_session", tok), "the old session token after logout")

	// Signing in again finds the now linked account by (issuer, subject).
	p = b.chooseAccount(b.get(l.URL+"/login?return=/api/v1/me"), "bea")
	if p.Status != http.StatusOK || b.getMe(l.URL).ID != u.ID {
		t.Errorf("second sign-in: %d %s", p.Status, p.Body)
	}
	// Another account of the same provider has no Lotse account.
	b2 := newBrowser(t)
	p = b2.chooseAccount(b2.get(l.URL+"/login?return=/"), "someone")
	wantErrorPage(t, p, http.StatusForbidden, "Konto noch nicht freigeschaltet", "unknown account of the development provider")
}
