package authn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadProvidersFile(t *testing.T) {
	dir := t.TempDir()
	secretFile := writeFile(t, dir, "secret", "s3cr3t-from-file\r\n")
	good := `providers:
  - id: stadt
    name: Stadtverwaltung
    issuer: https://login.stadt.example/realms/stadt
    client_id: lotse
    client_secret_file: ` + secretFile + `
    api_audience: lotse-api
    trust_email: true
    claim_mappings:
      - {claim: groups, value: caritas-beratung, org: CARITAS, role: caseworker}
  - id: jobcenter-2
    issuer: http://127.0.0.1:5556
    client_id: lotse-jc
    client_secret: inline
`
	ps, err := LoadProvidersFile(writeFile(t, dir, "good.yaml", good))
	if err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
	if len(ps) != 2 || ps[0].ID != "stadt" || ps[0].ClientSecret != "s3cr3t-from-file" || !ps[0].TrustEmail ||
		ps[0].APIAudience != "lotse-api" || len(ps[0].ClaimMappings) != 1 || ps[0].ClaimMappings[0].Role != "caseworker" ||
		ps[1].ClientSecret != "inline" {
		t.Fatalf("parsed: %+v", ps)
	}

	provider := func(extra string) string {
		return "  - id: stadt\n    issuer: https://login.stadt.example\n    client_id: lotse\n" + extra
	}
	tests := []struct {
		name, yaml string
		want       []string // fragments of the error, all reported at once
	}{
		{"duplicate id", "providers:\n" + provider("") + provider(""), []string{"duplicate id"}},
		{"id with capitals", "providers:\n  - id: Stadt\n    issuer: https://a.example\n    client_id: x\n", []string{"lowercase letters"}},
		{"id with underscore", "providers:\n  - id: a_b\n    issuer: https://a.example\n    client_id: x\n", []string{"lowercase letters"}},
		{"empty id", "providers:\n  - issuer: https://a.example\n    client_id: x\n", []string{"lowercase letters"}},
		{"id too long", "providers:\n  - id: " + strings.Repeat("a", 33) + "\n    issuer: https://a.example\n    client_id: x\n", []string{"lowercase letters"}},
		{"api audience equals client id", "providers:\n" + provider("    api_audience: lotse\n"), []string{"api_audience must differ from client_id"}},
		{"secret and secret file", "providers:\n" + provider("    client_secret: a\n    client_secret_file: "+secretFile+"\n"), []string{"not both"}},
		{"secret file missing", "providers:\n" + provider("    client_secret_file: "+filepath.Join(dir, "nope")+"\n"), []string{"cannot read client_secret_file"}},
		{"unknown key", "providers:\n" + provider("    client_sercet: typo\n"), []string{"client_sercet"}},
		{"unknown top-level key", "provider:\n" + provider(""), []string{"provider"}},
		{"issuer not http(s)", "providers:\n  - id: a\n    issuer: ftp://a.example\n    client_id: x\n", []string{"issuer must be an http(s) URL"}},
		{"client id missing", "providers:\n  - id: a\n    issuer: https://a.example\n", []string{"client_id is required"}},
		{"incomplete claim mapping", "providers:\n" + provider("    claim_mappings:\n      - {claim: groups, value: x, org: CARITAS}\n"), []string{"claim_mappings[0]"}},
		{"every problem at once", "providers:\n  - id: A\n    issuer: ftp://x\n  - id: A\n    issuer: https://b.example\n    client_id: c\n    api_audience: c\n",
			[]string{"lowercase letters", "issuer must be an http(s) URL", "client_id is required", "duplicate id", "api_audience must differ"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadProvidersFile(writeFile(t, dir, "p.yaml", tc.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
	t.Run("file missing", func(t *testing.T) {
		_, err := LoadProvidersFile(filepath.Join(dir, "missing.yaml"))
		if err == nil || !strings.Contains(err.Error(), "cannot read") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestNewProvidersValidates(t *testing.T) {
	if _, err := NewProviders([]ProviderConfig{{ID: "a", Issuer: "https://a.example", ClientID: "x", APIAudience: "x"}}, "https://lotse.example/auth/callback", Options{}); err == nil {
		t.Fatal("NewProviders accepted api_audience == client_id")
	}
	ps, err := NewProviders([]ProviderConfig{{ID: "a", Issuer: "https://a.example/realms/x", ClientID: "x"}, {ID: "b", Issuer: "http://127.0.0.1:9/", ClientID: "y"}}, "https://lotse.example/auth/callback", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.List()) != 2 || ps.List()[0].Config.ID != "a" {
		t.Fatalf("order: %+v", ps.List())
	}
	a, ok := ps.Get("a")
	if !ok || a.Origin() != "https://a.example" {
		t.Fatalf("Get/Origin: %v %q", ok, a.Origin())
	}
	if _, ok := ps.Get("nobody"); ok {
		t.Fatal("unknown provider found")
	}
	// Never discovered: no end-session URL, logout stays local.
	if u := a.EndSessionURL("tok", "https://lotse.example/logged-out"); u != "" {
		t.Fatalf("EndSessionURL before discovery: %q", u)
	}
}

func TestDiscoveryFailureIsRetriedLater(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	ps, err := NewProviders([]ProviderConfig{{ID: "down", Issuer: "http://127.0.0.1:1", ClientID: "x"}}, "https://lotse.example/auth/callback",
		Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ps.Get("down")
	_, _, err = p.Begin(t.Context(), "/")
	if err == nil || !strings.Contains(err.Error(), ErrProviderUnavailable.Error()) {
		t.Fatalf("Begin at an unreachable provider: %v", err)
	}
	first := p.lastTry
	// Within the retry interval the cached error answers at once ...
	if _, _, err := p.Begin(t.Context(), "/"); err == nil || p.lastTry != first {
		t.Fatalf("retried too soon: %v", err)
	}
	// ... after it, discovery is tried again.
	now = now.Add(retryAfter + time.Second)
	if _, _, err := p.Begin(t.Context(), "/"); err == nil || p.lastTry == first {
		t.Fatalf("not retried: %v", err)
	}
}

func TestFinishRefusesAForeignState(t *testing.T) {
	p := &Provider{Config: ProviderConfig{ID: "a"}, now: time.Now}
	for name, ls := range map[string]LoginState{
		"no login in progress": {},
		"other state":          {ProviderID: "a", State: "state-1", Nonce: "n", Verifier: "v"},
	} {
		if _, _, err := p.Finish(t.Context(), ls, "state-2", "code"); err != ErrStateMismatch {
			t.Errorf("%s: %v, want ErrStateMismatch", name, err)
		}
	}
	if _, _, err := p.Finish(t.Context(), LoginState{State: "s"}, "", "code"); err != ErrStateMismatch {
		t.Errorf("empty state: %v", err)
	}
}

func TestCookieName(t *testing.T) {
	if CookieName(true) != "__Host-lotse_session" || CookieName(false) != "lotse_session" {
		t.Fatal(CookieName(true), CookieName(false))
	}
}
