package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// riverSteps pins River's job queue (github.com/riverqueue/river) in Lotse's schema: goose
// migration 23 runs River's own migration line up to version 4, migration 24 on to 6, each
// inside goose's transaction and as the owner of the schema like every other migration. Two
// steps because River's version 4 adds an enum value that Postgres lets a later statement
// use only after a commit. They create river_job, river_leader, river_queue, river_client,
// river_client_queue and river_migration; the last step grants lotse_app what River's
// clients need. A River upgrade that brings a new version adds a goose migration that moves
// on.
var riverSteps = []struct {
	goose int64
	from  int // the River version before this step (its Down goes back to it)
	to    int
}{{23, 0, 4}, {24, 4, 6}}

// riverGoMigrations creates (up) or drops (down) River's tables in goose's transactions.
func riverGoMigrations() ([]*goose.Migration, error) {
	var out []*goose.Migration
	for i, step := range riverSteps {
		m, err := riverGoMigration(step.goose, step.from, step.to, i == len(riverSteps)-1)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func riverGoMigration(version int64, from, to int, grant bool) (*goose.Migration, error) {
	migrator, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if err != nil {
		return nil, fmt.Errorf("db: river migrator: %w", err)
	}
	up := func(ctx context.Context, tx *sql.Tx) error {
		//lint:ignore SA1019 each step runs in goose's transaction; the steps are split where River's versions cannot share one
		if _, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: to}); err != nil {
			return fmt.Errorf("river tables: %w", err)
		}
		if !grant {
			return nil
		}
		// The job queue is worked by every instance: insert, lock, update and clean up jobs,
		// elect a leader, register clients and queues.
		_, err := tx.ExecContext(ctx, `
GRANT SELECT, INSERT, UPDATE, DELETE ON river_job, river_leader, river_queue, river_client, river_client_queue TO lotse_app;
GRANT SELECT ON river_migration TO lotse_app;
GRANT USAGE, SELECT ON SEQUENCE river_job_id_seq TO lotse_app;`)
		return err
	}
	down := func(ctx context.Context, tx *sql.Tx) error {
		target := from
		if target == 0 {
			target = -1 // all the way down, river_migration included
		}
		//lint:ignore SA1019 as above
		_, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: target})
		return err
	}
	return goose.NewGoMigration(version, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down}), nil
}

// RiverMigrationVersions are the goose versions of River's Go migrations, which are not
// files in migrations/ (for tests that list every version).
func RiverMigrationVersions() []int64 {
	out := make([]int64, len(riverSteps))
	for i, s := range riverSteps {
		out[i] = s.goose
	}
	return out
}
