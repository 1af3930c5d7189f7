package app_test

// The tests of the development variant (cmd/lotse-dev, package devapp): they are in package
// app_test because devapp imports app; export_test.go lends them package app's helpers.

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/devapp"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestDevEndToEnd runs `lotse-dev dev` (the development variant) on an empty database: it
// migrates, serves a ready instance, prints its URL and exits 0 on SIGTERM.
func TestDevEndToEnd(t *testing.T) {
	tdb := testutil.NewEmptyDatabase(t)
	addr := freePort(t)
	base := "http://" + addr
	app.ClearLotseEnv(t)
	t.Setenv("LOTSE_DATABASE_URL", tdb.URL)
	t.Setenv("LOTSE_MIGRATION_DATABASE_URL", tdb.OwnerURL)
	t.Setenv("LOTSE_HTTP_ADDR", addr)
	t.Setenv("LOTSE_BASE_URL", base)
	t.Setenv("LOTSE_DEV_DATA_DIR", t.TempDir()) // must stay unused: the database is given
	t.Setenv("LOTSE_DEVIDP_ADDR", "127.0.0.1:0")

	stdout, stderr := &testutil.LogBuffer{}, &testutil.LogBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- app.Main([]string{"dev"}, stdout, stderr, devapp.Commands()...) }()

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
	if cur, latest := app.SchemaVersion(t, tdb.OwnerURL); cur != latest || latest == 0 {
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
	app.AssertNoCrash(t, stdout.String(), stderr.String())
}

// caseRows counts what the demo case seed writes: cases, persons, consents, referrals,
// tasks, notes.
func caseRows(t *testing.T, url string) [6]int {
	t.Helper()
	d := testutil.Open(t, url)
	defer d.Close()
	var n [6]int
	for i, table := range []string{"cases", "persons", "consents", "referrals", "tasks", "notes"} {
		if err := d.SQL.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestSeedDemoTwice: `lotse-dev seed demo` applies the demo directory cleanly and creates the
// demo cases, and a second seed changes nothing (it only looks whether the cases are there).
func TestSeedDemoTwice(t *testing.T) {
	url := testutil.NewDBURL(t)
	env := map[string]string{"LOTSE_DATABASE_URL": url}
	f, err := directory.Parse(demo.DirectoryName, demo.Directory)
	if err != nil {
		t.Fatal(err)
	}
	grants := 0
	for _, u := range f.Users {
		grants += len(u.Grants)
	}
	code, _, stderr := app.RunMainWith(t, env, devapp.Commands(), "seed", "demo")
	if code != 0 {
		t.Fatalf("seed demo: exit %d; stderr:\n%s", code, stderr)
	}
	first := app.DirectoryRows(t, url)
	want := [4]int{len(f.Organisations), len(f.Users), grants, len(f.Organisations) + len(f.Users) + grants}
	if first != want {
		t.Errorf("after seed demo: rows (organisations, users, grants, audit events) = %v, want %v", first, want)
	}
	if !strings.Contains(stderr, "changes="+strconv.Itoa(want[3])) {
		t.Errorf("seed demo does not log the number of changes:\n%s", stderr)
	}
	households := len(demo.Households(time.Now()))
	if !strings.Contains(stderr, "created="+strconv.Itoa(households)+" present=0") {
		t.Errorf("seed demo does not log the %d demo households it created:\n%s", households, stderr)
	}
	cases := caseRows(t, url)

	code, _, stderr = app.RunMainWith(t, env, devapp.Commands(), "seed", "demo")
	if code != 0 {
		t.Fatalf("second seed demo: exit %d; stderr:\n%s", code, stderr)
	}
	if again := app.DirectoryRows(t, url); again != first {
		t.Errorf("the second seed changed the database: %v, before %v", again, first)
	}
	if !strings.Contains(stderr, "changes=0") || !strings.Contains(stderr, "created=0 present="+strconv.Itoa(households)) {
		t.Errorf("the second seed does not log 0 changes and no new households:\n%s", stderr)
	}
	if again := caseRows(t, url); again != cases {
		t.Errorf("the second seed changed the case data: %v, before %v", again, cases)
	}

	// The directory tool agrees that the demo directory is in place.
	code, stdout, stderr := app.RunMainWith(t, env, devapp.Commands(), "directory", "apply", app.WriteFile(t, "demo.yaml", string(demo.Directory)))
	if code != 0 || stdout != "applied 0 changes\n" {
		t.Errorf("directory apply of the demo directory after seeding: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestDevVariantHelp: the development variant is the production grammar plus dev, seed and bench.
func TestDevVariantHelp(t *testing.T) {
	code, stdout, stderr := app.RunMainWith(t, nil, devapp.Commands(), "--help")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	cmds := app.HelpCommands(stdout)
	for _, cmd := range []string{"serve", "dev", "seed", "bench", "migrate", "directory", "policy", "version"} {
		if !cmds[cmd] {
			t.Errorf("lotse-dev --help does not list %q:\n%s", cmd, stdout)
		}
	}
}
