package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/testutil"
)

type slowResult struct {
	status int
	body   string
	err    error
	at     time.Time
}

// startSlowApp builds an App with GET /test/slow (which reports on started when it runs and
// then takes handlerTime), serves it on a fresh listener with a context cancelled by SIGTERM,
// exactly like Main, and returns the address and the channel Serve's result arrives on.
func startSlowApp(t *testing.T, grace, handlerTime time.Duration, logs io.Writer) (addr string, started <-chan struct{}, served <-chan error) {
	return startSlowAppDelay(t, grace, 0, handlerTime, logs)
}

// startSlowAppDelay is startSlowApp with a readiness delay (LOTSE_SHUTDOWN_READINESS_DELAY).
func startSlowAppDelay(t *testing.T, grace, readinessDelay, handlerTime time.Duration, logs io.Writer) (addr string, started <-chan struct{}, served <-chan error) {
	t.Helper()
	cfg := defaultConfig(t, testutil.NewDBURL(t))
	cfg.ShutdownGrace = grace
	cfg.ReadinessDelay = readinessDelay
	log := slog.New(slog.NewTextHandler(logs, nil))

	startedc := make(chan struct{}, 1)
	testDone := make(chan struct{})
	t.Cleanup(func() { close(testDone) })
	a, err := New(context.Background(), cfg, log, false, Options{ExtraRoutes: func(e *echo.Echo) {
		e.GET("/test/slow", func(c echo.Context) error {
			select {
			case startedc <- struct{}{}:
			default:
			}
			// Deliberately ignores the request context: a handler that does not cooperate.
			select {
			case <-time.After(handlerTime):
			case <-testDone:
			}
			return c.String(http.StatusOK, "done")
		})
	}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(a.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	t.Cleanup(stop)
	servedc := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		servedc <- a.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		// Never leave a server behind, whatever failed: stop it by cancelling our own
		// context instead of a signal, and wait for it.
		stop()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Error("Serve still runs 10s after its context was cancelled")
		}
	})

	// Serving? (The listener is open already; make sure the handler chain answers.)
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}
	return ln.Addr().String(), startedc, servedc
}

// fireSlow sends GET /test/slow on its own connection and reports the outcome.
func fireSlow(addr string) <-chan slowResult {
	out := make(chan slowResult, 1)
	go func() {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
		resp, err := client.Get("http://" + addr + "/test/slow")
		if err != nil {
			out <- slowResult{err: err, at: time.Now()}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		out <- slowResult{status: resp.StatusCode, body: string(b), err: err, at: time.Now()}
	}()
	return out
}

func waitStarted(t *testing.T, started <-chan struct{}, slow <-chan slowResult) {
	t.Helper()
	select {
	case <-started:
	case r := <-slow:
		t.Fatalf("slow request ended before its handler ran: %+v", r)
	case <-time.After(10 * time.Second):
		t.Fatal("the slow handler did not start within 10s")
	}
}

// waitRefused dials addr until the connection is refused, at most for bound.
func waitRefused(t *testing.T, addr string, bound time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(bound)
	var lastErr error
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			lastErr = nil
		} else if errors.Is(err, syscall.ECONNREFUSED) {
			return time.Now()
		} else {
			lastErr = err
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("new connections to %s were still not refused %s after SIGTERM (last dial error: %v)", addr, bound, lastErr)
	return time.Time{}
}

func sigterm(t *testing.T) time.Time {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	return time.Now()
}

// TestServeGracefulStop: on SIGTERM the server stops accepting at once, lets the in-flight
// request finish and Serve returns nil.
func TestServeGracefulStop(t *testing.T) {
	logs := &testutil.LogBuffer{}
	addr, started, served := startSlowApp(t, 15*time.Second, 1500*time.Millisecond, logs)

	slow := fireSlow(addr)
	waitStarted(t, started, slow)
	sent := sigterm(t)

	refusedAt := waitRefused(t, addr, time.Second)

	var r slowResult
	select {
	case r = <-slow:
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request did not complete within 10s of SIGTERM")
	}
	if r.err != nil {
		t.Fatalf("in-flight request was cut off: %v", r.err)
	}
	if r.status != http.StatusOK || r.body != "done" {
		t.Fatalf("in-flight request: status %d body %q, want 200 \"done\"", r.status, r.body)
	}
	if !refusedAt.Before(r.at) {
		t.Errorf("new connections were refused only after the in-flight request finished (refused %s, finished %s after SIGTERM)",
			refusedAt.Sub(sent), r.at.Sub(sent))
	}

	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within 5s after the in-flight request finished")
	}
	if l := logs.String(); !strings.Contains(l, "shutting down") || !strings.Contains(l, "stopped") {
		t.Errorf("logs lack the shutdown lines:\n%s", l)
	}
	if l := logs.String(); strings.Contains(l, "cut off") {
		t.Errorf("a request was reported cut off although it finished within the grace period:\n%s", l)
	}
}

