package app

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestDevEndToEnd runs `lotse dev` on an empty database: it migrates, serves a ready
// instance, prints its URL and exits 0 on SIGTERM.
func TestDevEndToEnd(t *testing.T) {
	tdb := testutil.NewEmptyDatabase(t)
	addr := freeAddr(t)
	base := "http://" + addr
	clearLotseEnv(t)
	t.Setenv("LOTSE_DATABASE_URL", tdb.URL)
	t.Setenv("LOTSE_MIGRATION_DATABASE_URL", tdb.OwnerURL)
	t.Setenv("LOTSE_HTTP_ADDR", addr)
	t.Setenv("LOTSE_BASE_URL", base)
	t.Setenv("LOTSE_DEV_DATA_DIR", t.TempDir()) // must stay unused: the database is given
	t.Setenv("LOTSE_DEVIDP_ADDR", "127.0.0.1:0")

	stdout, stderr := &testutil.LogBuffer{}, &testutil.LogBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- Main([]string{"dev"}, stdout, stderr) }()

	client := &http.Client{Timeout: 5 * time.Second}
	var body []byte
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case code := <-exited:
			t.Fatalf("lotse dev exited with %d before it was ready\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		default:
		}
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			// No SIGTERM here: Main may have returned meanwhile, and without its handler the
			// signal would kill the test binary.
			t.Fatalf("GET /readyz not 200 within 30s (last: %v, %s)\nstderr:\n%s", err, body, stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// From here on Main is serving, so its signal.NotifyContext is installed: make sure it
	// is stopped by SIGTERM whatever assertion fails below.
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatalf("send SIGTERM: %v", err)
		}
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("lotse dev exited with %d after SIGTERM, want 0\nstderr:\n%s", code, stderr)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("lotse dev did not return within 5s of SIGTERM")
		}
	}
	defer stop()

	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(body, &ready); err != nil {
		t.Fatalf("/readyz is not JSON: %v: %s", err, body)
	}
	if ready.Status != "ok" || ready.Checks["database"] != "ok" || ready.Checks["schema"] != "ok" {
		t.Errorf("/readyz = %s, want status ok with database and schema ok", body)
	}
	if cur, latest := schemaVersion(t, tdb.OwnerURL); cur != latest || latest == 0 {
		t.Errorf("lotse dev left the schema at %d, want the latest %d", cur, latest)
	}
	if out := stdout.String(); !strings.Contains(out, base) {
		t.Errorf("stdout does not show the URL %s:\n%s", base, out)
	}

	stop()

	// Stopped means stopped: the port is free again.
	if resp, err := client.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("lotse dev still answers after it returned")
	}
	assertNoCrash(t, stdout.String(), stderr.String())
}
