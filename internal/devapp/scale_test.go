package devapp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/scale"
)

// TestScaleAccountsReachTheDevIdP: `seed scale --accounts-only --accounts-out` writes the
// generated accounts without a database, and `dev --accounts` gives them to the development
// identity provider next to the demo accounts.
func TestScaleAccountsReachTheDevIdP(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "accounts.tsv")
	var out, errs bytes.Buffer
	if code := app.Main([]string{"seed", "scale", "--fraction", "0.02", "--seed", "5", "--accounts-out", path, "--accounts-only"}, &out, &errs, Commands()...); code != 0 {
		t.Fatalf("seed scale --accounts-only: exit %d: %s", code, errs.String())
	}
	extra, err := readAccounts(path)
	if err != nil {
		t.Fatal(err)
	}
	want := scale.Accounts(scale.Config{Sizes: scale.FullCity.Scaled(0.02), Seed: 5})
	if len(extra) != len(want) || len(want) != 100 {
		t.Fatalf("%d accounts read, %d generated, want 100", len(extra), len(want))
	}
	for i, a := range extra {
		if a.Subject != want[i].Subject || a.Email != want[i].Email || a.Org != want[i].Org || a.Role == "" {
			t.Fatalf("account %d: %+v, want %+v", i, a, want[i])
		}
	}
	cfg := &config.Config{BaseURL: "http://127.0.0.1:8080"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	idp, err := startDevIdP(ctx, "127.0.0.1:0", cfg, extra...)
	if err != nil {
		t.Fatalf("the development identity provider refuses the generated accounts: %v", err)
	}
	defer idp.Close()
	// The login page of an authorisation request offers the generated accounts.
	oc := oauth2.Config{ClientID: cfg.OIDCClientID, RedirectURL: cfg.BaseURL + "/auth/callback", Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: cfg.OIDCIssuer + "/authorize"}}
	resp, err := http.Get(oc.AuthCodeURL("state", oauth2.SetAuthURLParam("nonce", "nonce"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, a := range []scale.Account{want[0], want[len(want)-1]} {
		if !strings.Contains(string(page), `value="`+a.Subject+`"`) {
			t.Errorf("the login page does not offer %s (%d): %.300s", a.Subject, resp.StatusCode, page)
		}
	}
	if code := app.Main([]string{"seed", "scale", "--fraction", "0", "--accounts-out", path, "--accounts-only"}, &out, &errs, Commands()...); code == 0 {
		t.Error("--fraction 0 accepted")
	}
}
