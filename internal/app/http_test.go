package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// testConfig serves tdb as its application role and migrates it as its owner.
func testConfig(tdb *testutil.Database) *config.Config {
	return &config.Config{
		DatabaseURL: tdb.URL, MigrationDatabaseURL: tdb.OwnerURL, DBMaxConns: 4, HTTPAddr: "127.0.0.1:0", BaseURL: "http://127.0.0.1",
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
		BodyLimit: "1K", ShutdownGrace: time.Second, LogLevel: "debug", LogFormat: "text", MetricsEnabled: true,
	}
}

// logBuffer captures the process log so that tests can check what reaches it.
type logBuffer struct{ strings.Builder }

func newTestApp(t *testing.T, tdb *testutil.Database, extra func(e *echo.Echo)) (*App, *httptest.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	a, err := New(context.Background(), testConfig(tdb), slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), true, Options{ExtraRoutes: extra})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, srv, logs
}

func get(t *testing.T, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

type ready struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func readyz(t *testing.T, base string) (int, ready) {
	t.Helper()
	code, body, _ := get(t, base+"/readyz")
	var r ready
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("readyz is not JSON: %s", body)
	}
	return code, r
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	tdb := testutil.NewEmptyDatabase(t)
	url := tdb.URL
	_, srv, _ := newTestApp(t, tdb, nil)
	// Only the owner may change the schema; the app's own migrator only reads its version.
	owner, err := db.NewMigrator(testutil.Open(t, tdb.OwnerURL), nil)
	if err != nil {
		t.Fatal(err)
	}

	if code, body, _ := get(t, srv.URL+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", code, body)
	}
	code, r := readyz(t, srv.URL)
	if code != 200 || r.Status != "ok" || r.Checks["database"] != "ok" || r.Checks["schema"] != "ok" {
		t.Fatalf("readyz healthy: %d %+v", code, r)
	}

	t.Run("schema behind", func(t *testing.T) {
		if _, err := owner.Down(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := owner.Up(context.Background()); err != nil {
				t.Fatal(err)
			}
		}()
		code, r := readyz(t, srv.URL)
		if code != 503 || r.Status != "unavailable" || !strings.Contains(r.Checks["schema"], "lotse migrate up") || r.Checks["database"] != "ok" {
			t.Fatalf("readyz with an old schema: %d %+v", code, r)
		}
	})

	t.Run("database gone", func(t *testing.T) {
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := pgx.Connect(context.Background(), testutil.Server(t).AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(context.Background(), `DROP DATABASE `+pgx.Identifier{cfg.Database}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Fatal(err)
		}
		code, r := readyz(t, srv.URL)
		if code != 503 || r.Status != "unavailable" || !strings.Contains(r.Checks["database"], "cannot reach") {
			t.Fatalf("readyz without database: %d %+v", code, r)
		}
		if strings.Contains(fmt.Sprint(r), cfg.Password) && cfg.Password != "" {
			t.Fatal("readyz leaks the password")
		}
		// Liveness does not depend on the database.
		if code, _, _ := get(t, srv.URL+"/healthz"); code != 200 {
			t.Fatalf("healthz without database: %d", code)
		}
	})
}

func TestMetricsLabelRoutePatterns(t *testing.T) {
	t.Parallel()
	_, srv, _ := newTestApp(t, testutil.NewDatabase(t), func(e *echo.Echo) {
		e.GET("/test/items/:id", func(c echo.Context) error { return c.String(200, "ok") })
	})
	for _, p := range []string{"/test/items/a1b2c3-secret", "/test/items/d4e5f6", "/no/such/page-xyz"} {
		get(t, srv.URL+p)
	}
	code, body, _ := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	if !strings.Contains(body, `lotse_http_requests_total{code="200",host=`) || !strings.Contains(body, `url="/test/items/:id"`) {
		t.Fatalf("metrics lack the route pattern label:\n%s", grep(body, "lotse_http_requests_total"))
	}
	for _, raw := range []string{"a1b2c3-secret", "d4e5f6", "page-xyz"} {
		if strings.Contains(body, raw) {
			t.Fatalf("metrics contain the raw path %q", raw)
		}
	}
	if !strings.Contains(body, "lotse_http_request_duration_seconds_bucket") {
		t.Fatal("metrics lack the latency histogram")
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestErrorHandler(t *testing.T) {
	t.Parallel()
	_, srv, logs := newTestApp(t, testutil.NewDatabase(t), func(e *echo.Echo) {
		internal := func(c echo.Context) error {
			return fmt.Errorf("store: get case: %w", errors.New("pq: relation secret_table does not exist"))
		}
		e.GET("/api/v1/test/internal", internal)
		e.GET("/test/internal", internal)
		e.GET("/test/panic", func(c echo.Context) error { panic("nil map in secretFunction") })
		e.GET("/api/v1/test/missing", func(c echo.Context) error { return fmt.Errorf("service: case 7: %w", model.ErrNotFound) })
		e.GET("/api/v1/test/invalid", func(c echo.Context) error {
			v := &model.ValidationError{}
			v.Add("due_date", model.CodeTooFarPast, model.Params{"years": 1})
			return v.Err()
		})
		e.GET("/api/v1/test/transition", func(c echo.Context) error {
			return fmt.Errorf("service: accept referral: %w", model.RefuseTransition("referral", "declined", "accepted"))
		})
		e.GET("/test/transition", func(c echo.Context) error { return model.RefuseTransition("case", "closed", "paused") })
		e.GET("/api/v1/test/conflict", func(c echo.Context) error { return model.ErrConflict })
		e.POST("/api/v1/test/echo", func(c echo.Context) error {
			b, _ := io.ReadAll(c.Request().Body)
			return c.String(200, string(b))
		})
	})
	type apiErr struct {
		Error struct {
			Code      string             `json:"code"`
			Message   string             `json:"message"`
			Fields    []model.FieldError `json:"fields"`
			RequestID string             `json:"request_id"`
		} `json:"error"`
	}
	tests := []struct {
		name, path, lang string
		status           int
		code             string // JSON error code, empty for HTML
		contains         string
	}{
		{name: "api internal error", path: "/api/v1/test/internal", status: 500, code: "internal"},
		{name: "html internal error, German", path: "/test/internal", status: 500, contains: "Ein interner Fehler ist aufgetreten"},
		{name: "html internal error, English", path: "/test/internal", lang: "en-GB,en;q=0.9", status: 500, contains: "An internal error occurred"},
		{name: "panic", path: "/test/panic", status: 500, contains: "Ein interner Fehler"},
		{name: "api unknown route", path: "/api/v1/nothing-here", status: 404, code: "not_found"},
		{name: "html unknown route", path: "/nothing-here", status: 404, contains: "Seite nicht gefunden"},
		{name: "domain not found", path: "/api/v1/test/missing", status: 404, code: "not_found"},
		{name: "validation", path: "/api/v1/test/invalid", status: 400, code: "invalid"},
		{name: "conflict", path: "/api/v1/test/conflict", status: 409, code: "conflict"},
		{name: "refused transition", path: "/api/v1/test/transition", status: 409, code: "transition_refused"},
		{name: "html refused transition, German", path: "/test/transition", status: 409, contains: "Der Status kann nicht von „Abgeschlossen“ zu „Pausiert“ wechseln."},
		{name: "method not allowed", path: "/api/v1/test/echo", status: 405, code: "method_not_allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := get(t, srv.URL+tc.path, "Accept-Language", tc.lang)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
			for _, leak := range []string{"secret_table", "secretFunction", "store:", "service:", "goroutine", ".go:"} {
				if strings.Contains(body, leak) {
					t.Fatalf("response leaks internal text %q: %s", leak, body)
				}
			}
			rid := hdr.Get("X-Request-Id")
			if rid == "" {
				t.Fatal("no request id")
			}
			if tc.code != "" {
				var e apiErr
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != tc.code || e.Error.Message == "" || e.Error.RequestID != rid {
					t.Fatalf("api error %q, want code %q: %v", body, tc.code, err)
				}
				if tc.code == "invalid" && (len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "due_date" ||
					e.Error.Fields[0].Code != model.CodeTooFarPast || fmt.Sprint(e.Error.Fields[0].Params["years"]) != "1" ||
					!strings.Contains(body, `"message":"Bitte geben Sie ein gültiges Datum an, höchstens ein Jahr zurück und fünf Jahre voraus."`)) {
					t.Fatalf("validation fields missing: %s", body)
				}
				if tc.code == "transition_refused" && !strings.Contains(body, `"transition":{"object":"referral","from":"declined","to":"accepted","allowed":[]}`) {
					t.Fatalf("refused transition not named: %s", body)
				}
				return
			}
			if !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, tc.contains) || !strings.Contains(body, rid) {
				t.Fatalf("html error page lacks %q or the request id: %s", tc.contains, body)
			}
		})
	}
	// The cause is logged with the request id, for the operator.
	if !strings.Contains(logs.String(), "secret_table") || !strings.Contains(logs.String(), "request_id=") {
		t.Fatalf("internal cause not logged:\n%s", logs.String())
	}

	t.Run("body too large", func(t *testing.T) {
		res, err := http.Post(srv.URL+"/api/v1/test/echo", "text/plain", strings.NewReader(strings.Repeat("x", 4096)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 413 {
			t.Fatalf("status %d, want 413", res.StatusCode)
		}
	})
	t.Run("forged request id is replaced", func(t *testing.T) {
		_, _, hdr := get(t, srv.URL+"/healthz", "X-Request-Id", "evil\" injected=1")
		if strings.Contains(hdr.Get("X-Request-Id"), "evil") {
			t.Fatal("unsafe request id kept")
		}
		_, _, hdr = get(t, srv.URL+"/healthz", "X-Request-Id", "lb-1234")
		if hdr.Get("X-Request-Id") != "lb-1234" {
			t.Fatal("safe request id from the load balancer not kept")
		}
	})
}

// TestRequestsInFlightFollowThePool: the server serves twice LOTSE_DB_MAX_CONNS requests at
// once (4 in the test configuration, so 8); the next one waits for a place, and gets it when
// one is done.
func TestRequestsInFlightFollowThePool(t *testing.T) {
	t.Parallel()
	var inside, most atomic.Int32
	entered, release := make(chan struct{}, 16), make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	_, srv, _ := newTestApp(t, testutil.NewEmptyDatabase(t), func(e *echo.Echo) {
		e.GET("/test/slow", func(c echo.Context) error {
			n := inside.Add(1)
			defer inside.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			entered <- struct{}{}
			<-release
			return c.String(http.StatusOK, "ok")
		})
	})
	t.Cleanup(open) // runs before the server's cleanup, which waits for the requests
	const places = 2 * 4
	codes := make(chan int, places+1)
	for range places + 1 {
		go func() {
			res, err := srv.Client().Get(srv.URL + "/test/slow")
			if err != nil {
				codes <- 0
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	for range places {
		<-entered
	}
	select {
	case <-entered:
		t.Fatalf("%d requests served at once, want %d", most.Load(), places)
	case <-time.After(200 * time.Millisecond):
	}
	open()
	for range places + 1 {
		if code := <-codes; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if most.Load() != places {
		t.Fatalf("at most %d requests at once, want %d", most.Load(), places)
	}
}
