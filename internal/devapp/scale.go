package devapp

import (
	"fmt"
	"os"
	"time"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/scale"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
)

// SeedScaleCmd generates a city's worth of invented data (internal/scale).
type SeedScaleCmd struct {
	Fraction     float64 `name:"fraction" default:"1" help:"Share of the city to generate: multiplies every size (0.1 is a tenth of the city, 0.01 a hundredth)."`
	Orgs         int     `name:"orgs" default:"300" help:"Organisations of the whole city (before --fraction)."`
	Users        int     `name:"users" default:"5000" help:"Accounts of the whole city (before --fraction)."`
	Cases        int     `name:"cases" default:"100000" help:"Cases of the whole city (before --fraction)."`
	Tasks        int     `name:"tasks" default:"1000000" help:"Tasks of the whole city, about (before --fraction)."`
	Referrals    int     `name:"referrals" default:"200000" help:"Referrals of the whole city, about (before --fraction)."`
	Seed         uint64  `name:"seed" default:"13" help:"Seed of every random choice: the same seed and sizes give the same data."`
	AccountsOut  string  `name:"accounts-out" type:"path" help:"Write the generated accounts (subject, e-mail, name, role, organisation) to this file, tab-separated, for a load harness."`
	AccountsOnly bool    `name:"accounts-only" help:"Only write --accounts-out (no database needed): the accounts the same flags generate."`
}

func (s SeedScaleCmd) config() scale.Config {
	sizes := scale.Sizes{Orgs: s.Orgs, Users: s.Users, Cases: s.Cases, Tasks: s.Tasks, Referrals: s.Referrals}
	return scale.Config{Sizes: sizes.Scaled(s.Fraction), Seed: s.Seed}
}

// Run generates the city into the migrated database: as the schema owner when
// LOTSE_MIGRATION_DATABASE_URL is set (then VACUUM and ANALYZE take effect), else as the application role.
func (s SeedScaleCmd) Run(cfg *config.Config, e *app.Env) error {
	if s.Fraction <= 0 || s.Fraction > 10 {
		return &config.Error{Problems: []error{fmt.Errorf("--fraction: %v is not between 0 (exclusive) and 10", s.Fraction)}}
	}
	c := s.config()
	if s.AccountsOut != "" {
		if err := writeAccounts(s.AccountsOut, scale.Accounts(c)); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "accounts written to %s\n", s.AccountsOut)
	}
	if s.AccountsOnly {
		if s.AccountsOut == "" {
			return &config.Error{Problems: []error{fmt.Errorf("--accounts-only: needs --accounts-out")}}
		}
		return nil
	}
	url := cfg.MigrationDatabaseURL
	if url == "" {
		if err := cfg.Validate(true); err != nil {
			return err
		}
		url = cfg.DatabaseURL
		fmt.Fprintln(e.Stderr, "note: LOTSE_MIGRATION_DATABASE_URL is not set: writing as the application role, whose VACUUM and ANALYZE skip the tables it does not own")
	}
	d, err := db.Open(e.Ctx, url, db.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := db.NewMigrator(d, nil)
	if err != nil {
		return err
	}
	if err := m.Check(e.Ctx); err != nil {
		return err
	}
	last := time.Now()
	c.Progress = func(done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(e.Stderr, "%d of %d cases\n", done, total)
		}
	}
	fmt.Fprintf(e.Stderr, "generating %d organisations, %d accounts, %d cases, about %d tasks and %d referrals (seed %d)\n",
		c.Sizes.Orgs, c.Sizes.Users, c.Sizes.Cases, c.Sizes.Tasks, c.Sizes.Referrals, c.Seed)
	sum, err := scale.Generate(e.Ctx, d.Pool, c)
	if err != nil {
		return err
	}
	sum.Print(e.Stdout)
	return sealGenerated(e, d)
}

// sealGenerated appends the generated audit events to the hash chain, as the sealer of a
// running installation has long done with its history: a server started on the city then
// seals only what its requests write, instead of spending its first minutes (and a core of
// the database) on the generated events while it is measured. No checkpoint is signed; the
// server signs one with its own key.
func sealGenerated(e *app.Env, d *db.DB) error {
	start := time.Now()
	res, err := service.NewAuditChain(store.New(d.Gorm, nil), nil, 0, nil).Seal(e.Ctx, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "sealed %d audit events in %s\n", res.Sealed, time.Since(start).Round(1e8))
	return nil
}

func writeAccounts(path string, accounts []scale.Account) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--accounts-out: %w", err)
	}
	if err := scale.WriteAccounts(f, accounts); err != nil {
		_ = f.Close()
		return fmt.Errorf("--accounts-out: %w", err)
	}
	return f.Close()
}
