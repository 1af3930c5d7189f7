package devidp

import (
	"crypto/subtle"
	"net/url"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// client is a configured relying party as zitadel sees it (op.Client): a
// confidential web client with the authorization code grant (and
// client_credentials), client_secret_basic (client_secret_post is accepted
// too) and JWT access tokens.
type client struct {
	id                     string
	secret                 string
	redirectURIs           []string
	postLogoutRedirectURIs []string
}

var _ op.Client = (*client)(nil)

func (c *client) secretMatches(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) == 1
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.postLogoutRedirectURIs }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeClientCredentials}
}

// LoginURL is where zitadel sends the browser after /authorize: our login page.
func (c *client) LoginURL(authRequestID string) string {
	return loginPath + "?" + url.Values{authRequestIDParam: {authRequestID}}.Encode()
}

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return idTokenLifetime }

// DevMode stays off: it would loosen redirect URI checks (http for non-web
// clients, globs), and a confidential web client may use http redirect URIs
// with the code flow anyway.
func (c *client) DevMode() bool { return false }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed reports custom scopes; there are none beyond the standard
// ones (openid, profile, email, ...), which zitadel always allows.
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts email, name and preferred_username into
// the ID token even though an access token is issued as well, so that the
// relying party need not call the userinfo endpoint.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

func (c *client) ClockSkew() time.Duration { return 0 }
