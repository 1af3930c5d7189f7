package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// ErrBadToken means a bearer token did not verify. Which check failed is logged only.
var ErrBadToken = errors.New("invalid bearer token")

// VerifyBearer checks an access token for the API: a JWT issued by one of the providers that
// accept API tokens, signed with that provider's keys, unexpired, and carrying the provider's
// API audience (which differs from the client id, so an ID token never passes).
func (ps *Providers) VerifyBearer(ctx context.Context, raw string) (Identity, error) {
	iss, err := unverifiedIssuer(raw)
	if err != nil {
		return Identity{}, err
	}
	for _, p := range ps.list {
		if p.Config.APIAudience == "" || strings.TrimSuffix(p.Config.Issuer, "/") != strings.TrimSuffix(iss, "/") {
			continue
		}
		op, err := p.discover(ctx)
		if err != nil {
			return Identity{}, err
		}
		v := op.Verifier(&oidc.Config{ClientID: p.Config.APIAudience, Now: p.now})
		t, err := v.Verify(oidc.ClientContext(ctx, p.client), raw)
		if err != nil {
			return Identity{}, fmt.Errorf("authn: bearer from %s: %w: %v", p.Config.ID, ErrBadToken, err)
		}
		return identity(p.Config.ID, t)
	}
	return Identity{}, fmt.Errorf("authn: bearer from an issuer that issues no API tokens: %w", ErrBadToken)
}

// unverifiedIssuer reads the iss claim to pick the provider; the signature is checked after.
func unverifiedIssuer(raw string) (string, error) {
	tok, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA})
	if err != nil {
		return "", fmt.Errorf("authn: bearer is no signed JWT: %w", ErrBadToken)
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(tok.UnsafePayloadWithoutVerification(), &c); err != nil || c.Iss == "" {
		return "", fmt.Errorf("authn: bearer without issuer: %w", ErrBadToken)
	}
	return c.Iss, nil
}
