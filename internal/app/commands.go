package app

import (
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
)

// ServeCmd runs the production server.
type ServeCmd struct {
	Migrate bool `env:"LOTSE_MIGRATE" help:"Apply pending migrations (as the owner of LOTSE_MIGRATION_DATABASE_URL) before serving instead of refusing to start on an old schema."`
}

// Run serves until SIGTERM or SIGINT.
func (s ServeCmd) Run(cfg *config.Config, e *Env) error {
	if err := cfg.ValidateFor(true, s.Migrate); err != nil {
		return err
	}
	log := NewLogger(cfg, "json", e.Stderr)
	ApplyMemoryLimit(cfg, os.Getenv, log)
	a, err := New(e.Ctx, cfg, log, s.Migrate, Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := Listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	if cfg.AuditSigningKey == "" {
		log.Warn("the audit chain is sealed but no checkpoint is signed: set LOTSE_AUDIT_SIGNING_KEY_FILE (see docs/audit.md)")
	}
	log.Info("lotse serving", slog.String("addr", ln.Addr().String()), slog.String("base_url", cfg.BaseURL), slog.String("version", Version()))
	return a.Serve(e.Ctx, ln)
}

// MigrateCmd groups the schema commands.
type MigrateCmd struct {
	Up     MigrateUpCmd     `cmd:"" help:"Apply all pending migrations."`
	Down   MigrateDownCmd   `cmd:"" help:"Roll back the most recent migration."`
	Status MigrateStatusCmd `cmd:"" help:"List migrations and whether they are applied."`
	Create MigrateCreateCmd `cmd:"" help:"Create the next numbered SQL migration file."`
}

// MigrateUpCmd applies pending migrations.
type MigrateUpCmd struct{}

// Run applies pending migrations.
func (MigrateUpCmd) Run(cfg *config.Config, e *Env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		res, err := m.Up(e.Ctx)
		for _, r := range res {
			name := r.Source.Path
			if name == "" { // a Go migration (River's tables, internal/db/river.go)
				name = fmt.Sprintf("%05d (Go migration)", r.Source.Version)
			}
			fmt.Fprintf(e.Stdout, "applied %s (%s)\n", name, r.Duration.Round(1e6))
		}
		if err == nil && len(res) == 0 {
			fmt.Fprintln(e.Stdout, "the schema is current, nothing to apply")
		}
		return err
	})
}

// MigrateDownCmd rolls back one migration.
type MigrateDownCmd struct{}

// Run rolls back the most recent migration.
func (MigrateDownCmd) Run(cfg *config.Config, e *Env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		r, err := m.Down(e.Ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "rolled back %s\n", r.Source.Path)
		return nil
	})
}

// MigrateStatusCmd prints the migration status.
type MigrateStatusCmd struct{}

// Run prints one line per migration.
func (MigrateStatusCmd) Run(cfg *config.Config, e *Env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		st, err := m.Status(e.Ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT (UTC)\tFILE")
		for _, s := range st {
			at := "-"
			if !s.AppliedAt.IsZero() {
				at = s.AppliedAt.UTC().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, at, s.Source.Path)
		}
		return tw.Flush()
	})
}

// MigrateCreateCmd writes a new migration file.
type MigrateCreateCmd struct {
	Name string `arg:"" help:"snake_case verb_object, e.g. create_referrals."`
	Dir  string `default:"migrations" help:"The migrations directory of the checkout."`
}

// Run creates the file; it needs no database.
func (c MigrateCreateCmd) Run(_ *config.Config, e *Env) error {
	path, err := db.CreateMigration(c.Dir, c.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "created %s\n", path)
	return nil
}

// withMigrator runs fn with a migrator on the owner's connection (LOTSE_MIGRATION_DATABASE_URL).
func withMigrator(cfg *config.Config, e *Env, fn func(m *db.Migrator) error) error {
	return withOwner(cfg, e, func(_ *db.DB, m *db.Migrator, _ *slog.Logger) error { return fn(m) })
}

// withOwner runs fn on the owner's connection (LOTSE_MIGRATION_DATABASE_URL), with its
// migrator and a text logger on stderr.
func withOwner(cfg *config.Config, e *Env, fn func(d *db.DB, m *db.Migrator, log *slog.Logger) error) error {
	if err := cfg.ValidateFor(false, true); err != nil {
		return err
	}
	log := NewLogger(cfg, "text", e.Stderr)
	d, m, err := openDB(e.Ctx, cfg.MigrationDatabaseURL, 2, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(d, m, log)
}

// OpenTool opens the app of a command that works on the database (policy tools, the
// development variant's seed): configuration checked, text logs on stderr, the schema current.
func OpenTool(cfg *config.Config, e *Env) (*App, error) {
	if err := cfg.Validate(true); err != nil {
		return nil, err
	}
	return New(e.Ctx, cfg, NewLogger(cfg, "text", e.Stderr), false, Options{})
}
