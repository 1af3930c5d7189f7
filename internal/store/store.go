package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Store is the entry point to the database.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	// replica, when set, takes the heavy reads (replica.go).
	replica *replica
}

// New wraps the process's GORM handle. now is the process's one clock (the composition root
// gives the services' clock; nil is the wall clock): every time the store writes (creation,
// update and audit times) and the calendar day its scopes judge consents by ("today") come
// from it, never from the database's now(), so that a clock set for a test or for backdated
// demo data is the same in the services, the store and the web pages.
func New(db *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// Clock is the store's clock (the function itself, so that a caller that sets another one
// for a while can restore it).
func (s *Store) Clock() func() time.Time { return s.now }

// SetClock replaces the store's clock (Services.SetClock sets it together with the services'
// own); like that one, it must not run while transactions are in flight.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Tx is one database transaction on behalf of one actor. Repositories hang off it, so that
// everything done through one Tx commits or rolls back together.
type Tx struct {
	db    *gorm.DB
	actor model.Actor
	// audit holds the events recorded in the transaction, written with its COMMIT (commit);
	// nil outside a transaction (One).
	audit *[]*model.AuditEvent
}

// Tx runs fn in a read-write transaction for actor. An error from fn rolls back.
func (s *Store) Tx(ctx context.Context, actor model.Actor, fn func(tx *Tx) error) error {
	return s.run(ctx, actor, nil, fn)
}

// Read runs fn in a read-only transaction for actor (one consistent snapshot).
func (s *Store) Read(ctx context.Context, actor model.Actor, fn func(tx *Tx) error) error {
	return s.run(ctx, actor, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn)
}

// One runs fn outside any transaction, for a read of exactly one statement (an account by
// id, the list of areas): one statement is a consistent snapshot of its own, and without
// BEGIN and COMMIT it is one database round trip instead of three. A read of more than one
// statement, or anything that writes or records an audit event, uses Read or Tx.
func (s *Store) One(ctx context.Context, actor model.Actor, fn func(tx *Tx) error) error {
	return fn(&Tx{db: s.session(s.db.WithContext(ctx)), actor: actor})
}

// session is g on the store's clock: GORM's own timestamps, create and update (record.go),
// the audit trail and the calendar day of the scopes (today) all read it. The day goes to
// the SQL as a bind parameter of the scope fragments rather than as a transaction-local
// setting: a set_config would be one more round trip per transaction, a parameter costs none.
func (s *Store) session(g *gorm.DB) *gorm.DB {
	clock := s.now
	return g.Session(&gorm.Session{NowFunc: func() time.Time { return asStored(clock()) }})
}

// run runs fn in a transaction. The audit events fn recorded travel with the COMMIT in one
// message (commit): a read costs BEGIN, its statements and one round trip for audit and
// commit (docs/performance.md, "Round trips per request"). The transaction is over when that
// message returns; the COMMIT database/sql then sends is skipped by the driver (db.Open).
func (s *Store) run(ctx context.Context, actor model.Actor, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		// This is where a transaction-local actor context (set_config('lotse.actor_id', ..., true))
		// goes when row-level security is added.
		events := []*model.AuditEvent{}
		if err := fn(&Tx{db: s.session(g), actor: actor, audit: &events}); err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		sqlTx, ok := g.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("store: commit: not in a transaction")
		}
		stmt, args := commit(events)
		if _, err := sqlTx.ExecContext(ctx, stmt, args...); err != nil {
			return translate("record audit events and commit", err)
		}
		return nil
	}, opts)
}

// Actor is who this transaction acts for.
func (tx *Tx) Actor() model.Actor { return tx.actor }

// NotifyPolicyChanged announces a grant or organisation change to every instance. Postgres
// delivers it only when the transaction commits, and never when it rolls back.
func (tx *Tx) NotifyPolicyChanged(ctx context.Context) error {
	if err := tx.db.WithContext(ctx).Exec(`SELECT pg_notify(?, '')`, model.PolicyChannel).Error; err != nil {
		return fmt.Errorf("store: notify policy change: %w", err)
	}
	return nil
}

// translate maps database errors to the domain categories.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("store: %s: %w", op, model.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("store: %s: %w", op, model.ErrDuplicate)
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return fmt.Errorf("store: %s: %w: %s", op, model.ErrDuplicate, pgErr.ConstraintName)
	case errors.As(err, &pgErr) && pgErr.Code == "23503":
		return fmt.Errorf("store: %s: %w: %s", op, model.ErrInvalid, pgErr.ConstraintName)
	case errors.As(err, &pgErr) && pgErr.Code == "23514":
		return fmt.Errorf("store: %s: %w: %s", op, model.ErrInvalid, pgErr.ConstraintName)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
