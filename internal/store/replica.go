package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// A read replica (docs/read-replica.md) takes the heavy reads that need not see the latest
// writes: the city-wide statistics, the team dashboard and the list downloads. Everything
// else, and every write, stays on the primary. The store chooses per call of Heavy:
//
//   - no replica configured, or the last health check found it down or too far behind: the
//     primary;
//   - the request must see the user's own recent writes (the web layer marks it with
//     SeeOwnWrites after a change by the same browser): the primary;
//   - otherwise the replica, in one read-only snapshot; if the replica fails with a
//     connection or recovery error, it is marked down and the same read runs on the primary.
//
// The audit events a heavy read records are written on the primary right after the replica's
// snapshot, in one short transaction of their own (the replica cannot write); a failure to
// write them fails the call, so nothing is handed out without its audit event, as on the
// primary.

// ReplicaOptions tune the replica's health check.
type ReplicaOptions struct {
	// MaxLag is how far the replica may trail the primary and still be used (default
	// DefaultReplicaMaxLag). Measured by the health check as the time since the last
	// replayed transaction while WAL is still waiting to be replayed.
	MaxLag time.Duration
	// Timeout bounds one health check (default 2 s).
	Timeout time.Duration
	// Log receives a line when the replica goes down or comes back; may be nil.
	Log *slog.Logger
}

// DefaultReplicaMaxLag is the lag beyond which the replica is not used. Together with the
// check interval it must stay below SeeOwnWritesFor.
const DefaultReplicaMaxLag = 10 * time.Second

// ReplicaCheckEvery is how often the serving process checks the replica (WatchReplica).
const ReplicaCheckEvery = 5 * time.Second

// SeeOwnWritesFor is how long after a change a browser's heavy reads stay on the primary:
// longer than the largest lag a replica in use can have (DefaultReplicaMaxLag, plus the
// ReplicaCheckEvery until a growing lag is noticed).
const SeeOwnWritesFor = 30 * time.Second

type replica struct {
	db   *gorm.DB
	opts ReplicaOptions
	up   atomic.Bool
}

// SetReplica gives the store a read replica (a GORM handle on a hot standby, read-only). It
// starts as down until the first CheckReplica finds it usable. Call it before serving.
func (s *Store) SetReplica(g *gorm.DB, o ReplicaOptions) {
	if o.MaxLag <= 0 {
		o.MaxLag = DefaultReplicaMaxLag
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	s.replica = &replica{db: g, opts: o}
}

// ReplicaUp reports whether a replica is configured and whether heavy reads use it now.
func (s *Store) ReplicaUp() (configured, up bool) {
	if s.replica == nil {
		return false, false
	}
	return true, s.replica.up.Load()
}

// replicaLag is how far the replica trails: zero when it has replayed all the WAL it
// received (or is not a standby at all), else the age of its last replayed transaction.
const replicaLag = `SELECT coalesce(CASE
	WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
	ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END, 0)::float8`

// CheckReplica checks the replica once, within the health check's timeout, and marks it up
// when it answers and trails by less than MaxLag, else down. It returns why it is down (nil
// when up or when no replica is configured).
func (s *Store) CheckReplica(ctx context.Context) error {
	r := s.replica
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	var lag float64
	err := r.db.WithContext(ctx).Raw(replicaLag).Scan(&lag).Error
	if err == nil && time.Duration(lag*float64(time.Second)) > r.opts.MaxLag {
		err = errReplicaBehind{time.Duration(lag * float64(time.Second)).Round(time.Second)}
	}
	r.mark(err == nil, err)
	if err != nil {
		// The reason only: a driver's message may name the host and the role.
		return errors.New(replicaReason(err))
	}
	return nil
}

type errReplicaBehind struct{ lag time.Duration }

func (e errReplicaBehind) Error() string {
	return "the replica trails the primary by " + e.lag.String()
}

// mark records the replica's state and logs a change.
func (r *replica) mark(up bool, why error) {
	if r.up.Swap(up) == up || r.opts.Log == nil {
		return
	}
	if up {
		r.opts.Log.Info("the read replica is in use again")
	} else {
		r.opts.Log.Warn("the read replica is not used, heavy reads go to the primary", slog.String("reason", replicaReason(why)))
	}
}

// replicaReason names why the replica failed without repeating a URL or a password.
func replicaReason(err error) string {
	var pgErr *pgconn.PgError
	var behind errReplicaBehind
	switch {
	case err == nil:
		return ""
	case errors.As(err, &behind):
		return behind.Error()
	case errors.As(err, &pgErr):
		return "server error " + pgErr.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return "connection failed"
}

// WatchReplica checks the replica every ReplicaCheckEvery until ctx ends (a no-op without a
// replica).
func (s *Store) WatchReplica(ctx context.Context) {
	if s.replica == nil {
		return
	}
	t := time.NewTicker(ReplicaCheckEvery)
	defer t.Stop()
	for {
		_ = s.CheckReplica(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type seeOwnWritesKey struct{}

// SeeOwnWrites marks ctx as a request that must see its user's own recent writes: its heavy
// reads go to the primary.
func SeeOwnWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, seeOwnWritesKey{}, true)
}

func mustSeeOwnWrites(ctx context.Context) bool {
	v, _ := ctx.Value(seeOwnWritesKey{}).(bool)
	return v
}

// Heavy runs fn, a read of many rows or an aggregate that need not see the latest writes
// (statistics, the team dashboard, the list downloads), in one read-only snapshot on the
// replica when one is in use, else in a transaction on the primary. fn must not write; the
// audit events it records are written on the primary (see the top of this file). fn runs a
// second time, on the primary, when the replica fails during it: it must set what it
// returns, not add to it.
func (s *Store) Heavy(ctx context.Context, actor model.Actor, fn func(tx *Tx) error) error {
	r := s.replica
	if r == nil || !r.up.Load() || mustSeeOwnWrites(ctx) {
		return s.heavyOnPrimary(ctx, actor, fn)
	}
	var events []*model.AuditEvent
	err := r.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		events = events[:0]
		return fn(&Tx{db: s.session(g), actor: actor, audit: &events})
	}, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		if ctx.Err() == nil && replicaFailed(err) {
			r.mark(false, err)
			return s.heavyOnPrimary(ctx, actor, fn)
		}
		return err
	}
	if len(events) == 0 {
		return nil
	}
	return s.run(ctx, actor, nil, func(tx *Tx) error {
		*tx.audit = append(*tx.audit, events...)
		return nil
	})
}

// heavyOnPrimary is Heavy's read on the primary: one snapshot, like on the replica, in a
// transaction that may write the audit events with its commit.
func (s *Store) heavyOnPrimary(ctx context.Context, actor model.Actor, fn func(tx *Tx) error) error {
	return s.run(ctx, actor, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, fn)
}

// replicaFailed tells a failure of the replica itself (unreachable, shutting down, a query
// cancelled by a conflict with recovery, a read-only violation) from an error of the read
// (a domain error, a query error), which the primary would give as well.
func replicaFailed(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "08": // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutdown, crash, cannot connect now
			return true
		case pgErr.Code == "40001": // canceling statement due to conflict with recovery
			return true
		}
		return false
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		pgconn.Timeout(err) || errors.Is(err, driver.ErrBadConn) ||
		pgconn.SafeToRetry(err)
}
