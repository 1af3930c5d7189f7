package app_test

import (
	"net/http"
	"testing"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestSignInRoundTrips: a signed-in browser request reads its session and the account it is
// signed in as in one database round trip (no transaction of its own), so that a page costs
// that one round trip and its own transaction. Counted on the wire (testutil.RoundTrips) for
// the profile API, which reads nothing but the account: one round trip in all.
func TestSignInRoundTrips(t *testing.T) {
	t.Parallel()
	var proxy *testutil.RoundTrips
	e := newMockEnv(t, func(cfg *config.Config) {
		proxy, cfg.DatabaseURL = testutil.NewRoundTrips(t, cfg.DatabaseURL)
	})
	b := newBrowser(t)
	e.loginOK(b)
	best := proxy.Steady(func() {
		if p := b.get(e.URL + "/api/v1/me"); p.Status != http.StatusOK {
			t.Fatalf("GET /api/v1/me = %d: %s", p.Status, p.Body)
		}
	})
	t.Logf("GET /api/v1/me: %d round trips", best)
	if best > 1 {
		t.Errorf("GET /api/v1/me with a session: %d database round trips, want 1 (session and account in one)", best)
	}
}
