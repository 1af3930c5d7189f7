// Package devidp is the development identity provider: a small OpenID
// Provider (zitadel/oidc v3 pkg/op) that `lotse-dev dev` (and so `make run`)
// starts next to Lotse, so that the real OIDC login of internal/authn can be
// used without Keycloak.
//
// It owns an in-memory OP storage, a login page that lists the demo accounts
// (one click signs in, there is no password) and an RS256 key generated at
// start. It issues ID tokens (sub, email, email_verified, name,
// preferred_username) and JWT access tokens (aud = Config.APIAudience when
// set), supports PKCE S256 (required), nonce, RP-initiated logout and the
// client_credentials grant.
//
// It is for development only: it listens on loopback addresses and nowhere
// else, its issuer is plain http, and anyone who can reach it can sign in as
// any demo account. Only the development variant (internal/devapp, cmd/lotse-dev)
// and tests import this package; the production binary cmd/lotse must not
// contain it (cmd/lotse's dependency test fails if it does).
package devidp
