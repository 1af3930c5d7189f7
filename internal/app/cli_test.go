package app

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/migrations"
)

// runMain runs Main with a clean LOTSE_* environment plus env and returns code and output.
func runMain(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runMainWith(t, env, nil, args...)
}

// runMainWith is runMain for a build with extra commands (the development variant's).
func runMainWith(t *testing.T, env map[string]string, extra []Command, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	clearLotseEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- Main(args, &out, &errb, extra...) }()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("lotse %s did not return within 30s", strings.Join(args, " "))
	}
	return code, out.String(), errb.String()
}

// helpCommands returns the first words of the lines of the Commands section of --help.
func helpCommands(help string) map[string]bool {
	_, section, _ := strings.Cut(help, "\nCommands:\n")
	section, _, _ = strings.Cut(section, "\n\n")
	out := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
			out[f[0]] = true
		}
	}
	return out
}

// assertNoCrash fails when the output looks like a panic or a goroutine dump.
func assertNoCrash(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, "panic") || strings.Contains(o, "goroutine") {
			t.Errorf("output looks like a crash:\n%s", o)
		}
	}
}

// assertOneLine fails unless stderr is exactly one "lotse: ..." line.
func assertOneLine(t *testing.T, stderr string) {
	t.Helper()
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr is not exactly one line:\n%s", stderr)
	}
	if !strings.HasPrefix(stderr, "lotse: ") {
		t.Errorf("stderr does not start with \"lotse: \": %q", stderr)
	}
}

func TestMainBadInput(t *testing.T) {
	const secret = "s3cret"
	unreachable := "postgres://postgres:" + secret + "@127.0.0.1:1/x?sslmode=disable"
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int      // 0: any non-zero code
		oneLine  bool     // single error: exactly one line on stderr
		contains []string // each must appear in stderr
	}{
		{
			name: "unknown flag", args: []string{"serve", "--bogus"},
			code: 2, oneLine: true, contains: []string{"--bogus"},
		},
		{
			name: "malformed database URL, serve", args: []string{"serve"},
			env:  map[string]string{"LOTSE_DATABASE_URL": "::notaurl"},
			code: 2, contains: []string{"LOTSE_DATABASE_URL"},
		},
		{
			name: "malformed database URL, migrate up", args: []string{"migrate", "up"},
			env:  map[string]string{"LOTSE_MIGRATION_DATABASE_URL": "::notaurl"},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL"},
		},
		{
			name: "database URL with password and bad host, serve", args: []string{"serve"},
			env:  map[string]string{"LOTSE_DATABASE_URL": "postgres://u:" + secret + "@bad host:5432/lotse"},
			code: 2, contains: []string{"LOTSE_DATABASE_URL"},
		},
		{
			name: "database URL with password and non-numeric port, migrate up", args: []string{"migrate", "up"},
			env:  map[string]string{"LOTSE_MIGRATION_DATABASE_URL": "postgres://u:" + secret + "@127.0.0.1:port/lotse"},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL"},
		},
		{
			name: "database URL with password and port out of range, serve", args: []string{"serve"},
			env:  map[string]string{"LOTSE_DATABASE_URL": "postgres://u:" + secret + "@127.0.0.1:99999/lotse"},
			code: 2, contains: []string{"LOTSE_DATABASE_URL"},
		},
		{
			name: "non-postgres scheme, serve", args: []string{"serve"},
			env:  map[string]string{"LOTSE_DATABASE_URL": "mysql://u:" + secret + "@x/y"},
			code: 2, contains: []string{"LOTSE_DATABASE_URL", "postgres://"},
		},
		{
			name: "non-postgres scheme, migrate up", args: []string{"migrate", "up"},
			env:  map[string]string{"LOTSE_MIGRATION_DATABASE_URL": "mysql://u:" + secret + "@x/y"},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL", "postgres://"},
		},
		{
			name: "missing database URL, serve", args: []string{"serve"},
			code: 2, contains: []string{"LOTSE_DATABASE_URL", "required"},
		},
		{
			name: "migrate up without the migration URL", args: []string{"migrate", "up"},
			env:  map[string]string{"LOTSE_DATABASE_URL": unreachable},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL", "required"},
		},
		{
			name: "serve --migrate without the migration URL", args: []string{"serve", "--migrate"},
			env:  map[string]string{"LOTSE_DATABASE_URL": unreachable},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL", "required"},
		},
		{
			name: "one URL for both roles, serve --migrate", args: []string{"serve", "--migrate"},
			env:  map[string]string{"LOTSE_DATABASE_URL": unreachable, "LOTSE_MIGRATION_DATABASE_URL": unreachable},
			code: 2, contains: []string{"LOTSE_MIGRATION_DATABASE_URL", "must differ"},
		},
		{
			name: "unreachable database, serve", args: []string{"serve"},
			env:  map[string]string{"LOTSE_DATABASE_URL": unreachable},
			code: 1, oneLine: true, contains: []string{"cannot reach the database"},
		},
		{
			name: "unreachable database, migrate status", args: []string{"migrate", "status"},
			env:  map[string]string{"LOTSE_MIGRATION_DATABASE_URL": unreachable},
			code: 1, oneLine: true, contains: []string{"cannot reach the database"},
		},
		{
			name: "several config problems at once", args: []string{"serve"},
			env: map[string]string{
				"LOTSE_DATABASE_URL":   unreachable,
				"LOTSE_LOG_LEVEL":      "loud",
				"LOTSE_HTTP_ADDR":      "nonsense",
				"LOTSE_SHUTDOWN_GRACE": "-1s",
			},
			code: 2, contains: []string{"LOTSE_LOG_LEVEL", "loud", "LOTSE_HTTP_ADDR", "nonsense", "LOTSE_SHUTDOWN_GRACE", "3 problems"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tc.env, tc.args...)
			if code == 0 || (tc.code != 0 && code != tc.code) {
				t.Errorf("exit code %d, want %d (0: any non-zero); stderr:\n%s", code, tc.code, stderr)
			}
			if tc.oneLine {
				assertOneLine(t, stderr)
			} else if !strings.HasPrefix(stderr, "lotse: ") {
				t.Errorf("stderr does not start with \"lotse: \":\n%s", stderr)
			}
			for _, want := range tc.contains {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not mention %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("output reveals the password:\nstdout: %s\nstderr: %s", stdout, stderr)
			}
			assertNoCrash(t, stdout, stderr)
		})
	}
}

