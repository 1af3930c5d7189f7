package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/lotse-project/lotse/migrations"
)

// Schema errors tell an operator what to do; their text is shown as is.
var (
	ErrSchemaBehind = errors.New("the database schema is behind this binary: run `lotse migrate up` (or start with --migrate)")
	ErrSchemaAhead  = errors.New("the database schema is newer than this binary knows: run a newer lotse, or roll back with the newer binary's `lotse migrate down`")
)

// Migrator applies the embedded migrations. It holds a Postgres session advisory lock while it
// changes the schema, so that several instances starting at once migrate exactly once.
type Migrator struct {
	p *goose.Provider
	d *DB
}

// NewMigrator prepares the embedded migrations for d. A nil fsys means the embedded set.
func NewMigrator(d *DB, log *slog.Logger) (*Migrator, error) {
	return newMigrator(d, migrations.FS, log)
}

func newMigrator(d *DB, fsys fs.FS, log *slog.Logger) (*Migrator, error) {
	// Poll the lock every second for up to 5 minutes: a peer instance may be migrating.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("db: migration locker: %w", err)
	}
	river, err := riverGoMigrations()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(river...)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d.SQL, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	return &Migrator{p: p, d: d}, nil
}

// Latest is the highest migration version this binary knows.
func (m *Migrator) Latest() int64 {
	src := m.p.ListSources()
	if len(src) == 0 {
		return 0
	}
	return src[len(src)-1].Version
}

// Current reads the applied schema version without changing anything: a missing version
// table means an empty database (version 0).
func (m *Migrator) Current(ctx context.Context) (int64, error) {
	var exists bool
	if err := m.d.Pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("db: read schema version: %w: %s", ErrUnreachable, describe(err))
	}
	if !exists {
		return 0, nil
	}
	var v int64
	err := m.d.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT version_id FROM goose_db_version ORDER BY id DESC LIMIT 1), 0)`).Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		// The application role reads the version once the migrations granted it that
		// (00017): a database it may not read is one migrated by an older binary.
		return 0, fmt.Errorf("%w (the application role may not read the schema version yet)", ErrSchemaBehind)
	}
	if err != nil {
		return 0, fmt.Errorf("db: read schema version: %w: %s", ErrUnreachable, describe(err))
	}
	return v, nil
}

// Check returns nil when the schema is exactly at Latest, else ErrSchemaBehind or
// ErrSchemaAhead (or ErrUnreachable).
func (m *Migrator) Check(ctx context.Context) error {
	cur, err := m.Current(ctx)
	if err != nil {
		return err
	}
	switch latest := m.Latest(); {
	case cur < latest:
		return fmt.Errorf("%w (database at %d, binary at %d)", ErrSchemaBehind, cur, latest)
	case cur > latest:
		return fmt.Errorf("%w (database at %d, binary at %d)", ErrSchemaAhead, cur, latest)
	}
	return nil
}

// Up applies every pending migration. It refuses to touch a schema newer than the binary.
func (m *Migrator) Up(ctx context.Context) ([]*goose.MigrationResult, error) {
	if err := m.refuseAhead(ctx); err != nil {
		return nil, err
	}
	res, err := m.p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("db: migrate up: %w", err)
	}
	return res, nil
}

// UpTo applies pending migrations up to and including version.
func (m *Migrator) UpTo(ctx context.Context, version int64) ([]*goose.MigrationResult, error) {
	if err := m.refuseAhead(ctx); err != nil {
		return nil, err
	}
	res, err := m.p.UpTo(ctx, version)
	if err != nil {
		return res, fmt.Errorf("db: migrate up to %d: %w", version, err)
	}
	return res, nil
}

// Down rolls back the most recent migration.
func (m *Migrator) Down(ctx context.Context) (*goose.MigrationResult, error) {
	if err := m.refuseAhead(ctx); err != nil {
		return nil, err
	}
	res, err := m.p.Down(ctx)
	if err != nil {
		return res, fmt.Errorf("db: migrate down: %w", err)
	}
	return res, nil
}

// DownTo rolls back every migration above version (0: all of them).
func (m *Migrator) DownTo(ctx context.Context, version int64) ([]*goose.MigrationResult, error) {
	if err := m.refuseAhead(ctx); err != nil {
		return nil, err
	}
	res, err := m.p.DownTo(ctx, version)
	if err != nil {
		return res, fmt.Errorf("db: migrate down to %d: %w", version, err)
	}
	return res, nil
}

// Status lists every known migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]*goose.MigrationStatus, error) {
	if err := m.refuseAhead(ctx); err != nil {
		return nil, err
	}
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate status: %w", err)
	}
	return st, nil
}

func (m *Migrator) refuseAhead(ctx context.Context) error {
	if err := m.Check(ctx); err != nil && !errors.Is(err, ErrSchemaBehind) {
		return err
	}
	return nil
}

var migrationName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)

// CreateMigration writes the next numbered, empty SQL migration into dir and returns its path.
// name must be snake_case verb_object, e.g. create_referrals.
func CreateMigration(dir, name string) (string, error) {
	if !migrationName.MatchString(name) {
		return "", fmt.Errorf("migration name %q must be snake_case verb_object, e.g. create_referrals or add_tasks_area", name)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", dir, errors.Unwrap(err))
	}
	var last int64
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%05d_", &v); err == nil && strings.HasSuffix(e.Name(), ".sql") && v > last {
			last = v
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", last+1, name))
	body := "-- Why this change: ...\n\n-- +goose Up\n\n-- +goose Down\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("create %s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		return "", err
	}
	return path, nil
}

// describe reduces a connection error to a short reason that names no password.
func describe(err error) string {
	var pgErr *pgconn.PgError
	var netErr net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "28P01", "28000":
			return "authentication failed"
		case "3D000":
			return "the database does not exist"
		case "42501":
			return "permission denied (is the role a member of lotse_app? see README \"Database roles\")"
		case "57P03":
			return "the server is starting up or shutting down"
		}
		return "server error " + pgErr.Code
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr):
		return "unknown host"
	}
	return "connection failed"
}
