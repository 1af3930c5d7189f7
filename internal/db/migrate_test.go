package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func tables(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func extensions(t *testing.T, d *db.DB) string {
	t.Helper()
	var s string
	if err := d.Pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(extname, ',' ORDER BY extname), '') FROM pg_extension WHERE extname <> 'plpgsql'`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrationsUpDownUp applies every migration, rolls all of them back, and applies them
// again on an empty database: every Down must undo its Up completely.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testutil.Open(t, testutil.NewEmptyDBURL(t))
	m, err := db.NewMigrator(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	tablesUp, extUp := tables(t, d), extensions(t, d)
	if cur, _ := m.Current(ctx); cur != m.Latest() || cur == 0 {
		t.Fatalf("after up the schema is at %d, want %d", cur, m.Latest())
	}
	if _, err := m.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if left := tables(t, d); len(left) != 0 {
		t.Fatalf("down left tables behind: %v", left)
	}
	if ext := extensions(t, d); ext != "" {
		t.Fatalf("down left extensions behind: %v", ext)
	}
	if cur, _ := m.Current(ctx); cur != 0 {
		t.Fatalf("after down the schema is at %d", cur)
	}
	// The role lotse_app stays (it belongs to the cluster), but holds nothing here any more.
	var granted int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 'lotse_app'::regrole)`).Scan(&granted); err != nil {
		t.Fatal(err)
	}
	if granted != 0 {
		t.Fatalf("down left %d relations with privileges for lotse_app", granted)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := tables(t, d); strings.Join(got, ",") != strings.Join(tablesUp, ",") {
		t.Fatalf("second up differs: %v vs %v", got, tablesUp)
	}
	if got := extensions(t, d); got != extUp {
		t.Fatalf("second up differs in extensions: %v vs %v", got, extUp)
	}
}

func TestSchemaCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testutil.Open(t, testutil.NewEmptyDBURL(t))
	m, err := db.NewMigrator(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(ctx); !errors.Is(err, db.ErrSchemaBehind) {
		t.Fatalf("empty database: want ErrSchemaBehind, got %v", err)
	}
	if !strings.Contains(db.ErrSchemaBehind.Error(), "lotse migrate up") {
		t.Fatal("the behind message must name `lotse migrate up`")
	}
	if m.Latest() > 1 {
		if _, err := m.UpTo(ctx, m.Latest()-1); err != nil {
			t.Fatal(err)
		}
		if err := m.Check(ctx); !errors.Is(err, db.ErrSchemaBehind) {
			t.Fatalf("one behind: want ErrSchemaBehind, got %v", err)
		}
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(ctx); err != nil {
		t.Fatalf("current schema: %v", err)
	}
	// A newer binary has migrated this database: this one must refuse to touch it.
	if _, err := d.Pool.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(ctx); !errors.Is(err, db.ErrSchemaAhead) {
		t.Fatalf("newer schema: want ErrSchemaAhead, got %v", err)
	}
	for name, op := range map[string]func() error{
		"up":     func() error { _, err := m.Up(ctx); return err },
		"down":   func() error { _, err := m.Down(ctx); return err },
		"status": func() error { _, err := m.Status(ctx); return err },
	} {
		if err := op(); !errors.Is(err, db.ErrSchemaAhead) {
			t.Errorf("%s on a newer schema: want ErrSchemaAhead, got %v", name, err)
		}
	}
	if cur, _ := m.Current(ctx); cur != 99999 {
		t.Fatalf("refused operations changed the schema version to %d", cur)
	}
}

// TestConcurrentMigrate starts several migrators at once, as several instances would: the
// session lock makes exactly one of them apply each migration.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.NewEmptyDBURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	applied := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := testutil.Open(t, url)
			m, err := db.NewMigrator(d, nil)
			if err != nil {
				errs <- err
				return
			}
			res, err := m.Up(ctx)
			errs <- err
			applied <- len(res)
		}()
	}
	wg.Wait()
	close(errs)
	close(applied)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent up: %v", err)
		}
	}
	total := 0
	for n := range applied {
		total += n
	}
	d := testutil.Open(t, url)
	m, _ := db.NewMigrator(d, nil)
	// The SQL files and River's Go migrations (river.go) are numbered without a gap.
	if want := int(m.Latest()); total != want || want < len(sources(t)) {
		t.Fatalf("migrations applied %d times in total, want %d (each once)", total, want)
	}
	if err := m.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func sources(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob("../../migrations/*.sql")
	if err != nil || len(m) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return m
}

func TestCreateMigration(t *testing.T) {
	dir := t.TempDir()
	p, err := db.CreateMigration(dir, "create_cases")
	if err != nil || filepath.Base(p) != "00001_create_cases.sql" {
		t.Fatalf("first: %s %v", p, err)
	}
	p, err = db.CreateMigration(dir, "add_cases_district")
	if err != nil || filepath.Base(p) != "00002_add_cases_district.sql" {
		t.Fatalf("second: %s %v", p, err)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "-- +goose Up") || !strings.Contains(string(b), "-- +goose Down") {
		t.Fatalf("template lacks goose markers: %s", b)
	}
	for _, bad := range []string{"Cases", "create-cases", "x", "drop;table"} {
		if _, err := db.CreateMigration(dir, bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := db.Open(context.Background(), "postgres://u:geheim@127.0.0.1:1/x?sslmode=disable", db.Options{})
	if !errors.Is(err, db.ErrUnreachable) {
		t.Fatalf("want ErrUnreachable, got %v", err)
	}
	if strings.Contains(err.Error(), "geheim") {
		t.Fatalf("error leaks the password: %v", err)
	}
}
