package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/model"
)

// devTokens runs the authorization code flow of the test's own client at the development
// identity provider as subject and returns the access token (aud = the API audience) and the
// ID token (aud = the client).
func devTokens(t *testing.T, idp *devIdP, client, subject string) (access, id string) {
	t.Helper()
	b := newBrowser(t)
	b.stopAt["127.0.0.1:1"] = true
	oc := oauth2.Config{
		ClientID: client, ClientSecret: client + "-secret", RedirectURL: toolRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: idp.disco.Authorization, TokenURL: idp.disco.Token},
		Scopes:   []string{"openid", "profile", "email"},
	}
	v := oauth2.GenerateVerifier()
	p := b.chooseAccount(b.get(oc.AuthCodeURL("state-1", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", "nonce-1"))), subject)
	loc, err := url.Parse(p.Location())
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in the redirect %q (%d): %s", p.Location(), p.Status, p.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := oc.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	id, _ = tok.Extra("id_token").(string)
	if tok.AccessToken == "" || id == "" {
		t.Fatalf("token response without access or ID token: %+v", tok)
	}
	return tok.AccessToken, id
}

// serviceToken gets an access token with the client_credentials grant; its subject is the
// client id.
func serviceToken(t *testing.T, idp *devIdP, client string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: client, ClientSecret: client + "-secret", TokenURL: idp.disco.Token}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client_credentials for %s: %v", client, err)
	}
	return tok.AccessToken
}

func bearer(t *testing.T, method, u, token, body string) page {
	t.Helper()
	var req *http.Request
	if body != "" {
		req, _ = http.NewRequest(method, u, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequest(method, u, nil)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	p := rawDo(t, req)
	if len(p.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("%s %s with a bearer token set cookies: %v", method, u, p.Header.Values("Set-Cookie"))
	}
	return p
}

// TestBearerTokens: API clients call /api/v1 with access tokens of a configured provider,
// without cookies or CSRF tokens; only an active account of exactly (issuer, subject) is
// accepted, only with the API audience, only unexpired.
func TestBearerTokens(t *testing.T) {
	t.Parallel()
	d := newTestDB(t)
	city := d.org(t, "STADT", "Stadt Osnabrück")
	srv, base := listener(t)
	idp := startDevIdP(t, base, []devidp.Account{
		{Subject: "carl", Email: "carl@stadt.test", Name: "Carl (IdP)"},
		{Subject: "nobody", Email: "nobody@stadt.test", Name: "Nobody"},
	}, "tool", "svc-admin", "stranger")
	carl := d.user(t, idp.Issuer(), "carl", "carl@stadt.test", "Carl Caseworker", true, grant{city, model.RoleCaseworker})
	d.user(t, idp.Issuer(), "svc-admin", "", "Fachverfahren-Schnittstelle", true, grant{city, model.RoleSysadmin})
	// Same subject at another issuer: must not be matched.
	d.user(t, "https://other.example", "nobody", "", "Other Nobody", true, grant{city, model.RoleSysadmin})
	clock := newClock()
	cfg := baseConfig(d.URL, base)
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = idp.Issuer(), idp.ClientID, idp.Secret
	cfg.OIDCAPIAudience = devAudience
	l := startLotse(t, srv, cfg, clock)
	meURL := l.URL + "/api/v1/me"

	svc := serviceToken(t, idp, "svc-admin")
	p := bearer(t, http.MethodGet, meURL, svc, "")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `"display_name":"Fachverfahren-Schnittstelle"`) {
		t.Fatalf("GET /api/v1/me with a service token = %d: %s", p.Status, p.Body)
	}
	// A state-changing call needs no CSRF token on the bearer path.
	p = bearer(t, http.MethodPost, l.URL+"/api/v1/organisations", svc, `{"kind":"welfare","name":"Neuer Träger","short_name":"NEU"}`)
	if p.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/organisations with a sysadmin's bearer token = %d, want 201: %s", p.Status, p.Body)
	}
	if n := d.count(t, `SELECT count(*) FROM organisations WHERE short_name = 'NEU'`); n != 1 {
		t.Errorf("the organisation was not created (%d rows)", n)
	}
	if n := d.count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Errorf("bearer requests left %d sessions", n)
	}

	access, idToken := devTokens(t, idp, "tool", "carl")
	p = bearer(t, http.MethodGet, meURL, access, "")
	var m me
	if p.Status != http.StatusOK || json.Unmarshal([]byte(p.Body), &m) != nil || m.ID != carl.ID {
		t.Fatalf("GET /api/v1/me with Carl's access token = %d: %s", p.Status, p.Body)
	}
	p = bearer(t, http.MethodPost, l.URL+"/api/v1/organisations", access, `{"kind":"welfare","name":"Nicht erlaubt","short_name":"NEIN"}`)
	if p.Status != http.StatusForbidden {
		t.Errorf("POST /api/v1/organisations as a caseworker = %d, want 403: %s", p.Status, p.Body)
	}

	nobody, _ := devTokens(t, idp, "tool", "nobody")
	for _, c := range []struct{ name, token string }{
		{"the ID token (audience is the client, not the API)", idToken},
		{"a client without an account", serviceToken(t, idp, "stranger")},
		{"an account of the same subject at another issuer", nobody},
		{"no JWT", "not-a-token"},
		{"a tampered token", access[:len(access)-4] + "AAAA"},
		{"an empty token", ""},
	} {
		wantUnauthenticated(t, bearer(t, http.MethodGet, meURL, c.token, ""), "bearer: "+c.name)
	}
	// A deactivated account's tokens stop working at once.
	d.exec(t, `UPDATE users SET active = false WHERE id = $1`, carl.ID)
	wantUnauthenticated(t, bearer(t, http.MethodGet, meURL, access, ""), "bearer: deactivated account")
	d.exec(t, `UPDATE users SET active = true WHERE id = $1`, carl.ID)
	if p := bearer(t, http.MethodGet, meURL, access, ""); p.Status != http.StatusOK {
		t.Fatalf("reactivated: %d", p.Status)
	}
	// Expired tokens (the provider's access tokens live an hour).
	clock.Advance(61 * time.Minute)
	wantUnauthenticated(t, bearer(t, http.MethodGet, meURL, access, ""), "bearer: expired access token")
	wantUnauthenticated(t, bearer(t, http.MethodGet, meURL, svc, ""), "bearer: expired service token")
}
