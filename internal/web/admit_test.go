package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestAdmitHoldsTheRestBack: with one place, a second request waits until the first is
// done, the probes answer meanwhile, and a client that gives up while waiting is let go.
func TestAdmitHoldsTheRestBack(t *testing.T) {
	t.Parallel()
	e := echo.New()
	arrived := make(chan string, 4)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			arrived <- c.QueryParam("n")
			return next(c)
		}
	})
	e.Use(admit(1))
	var inside, most atomic.Int32
	entered := make(chan string, 4)
	release := make(chan struct{})
	e.GET("/slow", func(c echo.Context) error {
		n := inside.Add(1)
		defer inside.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		entered <- c.QueryParam("n")
		<-release
		return c.String(http.StatusOK, "done")
	})
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	srv := httptest.NewServer(e)
	defer srv.Close()
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	defer open() // before Close, which waits for the requests, also when the test fails

	get := func(ctx context.Context, path string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	done := make(chan int, 2)
	go func() { code, _ := get(context.Background(), "/slow?n=a"); done <- code }()
	if <-arrived != "a" || <-entered != "a" {
		t.Fatal("the first request was not served")
	}
	go func() { code, _ := get(context.Background(), "/slow?n=b"); done <- code }()
	if <-arrived != "b" {
		t.Fatal("the second request did not arrive")
	}
	// The second request has arrived and must not be served while the first holds the place.
	select {
	case n := <-entered:
		t.Fatalf("request %s was served beside the first", n)
	case <-time.After(100 * time.Millisecond):
	}
	probe, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if code, err := get(probe, "/healthz?n=probe"); err != nil || code != http.StatusOK {
		t.Fatalf("the probe waited or failed: %d %v", code, err)
	}
	<-arrived // the probe's
	// A third client gives up while waiting: it is let go at once, not after the first.
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { _, err := get(ctx, "/slow?n=c"); gaveUp <- err }()
	if <-arrived != "c" {
		t.Fatal("the third request did not arrive")
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("the cancelled request got an answer")
	}
	open()
	for range 2 {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	served := map[string]bool{}
	for len(entered) > 0 {
		served[<-entered] = true
	}
	if !served["b"] {
		t.Fatal("the waiting second request was not served")
	}
	if most.Load() != 1 {
		t.Fatalf("%d requests served at once, want 1", most.Load())
	}
}
