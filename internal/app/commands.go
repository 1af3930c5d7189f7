package app

import (
	"errors"
	"fmt"
	"log/slog"
	"text/tabwriter"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/pglocal"
)

// ServeCmd runs the production server.
type ServeCmd struct {
	Migrate bool `env:"LOTSE_MIGRATE" help:"Apply pending migrations (as the owner of LOTSE_MIGRATION_DATABASE_URL) before serving instead of refusing to start on an old schema."`
}

// Run serves until SIGTERM or SIGINT.
func (s ServeCmd) Run(cfg *config.Config, e *env) error {
	if err := cfg.ValidateFor(true, s.Migrate); err != nil {
		return err
	}
	log := newLogger(cfg, "json", e.stderr)
	a, err := New(e.ctx, cfg, log, s.Migrate, Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	log.Info("lotse serving", slog.String("addr", ln.Addr().String()), slog.String("base_url", cfg.BaseURL), slog.String("version", Version()))
	return a.Serve(e.ctx, ln)
}

// DevCmd runs Lotse for development on a local database with demo data.
type DevCmd struct {
	DataDir    string `name:"data-dir" env:"LOTSE_DEV_DATA_DIR" default:".lotse" help:"Where lotse dev keeps a private PostgreSQL cluster when it has to start one."`
	DevIdPAddr string `name:"devidp-addr" env:"LOTSE_DEVIDP_ADDR" default:"127.0.0.1:8081" help:"Loopback address of the development identity provider (not started when LOTSE_OIDC_ISSUER is set)."`
}

// devDatabase is the database lotse dev creates on a local server, devRoles the roles it
// creates there: the owner migrates, the application role serves, as in production. Their
// password is fixed: they guard demo data on a local server only.
const devDatabase = "lotse_dev"

var devRoles = pglocal.Roles{Owner: "lotse_dev_owner", App: "lotse_dev_app", Password: "lotse_dev"}

// Run finds or starts PostgreSQL, migrates, seeds the demo data and serves until interrupted.
func (d DevCmd) Run(cfg *config.Config, e *env) error {
	if err := cfg.Validate(false); err != nil {
		return err
	}
	if (cfg.DatabaseURL == "") != (cfg.MigrationDatabaseURL == "") {
		return &config.Error{Problems: []error{errors.New("LOTSE_DATABASE_URL and LOTSE_MIGRATION_DATABASE_URL: lotse dev takes both (the application role to serve, the owner to migrate) or neither (then it makes a local database and both roles)")}}
	}
	log := newLogger(cfg, "text", e.stderr)
	if cfg.DatabaseURL == "" {
		srv, err := pglocal.Find(e.ctx, pglocal.Options{Dir: d.DataDir, Log: func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }})
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.Stop(); err != nil {
				log.Warn("stopping the private PostgreSQL cluster failed", slog.Any("error", err))
			}
		}()
		if err := pglocal.EnsureRoles(e.ctx, srv.AdminURL, devRoles); err != nil {
			return err
		}
		if err := pglocal.EnsureDatabase(e.ctx, srv.AdminURL, devDatabase, devRoles.Owner); err != nil {
			return err
		}
		cfg.DatabaseURL = srv.URLAs(devRoles.App, devRoles.Password, devDatabase)
		cfg.MigrationDatabaseURL = srv.URLAs(devRoles.Owner, devRoles.Password, devDatabase)
	}
	var idp *devidp.Server
	if cfg.OIDCIssuer == "" {
		var err error
		if idp, err = startDevIdP(e.ctx, d.DevIdPAddr, cfg); err != nil {
			return err
		}
		defer idp.Close()
	}
	a, err := New(e.ctx, cfg, log, true, Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.SeedDemo(e.ctx); err != nil {
		return err
	}
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	printDevBanner(e.stdout, cfg, idp)
	return a.Serve(e.ctx, ln)
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
func (MigrateUpCmd) Run(cfg *config.Config, e *env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		res, err := m.Up(e.ctx)
		for _, r := range res {
			fmt.Fprintf(e.stdout, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
		}
		if err == nil && len(res) == 0 {
			fmt.Fprintln(e.stdout, "the schema is current, nothing to apply")
		}
		return err
	})
}

// MigrateDownCmd rolls back one migration.
type MigrateDownCmd struct{}

// Run rolls back the most recent migration.
func (MigrateDownCmd) Run(cfg *config.Config, e *env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		r, err := m.Down(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "rolled back %s\n", r.Source.Path)
		return nil
	})
}

// MigrateStatusCmd prints the migration status.
type MigrateStatusCmd struct{}

// Run prints one line per migration.
func (MigrateStatusCmd) Run(cfg *config.Config, e *env) error {
	return withMigrator(cfg, e, func(m *db.Migrator) error {
		st, err := m.Status(e.ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
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
func (c MigrateCreateCmd) Run(_ *config.Config, e *env) error {
	path, err := db.CreateMigration(c.Dir, c.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s\n", path)
	return nil
}

// withMigrator runs fn with a migrator on the owner's connection (LOTSE_MIGRATION_DATABASE_URL).
func withMigrator(cfg *config.Config, e *env, fn func(m *db.Migrator) error) error {
	if err := cfg.ValidateFor(false, true); err != nil {
		return err
	}
	log := newLogger(cfg, "text", e.stderr)
	d, m, err := openDB(e.ctx, cfg.MigrationDatabaseURL, 2, log)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(m)
}

// SeedCmd groups the data loaders.
type SeedCmd struct {
	Demo SeedDemoCmd `cmd:"" help:"Load the demo organisations, accounts and cases (idempotent)."`
}

// openTool opens the app of a command that works on the database (seed, policy tools):
// configuration checked, text logs on stderr, the schema current.
func openTool(cfg *config.Config, e *env) (*App, error) {
	if err := cfg.Validate(true); err != nil {
		return nil, err
	}
	return New(e.ctx, cfg, newLogger(cfg, "text", e.stderr), false, Options{})
}

// SeedDemoCmd loads the demo data.
type SeedDemoCmd struct{}

// Run seeds the demo data into a migrated database.
func (SeedDemoCmd) Run(cfg *config.Config, e *env) error {
	a, err := openTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.SeedDemo(e.ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "demo data is in place")
	return nil
}
