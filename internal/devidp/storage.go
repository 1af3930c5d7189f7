package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes. Generous, because this provider only serves a developer's own
// machine, and short enough that memory does not grow without bound.
const (
	authRequestLifetime = 15 * time.Minute // from /authorize to the code exchange
	accessTokenLifetime = time.Hour
	idTokenLifetime     = time.Hour
)

// errNotFound is what the storage answers for an unknown auth request, code,
// token or client. zitadel turns it into the right OAuth error.
var errNotFound = errors.New("devidp: not found")

// storage is the in-memory op.Storage of the development provider, adapted
// from zitadel's example/server/storage (which keeps its clients in a package
// variable and carries demo users and service keys of its own, so it is not
// imported). It knows only the configured accounts and clients; everything
// else (auth requests, codes, tokens) lives until the process ends or the
// entry expires.
type storage struct {
	accounts    map[string]Account // by subject
	clients     map[string]*client // by client id
	apiAudience string
	signingKey  *signingKey

	mu           sync.Mutex
	authRequests map[string]*authRequest // by id
	codes        map[string]string       // code -> auth request id
	tokens       map[string]*token       // by token id (the JWT's jti)
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.ClientCredentialsStorage  = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func newStorage(cfg Config) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate signing key: %w", err)
	}
	s := &storage{
		accounts:     make(map[string]Account, len(cfg.Accounts)),
		clients:      make(map[string]*client, len(cfg.Clients)),
		apiAudience:  cfg.APIAudience,
		signingKey:   &signingKey{id: uuid.NewString(), key: key},
		authRequests: make(map[string]*authRequest),
		codes:        make(map[string]string),
		tokens:       make(map[string]*token),
	}
	for _, a := range cfg.Accounts {
		s.accounts[a.Subject] = a
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = &client{
			id:                     c.ID,
			secret:                 c.Secret,
			redirectURIs:           slices.Clone(c.RedirectURIs),
			postLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs),
		}
	}
	return s, nil
}

// accessTokenAudience is the aud of every access token issued to clientID:
// the API audience when one is configured (so that Lotse's bearer-token API can
// be tried against this provider), otherwise the client itself. The client is
// deliberately not added next to the API audience: an access token must not
// pass as an ID token at the client, nor an ID token as an access token at the
// API.
func (s *storage) accessTokenAudience(clientID string) []string {
	if s.apiAudience != "" {
		return []string{s.apiAudience}
	}
	return []string{clientID}
}

// completeLogin is called by the login page: it marks the auth request id as
// signed in by the account with the given subject.
func (s *storage) completeLogin(id, subject string) error {
	if _, ok := s.accounts[subject]; !ok {
		return fmt.Errorf("devidp: unknown account: %w", errNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok || req.expired(time.Now()) {
		return fmt.Errorf("devidp: auth request: %w", errNotFound)
	}
	if req.done {
		return errors.New("devidp: auth request already completed")
	}
	req.subject = subject
	req.authTime = time.Now()
	req.done = true
	return nil
}

// pendingAuthRequest reports whether id names an auth request that still waits
// for the login page.
func (s *storage) pendingAuthRequest(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	return ok && !req.done && !req.expired(time.Now())
}

// pruneLocked drops expired auth requests, codes and tokens. s.mu is held.
func (s *storage) pruneLocked(now time.Time) {
	for id, req := range s.authRequests {
		if req.expired(now) {
			delete(s.authRequests, id)
		}
	}
	for code, id := range s.codes {
		if _, ok := s.authRequests[id]; !ok {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expiration) {
			delete(s.tokens, id)
		}
	}
}

// CreateAuthRequest implements op.Storage. It is called once zitadel has
// validated the client, redirect URI, scopes and response type.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	// There is no login session at this provider, so it can never answer
	// without showing the login page.
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	// Lotse always sends PKCE with S256; refusing requests without it makes a
	// regression in the relying party show up in development, not later.
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	now := time.Now()
	ar := &authRequest{
		id:            uuid.NewString(),
		created:       now,
		clientID:      req.ClientID,
		redirectURI:   req.RedirectURI,
		state:         req.State,
		nonce:         req.Nonce,
		scopes:        slices.Clone([]string(req.Scopes)),
		responseType:  req.ResponseType,
		responseMode:  req.ResponseMode,
		codeChallenge: &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.authRequests[ar.id] = ar
	return ar, nil
}

// AuthRequestByID implements op.Storage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok || req.expired(time.Now()) {
		return nil, fmt.Errorf("devidp: auth request: %w", errNotFound)
	}
	return req, nil
}

// AuthRequestByCode implements op.Storage.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, fmt.Errorf("devidp: code: %w", errNotFound)
	}
	req, ok := s.authRequests[id]
	if !ok || req.expired(time.Now()) {
		return nil, fmt.Errorf("devidp: code: %w", errNotFound)
	}
	return req, nil
}

// SaveAuthCode implements op.Storage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.Storage. zitadel calls it after the code
// exchange, which makes every code single-use.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for code, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// CreateAccessToken implements op.Storage. The token itself is a JWT that
// zitadel signs; the storage keeps its id so that the userinfo endpoint can
// find the subject and scopes again.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	var clientID string
	switch r := req.(type) {
	case *authRequest:
		clientID = r.clientID
	case *accessTokenRequest:
		clientID = r.clientID
	case *oidc.JWTTokenRequest: // client_credentials: the subject is the client
		clientID = r.Subject
	}
	t := &token{
		id:         uuid.NewString(),
		clientID:   clientID,
		subject:    req.GetSubject(),
		scopes:     slices.Clone(req.GetScopes()),
		expiration: time.Now().Add(accessTokenLifetime),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.id] = t
	return t.id, t.expiration, nil
}

