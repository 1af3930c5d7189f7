package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/testutil"
)

// clearLotseEnv removes every LOTSE_* configuration variable of the surrounding environment
// for the test (restored afterwards), so that only what the test sets counts. The test
// harness's own LOTSE_TEST_* variables stay.
func clearLotseEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LOTSE_") && !strings.HasPrefix(k, "LOTSE_TEST_") {
			t.Setenv(k, "") // registers the restore
			os.Unsetenv(k)
		}
	}
}

// defaultConfig parses the defaults of config.Config with kong, exactly as the CLI does, from
// an empty argument list and an environment without LOTSE_* variables.
func defaultConfig(t *testing.T, dbURL string) *config.Config {
	t.Helper()
	clearLotseEnv(t)
	var cfg config.Config
	p, err := kong.New(&cfg, kong.Exit(func(int) { t.Fatal("kong wanted to exit") }))
	if err != nil {
		t.Fatalf("kong.New: %v", err)
	}
	if _, err := p.Parse(nil); err != nil {
		t.Fatalf("parse defaults: %v", err)
	}
	cfg.DatabaseURL = dbURL
	if cfg.ReadTimeout <= 0 || cfg.WriteTimeout <= 0 || cfg.IdleTimeout <= 0 || cfg.ShutdownGrace <= 0 {
		t.Fatalf("defaults not parsed: %+v", cfg)
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	return &cfg
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// schemaVersion reads the applied schema version of the database at url.
func schemaVersion(t *testing.T, url string) (cur, latest int64) {
	t.Helper()
	d, err := db.Open(context.Background(), url, db.Options{MaxConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	defer d.Close()
	m, err := db.NewMigrator(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cur, err = m.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cur, m.Latest()
}

// versionRows returns goose_db_version as text rows, ordered, for before/after comparisons.
func versionRows(t *testing.T, url string) []string {
	t.Helper()
	d := testutil.Open(t, url)
	rows, err := d.SQL.Query(`SELECT id, version_id, is_applied, tstamp FROM goose_db_version ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, v int64
		var applied bool
		var ts time.Time
		if err := rows.Scan(&id, &v, &applied, &ts); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d|%d|%t|%s", id, v, applied, ts.UTC().Format(time.RFC3339Nano)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
