// Package scale generates a city's worth of invented case data for performance work: an
// organisation tree of departments, units, teams, the job center, welfare associations with
// their local offices, schools and civil society; their staff in every role; and cases with
// households, plans, consents, referrals in every state, tasks (many of them overdue), notes
// and audit events. `lotse-dev seed scale` runs it; it exists only in the development variant,
// so made-up data never enters the production binary.
//
// It writes straight into the tables with COPY, in batches of cases, each batch in one
// transaction, on two connections; the rows satisfy every constraint of the schema and the
// rules the application relies on (a referral's consent names its recipient and covers its
// areas on the days it was sent and answered; a revoked consent ends its active referrals;
// tasks of ended referrals are closed; the reference counters continue after the generated
// numbers). Everything is drawn from one seed: the same seed and sizes give the same rows.
package scale

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/lotse-project/lotse/internal/model"
)

// Sizes are the numbers of records to generate.
type Sizes struct {
	Orgs      int
	Users     int
	Cases     int
	Tasks     int
	Referrals int
}

// FullCity is the size of a large city: the figures of issue 13's measurement.
var FullCity = Sizes{Orgs: 300, Users: 5000, Cases: 100_000, Tasks: 1_000_000, Referrals: 200_000}

// Scaled multiplies every size by f (0.1 is a tenth of the city), keeping the least a city
// needs to have its shape: a dozen organisations, sixty accounts, one case.
func (s Sizes) Scaled(f float64) Sizes {
	m := func(n, least int) int { return max(least, int(math.Round(float64(n)*f))) }
	return Sizes{Orgs: m(s.Orgs, 12), Users: m(s.Users, 60), Cases: m(s.Cases, 1), Tasks: m(s.Tasks, 0), Referrals: m(s.Referrals, 0)}
}

// Config says what to generate.
type Config struct {
	Sizes Sizes
	// Seed fixes every random choice: the same seed and sizes give the same rows.
	Seed uint64
	// Now is the moment the data is generated for (its calendar day in Berlin is "today":
	// deadlines, validity and overdue tasks are relative to it). Zero means time.Now().
	Now time.Time
	// BatchCases is how many cases one transaction writes (default 1,000).
	BatchCases int
	// Workers is the number of connections writing batches at once (default 2).
	Workers int
	// Progress, when set, is told after every batch how many cases are written.
	Progress func(done, total int)
}

// Summary counts what was written, per table.
type Summary struct {
	Tables map[string]int64
	// Referrals and cases by state.
	Referrals map[model.ReferralStatus]int64
	Cases     map[model.CaseStatus]int64
	// Elapsed is the whole run; Analyze the VACUUM (ANALYZE) at its end.
	Elapsed, Analyze time.Duration
}

// ErrNotEmpty refuses to generate into a database that already holds cases or a generated city.
var ErrNotEmpty = errors.New("scale: the database already holds cases or a generated city; generate into a freshly migrated database")

// Accounts lists the generated accounts for cfg (role and organisation of each) without
// touching a database: what `seed scale --accounts-out` writes and what a load harness signs
// in with. They are the same accounts Generate writes for the same seed and sizes.
func Accounts(cfg Config) []Account {
	c := buildCity(cfg.Seed, cfg.Sizes)
	return append([]Account(nil), c.users...)
}

// Organisations lists the generated organisations for cfg, in the order they are written.
func Organisations(cfg Config) []Org {
	return append([]Org(nil), buildCity(cfg.Seed, cfg.Sizes).orgs...)
}

