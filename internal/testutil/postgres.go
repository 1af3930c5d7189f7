package testutil

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/pglocal"
	"github.com/lotse-project/lotse/migrations"
)

// The server and template are per test process (one per package): a package's tests share
// them, and Main stops a private cluster when the package is done.
var (
	serverOnce sync.Once
	server     *pglocal.Server
	serverErr  error

	templateMu   sync.Mutex
	templateName string
)

// Main runs a package's tests and then stops the private PostgreSQL cluster, if the harness
// had to start one. Use it from TestMain in every package that calls NewDB.
func Main(m *testing.M) {
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testutil: stopping PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

// The two database roles of every test database, as in production (see README, "Database
// roles"): OwnerRole owns the database and its schema and runs the migrations; AppRole is the
// application's login role, a member of lotse_app that owns nothing, and serves. They are
// cluster-wide, created once by Server, and carry a fixed password (they own only throwaway
// test databases) so that a server with password authentication works too.
const (
	OwnerRole    = "lotse_test_owner"
	AppRole      = "lotse_test_app"
	rolePassword = "lotse_test"
)

// Server returns the PostgreSQL server for tests: LOTSE_TEST_DATABASE_URL (a URL of a role
// that may create databases and roles) when set, else a local server, else a throwaway
// cluster from the installed binaries. Without any, the test fails with one line saying what
// to install. The roles OwnerRole and AppRole exist on it afterwards.
func Server(t testing.TB) *pglocal.Server {
	t.Helper()
	serverOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if u := os.Getenv("LOTSE_TEST_DATABASE_URL"); u != "" {
			server = &pglocal.Server{AdminURL: u}
		} else if server, serverErr = pglocal.Find(ctx, pglocal.Options{}); serverErr != nil {
			return
		}
		if err := pglocal.EnsureRoles(ctx, server.AdminURL, pglocal.Roles{Owner: OwnerRole, App: AppRole, Password: rolePassword}); err != nil {
			serverErr = fmt.Errorf("create the test roles: %w", err)
		}
	})
	if serverErr != nil {
		t.Fatalf("testutil: %v", serverErr)
	}
	return server
}

