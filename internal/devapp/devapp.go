package devapp

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/pglocal"
)

// Commands are the commands the development variant adds to the production grammar.
func Commands() []app.Command {
	return []app.Command{
		{Name: "dev", Help: "Run Lotse for development: local PostgreSQL, migrations, demo data.", Cmd: &DevCmd{}},
		{Name: "seed", Help: "Load data into the database.", Cmd: &SeedCmd{}},
		{Name: "bench", Help: "Run the load harness against a running Lotse: sign-ins, a fixed-rate mix, the floor by bare pgx (docs/performance.md).", Cmd: &BenchCmd{}},
	}
}

// DevCmd runs Lotse for development on a local database with demo data.
type DevCmd struct {
	DataDir    string `name:"data-dir" env:"LOTSE_DEV_DATA_DIR" default:".lotse" help:"Where lotse-dev dev keeps a private PostgreSQL cluster when it has to start one."`
	DevIdPAddr string `name:"devidp-addr" env:"LOTSE_DEVIDP_ADDR" default:"127.0.0.1:8081" help:"Loopback address of the development identity provider (not started when LOTSE_OIDC_ISSUER is set)."`
}

// devDatabase is the database lotse-dev dev creates on a local server, devRoles the roles it
// creates there: the owner migrates, the application role serves, as in production. Their
// password is fixed: they guard demo data on a local server only.
const devDatabase = "lotse_dev"

var devRoles = pglocal.Roles{Owner: "lotse_dev_owner", App: "lotse_dev_app", Password: "lotse_dev"}

// Run finds or starts PostgreSQL, migrates, seeds the demo data and serves until interrupted.
func (d DevCmd) Run(cfg *config.Config, e *app.Env) error {
	if err := cfg.Validate(false); err != nil {
		return err
	}
	if (cfg.DatabaseURL == "") != (cfg.MigrationDatabaseURL == "") {
		return &config.Error{Problems: []error{errors.New("LOTSE_DATABASE_URL and LOTSE_MIGRATION_DATABASE_URL: lotse-dev dev takes both (the application role to serve, the owner to migrate) or neither (then it makes a local database and both roles)")}}
	}
	log := app.NewLogger(cfg, "text", e.Stderr)
	if cfg.DatabaseURL == "" {
		srv, err := pglocal.Find(e.Ctx, pglocal.Options{Dir: d.DataDir, Log: func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }})
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.Stop(); err != nil {
				log.Warn("stopping the private PostgreSQL cluster failed", slog.Any("error", err))
			}
		}()
		if err := pglocal.EnsureRoles(e.Ctx, srv.AdminURL, devRoles); err != nil {
			return err
		}
		if err := pglocal.EnsureDatabase(e.Ctx, srv.AdminURL, devDatabase, devRoles.Owner); err != nil {
			return err
		}
		cfg.DatabaseURL = srv.URLAs(devRoles.App, devRoles.Password, devDatabase)
		cfg.MigrationDatabaseURL = srv.URLAs(devRoles.Owner, devRoles.Password, devDatabase)
	}
	var idp *devidp.Server
	if cfg.OIDCIssuer == "" {
		var err error
		if idp, err = startDevIdP(e.Ctx, d.DevIdPAddr, cfg); err != nil {
			return err
		}
		defer idp.Close()
	}
	a, err := app.New(e.Ctx, cfg, log, true, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := SeedDemo(e.Ctx, a); err != nil {
		return err
	}
	ln, err := app.Listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	printDevBanner(e.Stdout, cfg, idp)
	return a.Serve(e.Ctx, ln)
}

// SeedCmd groups the data loaders.
type SeedCmd struct {
	Demo  SeedDemoCmd  `cmd:"" help:"Load the demo organisations, accounts and cases (idempotent)."`
	Scale SeedScaleCmd `cmd:"" help:"Generate a city's worth of invented data (300 organisations, 5,000 accounts, 100,000 cases; --fraction for less) into a freshly migrated database."`
}

// SeedDemoCmd loads the demo data.
type SeedDemoCmd struct{}

// Run seeds the demo data into a migrated database.
func (SeedDemoCmd) Run(cfg *config.Config, e *app.Env) error {
	a, err := app.OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := SeedDemo(e.Ctx, a); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, "demo data is in place")
	return nil
}
