// Package authn owns sign-in: the OpenID Connect providers (lazy discovery with retry), the
// authorization code flow with PKCE, state and nonce, verification of ID tokens and of bearer
// access tokens for the API, and server-side sessions in PostgreSQL. It speaks the protocols;
// which account a verified identity belongs to is decided by the service layer.
package authn
