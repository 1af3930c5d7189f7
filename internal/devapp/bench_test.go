package devapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/bench"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestBenchAgainstDemoData runs the load harness for two seconds at a low rate against a real
// Lotse on the demo data, signed in through the development identity provider over HTTP. It
// asserts what the harness must deliver, never how fast: every route of the mix answered
// with its success status only, the report has every route with its floor, and the server
// counted the SQL statements of every route.
func TestBenchAgainstDemoData(t *testing.T) {
	t.Parallel()
	tdb := testutil.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var cfg config.Config
	p, err := kong.New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	base := "http://" + srv.Listener.Addr().String()
	cfg.DatabaseURL, cfg.BaseURL, cfg.DBMaxConns = tdb.URL, base, 8
	cfg.LoginRateLimit, cfg.CookieSecure, cfg.MetricsEnabled = 1000, "false", true
	// A generated account, as lotse-dev seed scale writes them (by e-mail, one grant), which
	// only `lotse-dev dev --devidp-all-accounts` offers for sign-in.
	owner := testutil.Open(t, tdb.OwnerURL)
	if _, err := owner.Pool.Exec(ctx, `
		WITH o AS (INSERT INTO organisations (id, kind, name, short_name) VALUES (gen_random_uuid(), 'municipal', 'Generiertes Amt', 'GEN-AMT') RETURNING id),
		     u AS (INSERT INTO users (id, email, display_name) VALUES (gen_random_uuid(), 'gen.erated@gen.example', 'Gen Erated') RETURNING id)
		INSERT INTO role_grants (id, user_id, org_id, role) SELECT gen_random_uuid(), u.id, o.id, 'caseworker' FROM u, o`); err != nil {
		t.Fatal(err)
	}
	extra, err := databaseAccounts(ctx, tdb.URL)
	if err != nil || len(extra) != 1 || extra[0].Subject != "gen.erated" || extra[0].Org != "GEN-AMT" || extra[0].Role == "" {
		t.Fatalf("databaseAccounts = %+v, %v; want the generated account with its role and organisation", extra, err)
	}
	idp, err := startDevIdP(ctx, "127.0.0.1:0", &cfg, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Close() })
	logs := &testutil.LogBuffer{}
	a, err := app.New(ctx, &cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), false, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
		if t.Failed() {
			t.Logf("Lotse log:\n%s", logs)
		}
	})

	pool, err := openBenchPool(ctx, tdb.URL, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	mix := map[string]float64{}
	for _, name := range bench.RouteNames() {
		mix[name] = 1 // every route often enough in two seconds
	}
	rep, err := bench.Run(ctx, bench.Config{BaseURL: base, Pool: pool, PerKind: 3, Rate: 20, Duration: 2 * time.Second, Mix: mix, Probe: 2, Seed: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) > 0 {
		t.Errorf("routes skipped: %v", rep.Skipped)
	}
	// The demo's two municipal caseworkers with one grant and the generated one; the demo's
	// lead; its two partner caseworkers.
	if want := map[bench.Kind]int{bench.Caseworker: 3, bench.Lead: 1, bench.Partner: 2}; len(rep.SignInErrors) > 0 || !maps.Equal(rep.Accounts, want) {
		t.Errorf("signed in %v, want %v; sign-in errors: %v", rep.Accounts, want, rep.SignInErrors)
	}
	got := map[string]bench.RouteReport{}
	for _, r := range rep.Routes {
		got[r.Name] = r
	}
	for _, name := range bench.RouteNames() {
		r, ok := got[name]
		switch {
		case !ok:
			t.Errorf("the report lacks route %s", name)
		case r.Requests == 0 || r.Errors > 0:
			t.Errorf("%s: %d requests, %d not answered with the success status (first: %s)", name, r.Requests, r.Errors, r.FirstError)
		case r.FloorLatency == nil || r.FloorRequests == 0 || r.FloorErrors > 0 || r.FloorLatency.P50 <= 0:
			t.Errorf("%s: floor %d runs, %d failed, latencies %v (first error: %s)", name, r.FloorRequests, r.FloorErrors, r.FloorLatency, r.FirstError)
		case strings.HasPrefix(r.Request, "GET ") && r.ResponseKB <= 0:
			t.Errorf("%s: no page size measured", name)
		case r.FloorRows <= 0:
			t.Errorf("%s: the floor read no rows: it measures nothing", name)
		case r.Statements <= 0 || r.Latency.P50 <= 0 || r.P95Ratio <= 0:
			t.Errorf("%s: %.1f statements per request, p50 %.2f ms, ratio %.1f: want all above 0", name, r.Statements, r.Latency.P50, r.P95Ratio)
		}
	}
	if rep.Overall.Statements <= 0 || rep.Memory.RSSMaxMB <= 0 || rep.Memory.HeapAfterMB <= 0 {
		t.Errorf("overall statements %.1f, memory %+v: want figures above 0", rep.Overall.Statements, rep.Memory)
	}

	var table, js bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range append(bench.RouteNames(), "p95/floor", "stmts/req", "KiB", "RSS") {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back bench.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Routes) != len(rep.Routes) {
		t.Errorf("the JSON report does not read back (%v): %s", err, js.String())
	}
	t.Logf("\n%s", table.String())
}
