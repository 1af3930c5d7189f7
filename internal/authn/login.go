package authn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Login failures that the web layer shows as their own pages.
var (
	// ErrStateMismatch: the callback does not belong to a login started in this session
	// (forged, replayed or from another browser tab that has finished already).
	ErrStateMismatch = errors.New("login state mismatch")
	// ErrLoginFailed: the provider refused, the code exchange failed or the ID token did not
	// verify. The details are logged, never shown.
	ErrLoginFailed = errors.New("login failed")
)

// Identity is what a verified ID token or access token says about the person.
type Identity struct {
	ProviderID    string
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// Claims holds every claim, for claim-mapping rules.
	Claims map[string]any
}

// LoginState is kept in the session between the redirect to the provider and the callback.
type LoginState struct {
	ProviderID string
	State      string
	Nonce      string
	Verifier   string
	ReturnTo   string
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Begin starts a login at provider p: it returns the provider's authorization URL (with
// state, nonce and an S256 PKCE challenge) and the state to keep in the session.
func (p *Provider) Begin(ctx context.Context, returnTo string) (string, LoginState, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return "", LoginState{}, err
	}
	ls := LoginState{ProviderID: p.Config.ID, State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(), ReturnTo: returnTo}
	u := p.oauth2(op).AuthCodeURL(ls.State, oidc.Nonce(ls.Nonce), oauth2.S256ChallengeOption(ls.Verifier))
	return u, ls, nil
}

// Finish completes a login: it checks that the callback's state is the one kept in the
// session, exchanges the code with the PKCE verifier, verifies the ID token (signature
// through the provider's keys, issuer, audience, expiry) and its nonce, and returns the
// identity and the raw ID token (for logout at the provider).
func (p *Provider) Finish(ctx context.Context, ls LoginState, state, code string) (Identity, string, error) {
	if ls.State == "" || subtle.ConstantTimeCompare([]byte(ls.State), []byte(state)) != 1 {
		return Identity{}, "", ErrStateMismatch
	}
	if code == "" {
		return Identity{}, "", fmt.Errorf("authn: callback without code: %w", ErrLoginFailed)
	}
	op, err := p.discover(ctx)
	if err != nil {
		return Identity{}, "", err
	}
	cctx := oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth2(op).Exchange(cctx, code, oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		return Identity{}, "", fmt.Errorf("authn: exchange code at %s: %w: %v", p.Config.ID, ErrLoginFailed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, "", fmt.Errorf("authn: %s returned no ID token: %w", p.Config.ID, ErrLoginFailed)
	}
	v := op.Verifier(&oidc.Config{ClientID: p.Config.ClientID, Now: p.now})
	idt, err := v.Verify(cctx, raw)
	if err != nil {
		return Identity{}, "", fmt.Errorf("authn: verify ID token from %s: %w: %v", p.Config.ID, ErrLoginFailed, err)
	}
	// go-oidc does not check the nonce: compare it ourselves, in constant time.
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(ls.Nonce)) != 1 {
		return Identity{}, "", fmt.Errorf("authn: ID token from %s: nonce mismatch: %w", p.Config.ID, ErrLoginFailed)
	}
	if !idt.IssuedAt.IsZero() && idt.IssuedAt.After(p.now().Add(5*time.Minute)) {
		return Identity{}, "", fmt.Errorf("authn: ID token from %s issued in the future: %w", p.Config.ID, ErrLoginFailed)
	}
	id, err := identity(p.Config.ID, idt)
	if err != nil {
		return Identity{}, "", err
	}
	return id, raw, nil
}

func identity(providerID string, t *oidc.IDToken) (Identity, error) {
	var claims map[string]any
	if err := t.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("authn: read claims: %w", ErrLoginFailed)
	}
	id := Identity{ProviderID: providerID, Issuer: t.Issuer, Subject: t.Subject, Claims: claims}
	if id.Subject == "" {
		return Identity{}, fmt.Errorf("authn: token without subject: %w", ErrLoginFailed)
	}
	id.Email, _ = claims["email"].(string)
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string: // some providers send "true"
		id.EmailVerified = v == "true"
	}
	id.Name, _ = claims["name"].(string)
	if id.Name == "" {
		id.Name, _ = claims["preferred_username"].(string)
	}
	return id, nil
}

// EndSessionURL is where the browser goes after logout to end the session at the provider
// too, or "" when the provider has no end_session_endpoint (or was never discovered).
func (p *Provider) EndSessionURL(idToken, postLogoutRedirect string) string {
	p.mu.Lock()
	end := p.endSess
	p.mu.Unlock()
	if end == "" {
		return ""
	}
	u, err := url.Parse(end)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", postLogoutRedirect)
	q.Set("client_id", p.Config.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// Origin returns the scheme and host of the provider's endpoints, for the CSP form-action.
func (p *Provider) Origin() string {
	u, err := url.Parse(p.Config.Issuer)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// SafeReturn accepts only local paths as the page to return to after login, so that the
// login cannot be abused as an open redirect. Anything else becomes "/".
func SafeReturn(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}
