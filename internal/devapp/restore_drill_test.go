package devapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestRestoreDrill is the restore drill of docs/backup.md: the demo data seeded into a
// database and its audit chain sealed with a signed checkpoint; pg_dump -Fc of it as the
// owner, by the pg_dump of the server's own major version; pg_restore into a fresh empty
// database as the owner; then Lotse serves the restored database: every table has as many rows
// as the original, a seeded case's page shows its person to a caseworker of its organisation,
// lotse migrate status finds nothing pending, lotse audit verify passes with the key, and
// sealing and verifying again after the restored Lotse wrote new audit events passes too
// (the sequences came back with the data).
func TestRestoreDrill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	src := testutil.NewDatabase(t)
	seed := make([]byte, 32)
	_, _ = rand.Read(seed)
	key := hex.EncodeToString(seed)

	a, err := app.New(ctx, drillConfig(t, src.URL), slog.New(slog.DiscardHandler), false, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Close()
	env := map[string]string{"LOTSE_DATABASE_URL": src.URL, "LOTSE_MIGRATION_DATABASE_URL": src.OwnerURL, "LOTSE_AUDIT_SIGNING_KEY": key}
	if out := lotse(t, env, "audit", "seal"); !strings.Contains(out, "checkpoint at seq") {
		t.Fatalf("audit seal made no signed checkpoint: %s", out)
	}
	lotse(t, env, "audit", "verify")

	// The backup: pg_dump -Fc as the owner, with the server's own major version.
	bin := serverBinDir(t, ctx, src.OwnerURL)
	dump := filepath.Join(t.TempDir(), "lotse.dump")
	run(t, filepath.Join(bin, "pg_dump"), "-Fc", "-f", dump, "-d", src.OwnerURL)

	// The restore: into a fresh, empty database owned by the same owner role (the roles are
	// cluster-wide and not in the dump; docs/backup.md says how to create them).
	dst := testutil.NewEmptyDatabase(t)
	run(t, filepath.Join(bin, "pg_restore"), "--exit-on-error", "--single-transaction", "-d", dst.OwnerURL, dump)

	want, got := rowCounts(t, ctx, src.OwnerURL), rowCounts(t, ctx, dst.OwnerURL)
	if len(want) < 20 {
		t.Fatalf("only %d tables counted in the original: %v", len(want), want)
	}
	for table, n := range want {
		if got[table] != n {
			t.Errorf("table %s: %d rows restored, %d in the original", table, got[table], n)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("table %s is in the restored database only", table)
		}
	}
	for _, table := range []string{"cases", "persons", "referrals", "tasks", "notes", "audit_events", "users", "role_grants"} {
		if want[table] == 0 {
			t.Errorf("the demo data left %s empty: the drill would prove nothing of it", table)
		}
	}

	// Lotse on the restored database, as the application role.
	denv := map[string]string{"LOTSE_DATABASE_URL": dst.URL, "LOTSE_MIGRATION_DATABASE_URL": dst.OwnerURL, "LOTSE_AUDIT_SIGNING_KEY": key}
	if out := lotse(t, denv, "migrate", "status"); strings.Contains(out, "pending") || !strings.Contains(out, "applied") {
		t.Errorf("migrate status on the restored database: %s", out)
	}
	t.Logf("lotse audit verify on the restored database: %s", lotse(t, denv, "audit", "verify"))

	var caseID, worker uuid.UUID
	var family string
	conn, err := pgx.Connect(ctx, dst.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(ctx, `
		SELECT c.id, p.family_name, g.user_id
		FROM cases c JOIN persons p ON p.case_id = c.id AND p.is_primary
		JOIN role_grants g ON g.org_id = c.lead_org_id AND g.role = 'caseworker'
		ORDER BY c.opened_at, c.id LIMIT 1`).Scan(&caseID, &family, &worker); err != nil {
		t.Fatal(err)
	}
	cfg := drillConfig(t, dst.URL)
	restored, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), false, app.Options{
		Identify: func(*http.Request) (uuid.UUID, error) { return worker, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	restored.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/faelle/"+caseID.String(), nil))
	restored.Close()
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), family) {
		t.Fatalf("the restored Lotse answers the seeded case with %d, without its person %q", rec.Code, family)
	}
	var reads int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE case_id = $1 AND actor_id = $2`, caseID, worker).Scan(&reads); err != nil || reads == 0 {
		t.Fatalf("the read on the restored database left no audit event (%d, %v)", reads, err)
	}
	// New events after the restore extend the restored chain.
	if out := lotse(t, denv, "audit", "seal"); !strings.Contains(out, "checkpoint at seq") {
		t.Fatalf("audit seal after the restore: %s", out)
	}
	lotse(t, denv, "audit", "verify")
}

// drillConfig is the configuration defaults with the database url.
func drillConfig(t *testing.T, url string) *config.Config {
	t.Helper()
	var cfg config.Config
	p, err := kong.New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.DBMaxConns, cfg.CookieSecure, cfg.MetricsEnabled = url, 4, "false", false
	return &cfg
}

// lotse runs the production command line with env (and no other LOTSE_* variable) and
// returns its output; a non-zero exit fails the test.
func lotse(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "LOTSE_") && !strings.HasPrefix(k, "LOTSE_TEST_") {
			t.Setenv(k, "") // registers the restore
			os.Unsetenv(k)
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	if code := app.Main(args, &out, &errb); code != 0 {
		t.Fatalf("lotse %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// serverBinDir is the bin directory of the installed PostgreSQL whose major version the
// server at url runs: a pg_dump older than the server refuses to dump it, and the procedure
// of docs/backup.md uses the server's own.
func serverBinDir(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var num int
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&num); err != nil {
		t.Fatal(err)
	}
	dir := fmt.Sprintf("/usr/lib/postgresql/%d/bin", num/10000)
	for _, b := range []string{"pg_dump", "pg_restore"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			t.Fatalf("no %s of PostgreSQL %d: %v (Debian: apt-get install postgresql-client-%d)", b, num/10000, err, num/10000)
		}
	}
	return dir
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(name), err, out.String())
	}
}

// rowCounts counts the rows of every table of the database's own schemas.
func rowCounts(t *testing.T, ctx context.Context, url string) map[string]int64 {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `
		SELECT format('%I.%I', n.nspname, c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(table, "public.")] = n
	}
	return out
}