// TestServeGraceExpires: a handler that outlasts ShutdownGrace does not keep Serve from
// returning; the request is cut off.
func TestServeGraceExpires(t *testing.T) {
	const grace = 200 * time.Millisecond
	logs := &testutil.LogBuffer{}
	addr, started, served := startSlowApp(t, grace, 3*time.Second, logs)

	slow := fireSlow(addr)
	waitStarted(t, started, slow)
	sent := sigterm(t)

	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil", err)
		}
		// sent is taken after the signal went out and the server's timer starts when the
		// signal arrives: allow the few milliseconds between the two clocks.
		if d := time.Since(sent); d < grace*9/10 {
			t.Errorf("Serve returned after %s, before the grace period of %s was over", d, grace)
		}
	case <-time.After(2500 * time.Millisecond):
		t.Fatal("Serve did not return within 2.5s of SIGTERM with a 200ms grace period (the 3s handler kept it)")
	}
	waitRefused(t, addr, time.Second)

	select {
	case r := <-slow:
		if r.err == nil && r.status == http.StatusOK && r.body == "done" {
			t.Errorf("the request outlasting the grace period was answered normally: %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the client of the cut-off request still waits 5s later")
	}
	if l := logs.String(); !strings.Contains(l, "cut off") {
		t.Errorf("logs do not report the cut-off request:\n%s", l)
	}
}

// TestServeDrainsReadinessFirst: on SIGTERM /readyz answers 503 "draining" at once while the
// server still accepts and answers requests, each with "Connection: close"; only after the
// readiness delay does it stop accepting, and the request in flight still finishes.
func TestServeDrainsReadinessFirst(t *testing.T) {
	const delay = 1500 * time.Millisecond
	logs := &testutil.LogBuffer{}
	addr, started, served := startSlowAppDelay(t, 15*time.Second, delay, 2500*time.Millisecond, logs)
	client := &http.Client{Timeout: 5 * time.Second}

	// net/http takes "Connection: close" out of the header into Response.Close.
	get := func(path string) (int, string, bool) {
		t.Helper()
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Close
	}
	if st, body, closed := get("/readyz"); st != http.StatusOK || closed {
		t.Fatalf("before SIGTERM: /readyz = %d %q (Connection: close %v), want 200 and a kept connection", st, body, closed)
	}

	slow := fireSlow(addr)
	waitStarted(t, started, slow)
	sent := sigterm(t)

	// Draining: readiness fails at once, everything else is still served on new connections.
	deadline := time.Now().Add(time.Second)
	for {
		st, body, _ := get("/readyz")
		if st == http.StatusServiceUnavailable {
			if !strings.Contains(body, `"draining"`) {
				t.Errorf("draining /readyz body = %q, want status draining", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d one second after SIGTERM", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(sent); d > delay*2/3 {
		t.Fatalf("the checks took %s, too long to test the delay of %s", d, delay)
	}
	st, body, closed := get("/healthz")
	if st != http.StatusOK || !strings.Contains(body, "ok") {
		t.Errorf("while draining, /healthz = %d %q, want 200 (requests are still served)", st, body)
	}
	if !closed {
		t.Error("while draining, responses must carry Connection: close")
	}

	refusedAt := waitRefused(t, addr, delay+2*time.Second)
	if d := refusedAt.Sub(sent); d < delay*9/10 {
		t.Errorf("new connections were refused %s after SIGTERM, before the readiness delay of %s was over", d, delay)
	}
	select {
	case r := <-slow:
		if r.err != nil || r.status != http.StatusOK || r.body != "done" {
			t.Fatalf("the request in flight was not finished: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request did not complete within 10s")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if l := logs.String(); !strings.Contains(l, "draining") {
		t.Errorf("logs lack the draining line:\n%s", l)
	}
}