// Generate writes the city into the migrated database behind pool (as the schema owner or
// the application role; VACUUM and ANALYZE need the owner to have an effect) and runs
// VACUUM (ANALYZE) at the end. It refuses a database that already holds cases.
func Generate(ctx context.Context, pool *pgxpool.Pool, cfg Config) (Summary, error) {
	start := time.Now()
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	if cfg.BatchCases <= 0 {
		cfg.BatchCases = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	sum := Summary{Tables: map[string]int64{}, Referrals: map[model.ReferralStatus]int64{}, Cases: map[model.CaseStatus]int64{}}
	var busy bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM organisations WHERE short_name = 'S-STADT')`).Scan(&busy); err != nil {
		return sum, fmt.Errorf("scale: %w", err)
	}
	if busy {
		return sum, ErrNotEmpty
	}
	g := newGenerator(cfg)
	if err := g.writeCity(ctx, pool, &sum); err != nil {
		return sum, err
	}

	batches := make(chan *batch, cfg.Workers)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		defer close(batches)
		for from := 0; from < cfg.Sizes.Cases; from += cfg.BatchCases {
			b := g.batch(from, min(cfg.Sizes.Cases, from+cfg.BatchCases))
			select {
			case batches <- b:
			case <-ectx.Done():
				return ectx.Err()
			}
		}
		return nil
	})
	results := make(chan *batch, cfg.Workers)
	for range cfg.Workers {
		eg.Go(func() error {
			for b := range batches {
				if err := b.write(ectx, pool); err != nil {
					return err
				}
				results <- b
			}
			return nil
		})
	}
	var done int
	collect := make(chan struct{})
	go func() {
		defer close(collect)
		for b := range results {
			b.count(&sum)
			done += b.cases
			if cfg.Progress != nil {
				cfg.Progress(done, cfg.Sizes.Cases)
			}
		}
	}()
	err := eg.Wait()
	close(results)
	<-collect
	if err != nil {
		return sum, fmt.Errorf("scale: %w", err)
	}
	if err := g.finish(ctx, pool); err != nil {
		return sum, err
	}
	// VACUUM as well as ANALYZE: a running city's tables have been vacuumed by autovacuum,
	// which sets the visibility map that index-only scans rely on; straight after a bulk
	// load every row would still be fetched from the heap (the case list's open-task branch
	// took 42 ms instead of 12 on the whole city), and a measurement would see a city no
	// installation has.
	analyze := time.Now()
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return sum, fmt.Errorf("scale: vacuum: %w", err)
	}
	sum.Analyze = time.Since(analyze)
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// writeCity writes the organisations, users and grants.
func (g *generator) writeCity(ctx context.Context, pool *pgxpool.Pool, sum *Summary) error {
	created := g.at(1200, 0)
	var orgs, users, grants [][]any
	for _, o := range g.city.orgs {
		orgs = append(orgs, []any{o.ID, nullUUID(o.ParentID), string(o.Kind), o.Name, o.ShortName, o.Email, o.Phone, created, created})
	}
	for _, u := range g.city.users {
		phone := fmt.Sprintf("+49 541 000-%04d", 1000+len(users)%9000)
		users = append(users, []any{u.UserID, "", nil, u.Email, u.DisplayName, phone, created, created})
		grants = append(grants, []any{newUUID(g.cityRand), u.UserID, u.OrgID, string(u.Role), created})
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"organisations", []string{"id", "parent_id", "kind", "name", "short_name", "contact_email", "contact_phone", "created_at", "updated_at"}, orgs},
		{"users", []string{"id", "issuer", "subject", "email", "display_name", "business_phone", "created_at", "updated_at"}, users},
		{"role_grants", []string{"id", "user_id", "org_id", "role", "created_at"}, grants},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("scale: copy %s: %w", t.table, err)
		}
		sum.Tables[t.table] += int64(len(t.rows))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	return nil
}

// finish continues the reference counters after the generated numbers and tells the running
// instances that grants changed.
func (g *generator) finish(ctx context.Context, pool *pgxpool.Pool) error {
	for key, last := range g.counters {
		if _, err := pool.Exec(ctx, `INSERT INTO reference_counters (prefix, year, last) VALUES ($1, $2, $3)
			ON CONFLICT (prefix, year) DO UPDATE SET last = greatest(reference_counters.last, EXCLUDED.last)`,
			key.prefix, key.year, last); err != nil {
			return fmt.Errorf("scale: reference counters: %w", err)
		}
	}
	if _, err := pool.Exec(ctx, `SELECT pg_notify($1, 'scale')`, model.PolicyChannel); err != nil {
		return fmt.Errorf("scale: notify: %w", err)
	}
	return nil
}
