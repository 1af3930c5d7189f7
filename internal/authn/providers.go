package authn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"
)

// ErrProviderUnavailable means the provider could not be reached or its discovery document
// was unusable. Other providers keep working.
var ErrProviderUnavailable = errors.New("identity provider unavailable")

// ClaimMapping grants a role in an organisation to a first-time user whose ID token carries
// Value in Claim (a string or a list of strings, e.g. a groups claim).
type ClaimMapping struct {
	Claim string `yaml:"claim"`
	Value string `yaml:"value"`
	Org   string `yaml:"org"`  // short name of the organisation
	Role  string `yaml:"role"` // caseworker, lead, coordinator, org_admin, sysadmin, dpo
}

// ProviderConfig describes one OpenID Connect provider.
type ProviderConfig struct {
	ID               string         `yaml:"id"`
	Name             string         `yaml:"name"`
	Issuer           string         `yaml:"issuer"`
	ClientID         string         `yaml:"client_id"`
	ClientSecret     string         `yaml:"client_secret"`
	ClientSecretFile string         `yaml:"client_secret_file"`
	Scopes           []string       `yaml:"scopes"`
	TrustEmail       bool           `yaml:"trust_email"`
	APIAudience      string         `yaml:"api_audience"`
	ClaimMappings    []ClaimMapping `yaml:"claim_mappings"`
}

var providerID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ProvidersFile is the YAML layout of LOTSE_OIDC_PROVIDERS_FILE.
type ProvidersFile struct {
	Providers []ProviderConfig `yaml:"providers"`
}

// LoadProvidersFile reads and checks a providers file; secrets may come from files.
func LoadProvidersFile(path string) ([]ProviderConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("providers file: cannot read %s: %w", path, errors.Unwrap(err))
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	var f ProvidersFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("providers file %s: %w", path, err)
	}
	for i := range f.Providers {
		p := &f.Providers[i]
		if p.ClientSecretFile != "" {
			if p.ClientSecret != "" {
				return nil, fmt.Errorf("providers file %s: provider %q: set client_secret or client_secret_file, not both", path, p.ID)
			}
			s, err := os.ReadFile(p.ClientSecretFile)
			if err != nil {
				return nil, fmt.Errorf("providers file %s: provider %q: cannot read client_secret_file: %w", path, p.ID, errors.Unwrap(err))
			}
			p.ClientSecret = strings.TrimRight(string(s), "\r\n")
		}
	}
	if err := ValidateProviders(f.Providers); err != nil {
		return nil, fmt.Errorf("providers file %s: %w", path, err)
	}
	return f.Providers, nil
}

// ValidateProviders checks ids, issuers and audiences, reporting every problem at once.
func ValidateProviders(ps []ProviderConfig) error {
	var errs []error
	seen := map[string]bool{}
	for i, p := range ps {
		name := fmt.Sprintf("provider %d (%q)", i+1, p.ID)
		if !providerID.MatchString(p.ID) {
			errs = append(errs, fmt.Errorf("%s: id must be lowercase letters, digits and dashes", name))
		}
		if seen[p.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate id", name))
		}
		seen[p.ID] = true
		if !strings.HasPrefix(p.Issuer, "https://") && !strings.HasPrefix(p.Issuer, "http://") {
			errs = append(errs, fmt.Errorf("%s: issuer must be an http(s) URL", name))
		}
		if p.ClientID == "" {
			errs = append(errs, fmt.Errorf("%s: client_id is required", name))
		}
		if p.APIAudience != "" && p.APIAudience == p.ClientID {
			errs = append(errs, fmt.Errorf("%s: api_audience must differ from client_id", name))
		}
		for j, m := range p.ClaimMappings {
			if m.Claim == "" || m.Value == "" || m.Org == "" || m.Role == "" {
				errs = append(errs, fmt.Errorf("%s: claim_mappings[%d]: claim, value, org and role are required", name, j))
			}
		}
	}
	return errors.Join(errs...)
}

// Provider is one configured OpenID Connect provider. Discovery is lazy: the first sign-in
// fetches the discovery document; a failure is retried on the next attempt (at most every
// few seconds), so that a provider that is down never stops the server or other providers.
type Provider struct {
	Config      ProviderConfig
	redirectURL string
	client      *http.Client
	now         func() time.Time

	mu        sync.Mutex
	oidc      *oidc.Provider
	endSess   string
	lastTry   time.Time
	lastError error
}

// retryAfter bounds how often a failing discovery is retried.
const retryAfter = 3 * time.Second

// discover returns the provider's discovery data, fetching it once.
func (p *Provider) discover(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oidc != nil {
		return p.oidc, nil
	}
	if p.lastError != nil && p.now().Sub(p.lastTry) < retryAfter {
		return nil, p.lastError
	}
	p.lastTry = p.now()
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.client), 10*time.Second)
	defer cancel()
	op, err := oidc.NewProvider(dctx, p.Config.Issuer)
	if err != nil {
		p.lastError = fmt.Errorf("authn: discover %s: %w: %v", p.Config.ID, ErrProviderUnavailable, err)
		return nil, p.lastError
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = op.Claims(&extra)
	p.oidc, p.endSess, p.lastError = op, extra.EndSession, nil
	return op, nil
}

func (p *Provider) oauth2(op *oidc.Provider) *oauth2.Config {
	scopes := p.Config.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	return &oauth2.Config{
		ClientID:     p.Config.ClientID,
		ClientSecret: p.Config.ClientSecret,
		RedirectURL:  p.redirectURL,
		Endpoint:     op.Endpoint(),
		Scopes:       scopes,
	}
}

// Providers is the set of configured providers, in configuration order.
type Providers struct {
	list []*Provider
	byID map[string]*Provider
}

// Options tune the providers; the zero value is production.
type Options struct {
	// Client is used for discovery, token exchange and key fetching (default: 10s timeout).
	Client *http.Client
	// Now is the clock for token expiry checks (default time.Now).
	Now func() time.Time
}

// NewProviders prepares the providers; nothing is fetched yet. redirectURL is Lotse's
// callback, e.g. https://lotse.stadt.example/auth/callback.
func NewProviders(cfgs []ProviderConfig, redirectURL string, o Options) (*Providers, error) {
	if err := ValidateProviders(cfgs); err != nil {
		return nil, err
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ps := &Providers{byID: map[string]*Provider{}}
	for _, c := range cfgs {
		p := &Provider{Config: c, redirectURL: redirectURL, client: o.Client, now: o.Now}
		ps.list = append(ps.list, p)
		ps.byID[c.ID] = p
	}
	return ps, nil
}

// List returns the providers in configuration order.
func (ps *Providers) List() []*Provider { return ps.list }

// Get returns the provider with id.
func (ps *Providers) Get(id string) (*Provider, bool) {
	p, ok := ps.byID[id]
	return p, ok
}