// TestMainSchemaAhead: serve and migrate up refuse a schema newer than the binary and change
// nothing.
func TestMainSchemaAhead(t *testing.T) {
	tdb := testutil.NewDatabase(t)
	url := tdb.URL
	d := testutil.Open(t, tdb.OwnerURL)
	if _, err := d.SQL.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	before := versionRows(t, url)
	for _, args := range [][]string{{"serve"}, {"serve", "--migrate"}, {"migrate", "up"}, {"migrate", "down"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			env := map[string]string{"LOTSE_DATABASE_URL": url, "LOTSE_MIGRATION_DATABASE_URL": tdb.OwnerURL, "LOTSE_HTTP_ADDR": freeAddr(t)}
			code, stdout, stderr := runMain(t, env, args...)
			if code == 0 {
				t.Fatalf("exit code 0 on a newer schema; stdout:\n%s", stdout)
			}
			assertOneLine(t, stderr)
			if !strings.Contains(stderr, "newer") {
				t.Errorf("stderr does not say the schema is newer:\n%s", stderr)
			}
			assertNoCrash(t, stdout, stderr)
			if after := versionRows(t, url); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("goose_db_version changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestMainSchemaBehind: serve refuses an unmigrated database, names the fix and creates nothing.
func TestMainSchemaBehind(t *testing.T) {
	tdb := testutil.NewEmptyDatabase(t)
	url := tdb.OwnerURL
	code, stdout, stderr := runMain(t, map[string]string{"LOTSE_DATABASE_URL": tdb.URL, "LOTSE_HTTP_ADDR": freeAddr(t)}, "serve")
	if code == 0 {
		t.Fatalf("exit code 0 on an unmigrated database; stdout:\n%s", stdout)
	}
	assertOneLine(t, stderr)
	if !strings.Contains(stderr, "lotse migrate up") {
		t.Errorf("stderr does not name `lotse migrate up`:\n%s", stderr)
	}
	assertNoCrash(t, stdout, stderr)

	d := testutil.Open(t, url)
	var tables, extensions int
	if err := d.SQL.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := d.SQL.QueryRow(`SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'`).Scan(&extensions); err != nil {
		t.Fatal(err)
	}
	if tables != 0 || extensions != 0 {
		t.Errorf("serve changed the unmigrated database: %d tables, %d extensions", tables, extensions)
	}
}

func TestMainInfo(t *testing.T) {
	t.Run("version", func(t *testing.T) {
		code, stdout, stderr := runMain(t, nil, "version")
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		v, ok := strings.CutPrefix(stdout, "lotse ")
		if !ok || strings.TrimSpace(v) == "" || strings.Count(stdout, "\n") != 1 {
			t.Errorf("stdout %q, want one line \"lotse <version>\"", stdout)
		}
	})
	t.Run("help", func(t *testing.T) {
		code, stdout, stderr := runMain(t, nil, "--help")
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		cmds := helpCommands(stdout)
		for _, cmd := range []string{"serve", "migrate", "directory", "policy", "jobs", "version"} {
			if !cmds[cmd] {
				t.Errorf("--help does not list %q:\n%s", cmd, stdout)
			}
		}
		// The development commands are only in the development variant (cmd/lotse-dev;
		// TestDevVariantHelp).
		for _, cmd := range []string{"dev", "seed"} {
			if cmds[cmd] {
				t.Errorf("the production --help lists %q:\n%s", cmd, stdout)
			}
		}
	})
	t.Run("serve help", func(t *testing.T) {
		code, stdout, stderr := runMain(t, nil, "serve", "--help")
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stdout, "--migrate") {
			t.Errorf("serve --help does not mention --migrate:\n%s", stdout)
		}
	})
}

// migrationVersions lists the versions of the embedded migrations.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	var vs []int64
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		n, _, _ := strings.Cut(filepath.Base(p), "_")
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", p, err)
		}
		vs = append(vs, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no embedded migrations")
	}
	vs = append(vs, db.RiverMigrationVersions()...)
	slices.Sort(vs)
	return vs
}

func TestMainMigrateUpStatusDown(t *testing.T) {
	url := testutil.NewEmptyDBURL(t)
	env := map[string]string{"LOTSE_MIGRATION_DATABASE_URL": url}
	versions := migrationVersions(t)

	code, stdout, stderr := runMain(t, env, "migrate", "up")
	if code != 0 {
		t.Fatalf("migrate up: exit %d; stderr:\n%s", code, stderr)
	}
	if n := strings.Count(stdout, "applied "); n != len(versions) {
		t.Errorf("migrate up reported %d applied migrations, want %d:\n%s", n, len(versions), stdout)
	}
	if strings.Contains(stdout, "applied  (") {
		t.Errorf("migrate up names a migration with nothing:\n%s", stdout)
	}
	cur, latest := schemaVersion(t, url)
	if cur != latest {
		t.Fatalf("after migrate up the schema is at %d, want %d", cur, latest)
	}

	code, stdout, stderr = runMain(t, env, "migrate", "up")
	if code != 0 || !strings.Contains(stdout, "nothing to apply") {
		t.Errorf("second migrate up: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, stdout, stderr = runMain(t, env, "migrate", "status")
	if code != 0 {
		t.Fatalf("migrate status: exit %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != len(versions)+1 || !strings.HasPrefix(lines[0], "VERSION") {
		t.Fatalf("migrate status: want a header and %d lines:\n%s", len(versions), stdout)
	}
	for i, v := range versions {
		f := strings.Fields(lines[i+1])
		if len(f) < 2 || f[0] != strconv.FormatInt(v, 10) || f[1] != "applied" {
			t.Errorf("migrate status line %q, want version %d applied", lines[i+1], v)
		}
	}

	code, stdout, stderr = runMain(t, env, "migrate", "down")
	if code != 0 {
		t.Fatalf("migrate down: exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "rolled back") {
		t.Errorf("migrate down stdout: %q", stdout)
	}
	after, _ := schemaVersion(t, url)
	want := int64(0)
	if len(versions) > 1 {
		want = versions[len(versions)-2]
	}
	if after != want {
		t.Errorf("after migrate down the schema is at %d, want %d (one below %d)", after, want, cur)
	}

	code, stdout, stderr = runMain(t, env, "migrate", "status")
	if code != 0 {
		t.Fatalf("migrate status after down: exit %d; stderr:\n%s", code, stderr)
	}
	last := strings.Fields(lines[len(lines)-1])[0]
	if !strings.Contains(stdout, last) || !strings.Contains(stdout, "pending") {
		t.Errorf("migrate status after down does not show %s as pending:\n%s", last, stdout)
	}
}

func TestMainMigrateCreate(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runMain(t, nil, "migrate", "create", "add_test_thing", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "00001_add_test_thing.sql")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the migration file was not created: %v (stdout %q)", err, stdout)
	}
	if !strings.Contains(string(b), "-- +goose Up") || !strings.Contains(string(b), "-- +goose Down") {
		t.Errorf("the new migration lacks the goose markers:\n%s", b)
	}
	if !strings.Contains(stdout, path) {
		t.Errorf("stdout does not name %s: %q", path, stdout)
	}

	code, stdout, stderr = runMain(t, nil, "migrate", "create", "add_other_thing", "--dir", dir)
	if code != 0 {
		t.Fatalf("second create: exit %d; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "00002_add_other_thing.sql")); err != nil {
		t.Errorf("the second migration is not numbered 00002: %v (stdout %q)", err, stdout)
	}

	code, stdout, stderr = runMain(t, nil, "migrate", "create", "BadName", "--dir", dir)
	if code == 0 {
		t.Errorf("BadName was accepted; stdout %q", stdout)
	}
	assertOneLine(t, stderr)
	assertNoCrash(t, stdout, stderr)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("the bad name left a file behind: %d files in %s", len(entries), dir)
	}
}
