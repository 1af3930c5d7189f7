package app

import (
	"fmt"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/web"
)

// envProviderID names the provider configured through LOTSE_OIDC_* variables.
const envProviderID = "default"

// providerConfigs collects the providers of LOTSE_OIDC_* and LOTSE_OIDC_PROVIDERS_FILE.
func providerConfigs(cfg *config.Config) ([]authn.ProviderConfig, error) {
	var out []authn.ProviderConfig
	if cfg.OIDCIssuer != "" {
		out = append(out, authn.ProviderConfig{
			ID: envProviderID, Name: cfg.OIDCName, Issuer: cfg.OIDCIssuer,
			ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			TrustEmail: cfg.OIDCTrustEmail, APIAudience: cfg.OIDCAPIAudience,
		})
	}
	if cfg.OIDCProvidersFile != "" {
		more, err := authn.LoadProvidersFile(cfg.OIDCProvidersFile)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if err := authn.ValidateProviders(out); err != nil {
		return nil, fmt.Errorf("sign-in providers: %w", err)
	}
	return out, nil
}

// buildAuth prepares the providers (nothing is fetched yet: discovery is lazy) and the
// PostgreSQL sessions.
func buildAuth(cfg *config.Config, d *db.DB, o Options) (web.Auth, error) {
	cfgs, err := providerConfigs(cfg)
	if err != nil {
		return web.Auth{}, err
	}
	ps, err := authn.NewProviders(cfgs, cfg.BaseURL+"/auth/callback", authn.Options{Now: o.Now, Client: o.HTTPClient})
	if err != nil {
		return web.Auth{}, err
	}
	secure, err := cfg.SecureCookies()
	if err != nil {
		return web.Auth{}, err
	}
	pol := map[string]web.ProviderPolicy{}
	for _, c := range cfgs {
		p := web.ProviderPolicy{TrustEmail: c.TrustEmail}
		for _, m := range c.ClaimMappings {
			p.Mappings = append(p.Mappings, service.ClaimMapping{Claim: m.Claim, Value: m.Value, Org: m.Org, Role: model.Role(m.Role)})
		}
		pol[c.ID] = p
	}
	ss := authn.NewSessions(d.SQL, authn.SessionOptions{IdleTimeout: cfg.SessionIdleTimeout, Lifetime: cfg.SessionLifetime, Secure: secure, Now: o.Now})
	return web.Auth{Providers: ps, Sessions: ss, Policies: pol}, nil
}