// CreateAccessAndRefreshTokens implements op.Storage. Refresh tokens are not
// offered (no client has the refresh_token grant), so zitadel never calls it.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported by the development provider")
}

// TokenRequestByRefreshToken implements op.Storage; see CreateAccessAndRefreshTokens.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// GetRefreshTokenInfo implements op.Storage; see CreateAccessAndRefreshTokens.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession implements op.Storage. It is called by the end_session
// endpoint (RP-initiated logout); there is no login session to end here, so it
// drops the user's access tokens for the client, which stops them working at
// the userinfo endpoint.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

// RevokeToken implements op.Storage.
func (s *storage) RevokeToken(_ context.Context, tokenIDOrToken, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenIDOrToken]
	if !ok {
		return nil // unknown or already gone: the outcome the client asked for
	}
	if t.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	delete(s.tokens, tokenIDOrToken)
	return nil
}

// SigningKey implements op.Storage: one RS256 key, generated when the
// provider is created and never persisted, so tokens do not outlive a restart.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return s.signingKey, nil
}

// SignatureAlgorithms implements op.Storage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.Storage: the public half of the signing key, served at
// the JWKS endpoint.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.signingKey}}, nil
}

// GetClientByClientID implements op.Storage.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	c, ok := s.clients[clientID]
	if !ok {
		return nil, fmt.Errorf("devidp: client: %w", errNotFound)
	}
	return c, nil
}

// AuthorizeClientIDSecret implements op.Storage (client_secret_basic and
// client_secret_post at the token, introspection and revocation endpoints).
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	if _, err := s.clientBySecret(clientID, clientSecret); err != nil {
		return err
	}
	return nil
}

func (s *storage) clientBySecret(clientID, clientSecret string) (*client, error) {
	c, ok := s.clients[clientID]
	if !ok || !c.secretMatches(clientSecret) {
		return nil, errors.New("devidp: wrong client id or secret")
	}
	return c, nil
}

// ClientCredentials implements op.ClientCredentialsStorage: every configured
// client may also use the client_credentials grant with its own secret.
func (s *storage) ClientCredentials(_ context.Context, clientID, clientSecret string) (op.Client, error) {
	return s.clientBySecret(clientID, clientSecret)
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage. The
// access token's subject is the client id and its audience the API audience.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	return &oidc.JWTTokenRequest{
		Subject:  clientID,
		Audience: s.accessTokenAudience(clientID),
		Scopes:   scopes,
	}, nil
}

// SetUserinfoFromScopes implements op.Storage; zitadel asks implementations to
// leave it empty and implement SetUserinfoFromRequest instead.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the claims of
// the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.Storage: the answer of the userinfo
// endpoint for an access token this provider issued and still knows.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expiration) {
		return errors.New("devidp: access token is invalid or has expired")
	}
	return s.setUserinfo(info, t.subject, t.scopes)
}

// SetIntrospectionFromToken implements op.Storage.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expiration) {
		return errors.New("devidp: access token is invalid or has expired")
	}
	if clientID != t.clientID && clientID != s.apiAudience {
		return errors.New("devidp: access token was not issued for this client")
	}
	info := new(oidc.UserInfo)
	if err := s.setUserinfo(info, t.subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Expiration = oidc.FromTime(t.expiration)
	resp.Audience = s.accessTokenAudience(t.clientID)
	return nil
}

// setUserinfo fills the standard claims of the account with the given subject
// for the granted scopes. A client_credentials token has a client, not an
// account, as its subject and therefore no userinfo.
func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	a, ok := s.accounts[subject]
	if !ok {
		return fmt.Errorf("devidp: account: %w", errNotFound)
	}
	info.Subject = a.Subject
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeEmail:
			info.Email = a.Email
			info.EmailVerified = oidc.Bool(true)
		case oidc.ScopeProfile:
			info.Name = a.Name
			info.PreferredUsername = a.preferredUsername()
		}
	}
	return nil
}

// GetPrivateClaimsFromScopes implements op.Storage: no claims beyond the
// standard ones go into the JWT access tokens.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.Storage. It serves private_key_jwt and
// the JWT profile grant, neither of which this provider offers.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("devidp: client keys are not supported")
}

// ValidateJWTProfileScopes implements op.Storage; see GetKeyByIDAndClientID.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// authRequest is one authorization request, from /authorize through the login
// page to the code exchange. It implements op.AuthRequest.
type authRequest struct {
	id            string
	created       time.Time
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge

	// Set by the login page.
	subject  string
	authTime time.Time
	done     bool
}

func (a *authRequest) expired(now time.Time) bool {
	return now.Sub(a.created) > authRequestLifetime
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return nil } // no password, no factor: nothing to claim
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// accessTokenRequest is the op.TokenRequest from which the code flow's access
// token is made. It differs from the auth request only in its audience: the ID
// token is for the client, the access token for the API (see
// storage.accessTokenAudience and server.CodeExchange).
type accessTokenRequest struct {
	clientID string
	subject  string
	audience []string
	scopes   []string
}

func (r *accessTokenRequest) GetSubject() string    { return r.subject }
func (r *accessTokenRequest) GetAudience() []string { return r.audience }
func (r *accessTokenRequest) GetScopes() []string   { return r.scopes }

// token is what the storage remembers of an issued access token.
type token struct {
	id         string
	clientID   string
	subject    string
	scopes     []string
	expiration time.Time
}

// signingKey implements op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey implements op.Key.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }
