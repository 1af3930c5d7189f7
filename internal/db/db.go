package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/lotse-project/lotse/internal/tracing"
)

// ErrUnreachable means the database could not be reached or refused the connection.
var ErrUnreachable = errors.New("cannot reach the database")

// DB is the one connection pool of a Lotse process. SQL and Gorm are views on Pool, so that
// every part of the process shares the same connection limit.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	Gorm *gorm.DB
	// Queries counts the statements sent through Pool (tracer.go).
	Queries *QueryCounter
}

// Options tune the pool.
type Options struct {
	MaxConns int32
	// Tracing, when set, makes every statement sent within a traced context a span
	// (tracer.go); nil: statements are only counted.
	Tracing trace.TracerProvider
	// Replica opens a pool on a read replica (docs/read-replica.md): connections time out
	// after 2 s instead of 5, are named lotse-replica in pg_stat_activity, and Open does not
	// insist that the replica answers now (the store's health check decides when to use it).
	Replica bool
}

// Open connects to the database at url and checks that it answers. The error never contains
// the URL, since it may hold a password.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("db: the database URL cannot be parsed")
	}
	if o.MaxConns > 0 {
		pc.MaxConns = o.MaxConns
	}
	pc.ConnConfig.ConnectTimeout = 5 * time.Second
	if o.Replica {
		pc.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	if pc.ConnConfig.RuntimeParams == nil {
		pc.ConnConfig.RuntimeParams = map[string]string{}
	}
	// Times are stored and compared in UTC; the UI converts to Europe/Berlin.
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pc.ConnConfig.RuntimeParams["application_name"] = "lotse"
	if o.Replica {
		pc.ConnConfig.RuntimeParams["application_name"] = "lotse-replica"
	}
	// Lotse runs on SSDs (or a managed Postgres on them): random reads cost little more than
	// sequential ones. At the default of 4 the planner prefers scanning all cases over the
	// name-search index (see store/cases_test.go's plan checks).
	pc.ConnConfig.RuntimeParams["random_page_cost"] = "1.1"
	// No just-in-time compilation: Lotse's queries read a page or an organisation's open
	// records, yet the cost estimate of a visibility condition (an OR of EXISTS) passes
	// jit_above_cost on a city-sized database, and compiling it then took 0.5 to 1.7 s for a
	// query that runs in 10 to 60 ms without (docs/performance.md, "Queries that follow the page").
	pc.ConnConfig.RuntimeParams["jit"] = "off"

	queries := &QueryCounter{}
	if o.Tracing != nil {
		queries.tracer = o.Tracing.Tracer(tracing.ScopeName)
	}
	pc.ConnConfig.Tracer = queries

	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("db: open pool: %w", ErrUnreachable)
	}
	// A replica's pool connects lazily: one down at start is the health check's to find.
	if !o.Replica {
		pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := pool.Ping(pingCtx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("db: %w at %s:%d: %s", ErrUnreachable, pc.ConnConfig.Host, pc.ConnConfig.Port, describe(err))
		}
	}
	sqlDB := openSQL(pool)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
		// The default only: the store gives every transaction the process's one clock
		// instead (store.New, Store.run), so nothing the application writes reads this.
		NowFunc: func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: open gorm: %w", err)
	}
	return &DB{Pool: pool, SQL: sqlDB, Gorm: g, Queries: queries}, nil
}

// Close closes the pool; in-flight queries finish first.
func (d *DB) Close() {
	_ = d.SQL.Close()
	d.Pool.Close()
}

// Ping checks that the database answers within ctx.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("db: %w: %s", ErrUnreachable, describe(err))
	}
	return nil
}