func adminExec(ctx context.Context, t testing.TB, sql string) error {
	conn, err := pgx.Connect(ctx, Server(t).AdminURL)
	if err != nil {
		return fmt.Errorf("connect to the test server: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// migrationsHash names the template after the migrations, so that a changed migration set
// never reuses a stale template.
func migrationsHash() (string, error) {
	h := sha256.New()
	// The roles the template is built for: a template of another role layout is never reused.
	fmt.Fprintf(h, "roles\x00%s\x00%s\x00", OwnerRole, AppRole)
	var names []string
	if err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	}); err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// template returns the name of a database migrated to the latest version, creating it once.
// Test processes of several packages run at once, so creation is serialised with an advisory
// lock, and a template is published by renaming only after its migration succeeded.
func template(t testing.TB) string {
	t.Helper()
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateName == "" {
		name, err := makeTemplate(t)
		if err != nil {
			t.Fatalf("testutil: template database: %v", err)
		}
		templateName = name
	}
	return templateName
}

// forgetTemplate makes the next template call build name again: a test process of another
// checkout (with other migrations) may have dropped it as stale.
func forgetTemplate(name string) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateName == name {
		templateName = ""
	}
}

func makeTemplate(t testing.TB) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "lotse_tpl_" + hash
	conn, err := pgx.Connect(ctx, Server(t).AdminURL)
	if err != nil {
		return "", fmt.Errorf("connect to the test server: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7462013)`); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7462013)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Drop templates of other migration sets once they are a day old: a branch checked out
	// beside this one (another worktree, a CI run) may still be using a newer or older set,
	// and dropping its template would fail its tests. One still in use is left for later.
	rows, err := conn.Query(ctx, `SELECT d.datname FROM pg_database d
		LEFT JOIN pg_shdescription c ON c.objoid = d.oid AND c.classoid = 'pg_database'::regclass
		WHERE d.datname LIKE 'lotse\_tpl\_%'
		AND substring(c.description FROM '^lotse template (\d+)$')::bigint < extract(epoch FROM now()) - 86400`)
	if err != nil {
		return "", err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, o := range old {
		_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{o}.Sanitize())
	}
	building := name + "_build"
	_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{building}.Sanitize()+` WITH (FORCE)`)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{building}.Sanitize()+` OWNER `+pgx.Identifier{OwnerRole}.Sanitize()); err != nil {
		return "", err
	}
	// Migrated as the owner, as in production: the clones inherit the objects' owner and the
	// grants to lotse_app with them.
	d, err := db.Open(ctx, Server(t).URLAs(OwnerRole, rolePassword, building), db.Options{MaxConns: 4})
	if err != nil {
		return "", err
	}
	m, err := db.NewMigrator(d, nil)
	if err == nil {
		_, err = m.Up(ctx)
	}
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate the template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS 'lotse template %d'`, pgx.Identifier{building}.Sanitize(), time.Now().Unix())); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{building}.Sanitize()+` RENAME TO `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return name, nil
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Database is a fresh test database, dropped when the test ends, with a URL for each of its
// two roles.
type Database struct {
	// Name of the database.
	Name string
	// URL connects as the application role (AppRole): for serving, for app.New's
	// LOTSE_DATABASE_URL, and for tests that act as the application.
	URL string
	// OwnerURL connects as the owner (OwnerRole): for migrations (LOTSE_MIGRATION_DATABASE_URL)
	// and for test set-up that needs DDL or ownership (ANALYZE, replacing a function).
	OwnerURL string
}

// createDatabase creates a database owned by OwnerRole (from tpl when not empty) and drops it
// when the test ends.
func createDatabase(t testing.TB, tpl string) *Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := randomName("lotse_test_")
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		stmt := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize()
		if tpl != "" {
			stmt += ` TEMPLATE ` + pgx.Identifier{tpl}.Sanitize()
		}
		stmt += ` OWNER ` + pgx.Identifier{OwnerRole}.Sanitize()
		err = adminExec(ctx, t, stmt)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) {
			break
		}
		if pgErr.Code == "3D000" && tpl != "" {
			// The template was dropped by a test process of another checkout: build it again.
			forgetTemplate(tpl)
			tpl = template(t)
			continue
		}
		// 55006: the template is briefly "being accessed by other users" while another
		// process clones it; wait and try again.
		if pgErr.Code != "55006" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testutil: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := adminExec(ctx, t, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("testutil: drop database %s: %v", name, err)
		}
	})
	srv := Server(t)
	return &Database{
		Name:     name,
		URL:      srv.URLAs(AppRole, rolePassword, name),
		OwnerURL: srv.URLAs(OwnerRole, rolePassword, name),
	}
}

// NewDatabase returns a fresh database migrated to the latest schema (a clone of a migrated
// template, so it is fast), dropped when the test ends.
func NewDatabase(t testing.TB) *Database {
	t.Helper()
	return createDatabase(t, template(t))
}

// NewEmptyDatabase returns a fresh database without any schema, owned by OwnerRole, dropped
// when the test ends; for migration tests and commands that migrate.
func NewEmptyDatabase(t testing.TB) *Database {
	t.Helper()
	return createDatabase(t, "")
}

// NewDBURL returns the application role's URL of a fresh migrated database (see NewDatabase):
// what a server is given to serve.
func NewDBURL(t testing.TB) string {
	t.Helper()
	return NewDatabase(t).URL
}

// NewEmptyDBURL returns the owner's URL of a fresh database without any schema (see
// NewEmptyDatabase): what migrations are run with.
func NewEmptyDBURL(t testing.TB) string {
	t.Helper()
	return NewEmptyDatabase(t).OwnerURL
}

// NewDB opens a fresh migrated database as the application role; it is closed and dropped
// when the test ends. Tests that need the owner use Open(t, NewDatabase(t).OwnerURL).
func NewDB(t testing.TB) *db.DB {
	t.Helper()
	return Open(t, NewDBURL(t))
}

// Open connects to url and closes the pool when the test ends (before the database is dropped).
func Open(t testing.TB, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url, db.Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("testutil: open %s: %v", url, err)
	}
	t.Cleanup(d.Close)
	return d
}
