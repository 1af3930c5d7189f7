package db

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// QueryCounter is the pool's pgx query tracer: it counts every statement the process sends
// (BEGIN and COMMIT included, since pgx sends them as statements too), in total and per
// context marked by Track. It only adds to counters, so it is always on; the HTTP server
// exposes the figures at /metrics (lotse_db_queries_total, lotse_db_queries_per_request),
// where the load harness (lotse-dev bench) reads statements per request.
type QueryCounter struct{ total atomic.Uint64 }

type trackKey struct{}

// Total is the number of statements sent since the pool was opened.
func (q *QueryCounter) Total() uint64 { return q.total.Load() }

// Track returns a context whose statements are also counted apart, and the function that
// reads that count (e.g. at the end of an HTTP request).
func (q *QueryCounter) Track(ctx context.Context) (context.Context, func() uint64) {
	n := new(atomic.Uint64)
	return context.WithValue(ctx, trackKey{}, n), n.Load
}

// TraceQueryStart implements pgx.QueryTracer.
func (q *QueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.total.Add(1)
	if n, ok := ctx.Value(trackKey{}).(*atomic.Uint64); ok {
		n.Add(1)
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (q *QueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
