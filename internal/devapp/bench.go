package devapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/bench"
	"github.com/lotse-project/lotse/internal/config"
)

// BenchCmd runs the load harness (internal/bench) against a running Lotse, found at the global
// --base-url (LOTSE_BASE_URL), and the database it serves, --database-url (LOTSE_DATABASE_URL):
// the accounts, the routes' parameters and the floor come from there.
type BenchCmd struct {
	Rate       float64       `name:"rate" default:"20" help:"Requests per second."`
	Duration   time.Duration `name:"duration" default:"30s" help:"How long the load runs (and then the floor, as long again)."`
	Mix        string        `name:"mix" help:"Weights of the routes, e.g. start=2,tasks=3,inbox=2,cases=2,case=3,search=2,team=1,note=0.5 (the default); a route left out is not requested."`
	PerKind    int           `name:"accounts" default:"10" help:"Accounts of every kind (caseworker, lead, partner) to sign in."`
	FloorConns int32         `name:"floor-conns" default:"20" help:"Connections of the floor's pool (compare with LOTSE_DB_MAX_CONNS of the server)."`
	NoFloor    bool          `name:"no-floor" help:"Skip the floor phase."`
	Seed       uint64        `name:"seed" default:"1" help:"Seed of the sequence of requests."`
	JSON       bool          `name:"json" help:"Print the report as JSON instead of a table."`
}

// Run signs in, loads, measures the floor and prints the report.
func (b BenchCmd) Run(cfg *config.Config, e *app.Env) error {
	base, dbURL := cfg.BaseURL, cfg.DatabaseURL
	if base == "" || dbURL == "" {
		return errors.New("bench: give --base-url and --database-url (or LOTSE_BASE_URL and LOTSE_DATABASE_URL) of the running Lotse")
	}
	var mix map[string]float64
	if b.Mix != "" {
		var err error
		if mix, err = bench.ParseMix(b.Mix); err != nil {
			return err
		}
	}
	pool, err := openBenchPool(e.Ctx, dbURL, b.FloorConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := bench.Run(e.Ctx, bench.Config{
		BaseURL: base, Pool: pool, PerKind: b.PerKind, Rate: b.Rate, Duration: b.Duration,
		Mix: mix, NoFloor: b.NoFloor, Seed: b.Seed, Log: e.Stderr,
	})
	if err != nil {
		return err
	}
	if b.JSON {
		return rep.WriteJSON(e.Stdout)
	}
	return rep.WriteTable(e.Stdout)
}

func openBenchPool(ctx context.Context, url string, conns int32) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("bench: the database URL cannot be parsed")
	}
	if conns > 0 {
		pc.MaxConns = conns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: database at %s: %w", config.RedactURL(url), err)
	}
	return pool, nil
}
