package db

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/tracing"
)

// QueryCounter is the pool's pgx query tracer: it counts every statement the process sends
// (BEGIN and COMMIT included, since pgx sends them as statements too), in total and per
// context marked by Track. It only adds to counters, so it is always on; the HTTP server
// exposes the figures at /metrics (lotse_db_queries_total, lotse_db_queries_per_request),
// where the load harness (lotse-dev bench) reads statements per request.
//
// With a tracer (Options.Tracing), a statement sent within a traced context (an HTTP
// request, a job) is also a span: named by its operation and first table ("SELECT cases"),
// with the statement's text without any value (tracing.Statement), never its bind values,
// and on failure the SQLSTATE only, since PostgreSQL's message may quote a value.
// Statements outside a trace (River's polling, the policy listener) make no span.
type QueryCounter struct {
	total  atomic.Uint64
	tracer trace.Tracer
}

type trackKey struct{}

// spanKey marks the context of a statement whose span this tracer started.
type spanKey struct{}

// Total is the number of statements sent since the pool was opened.
func (q *QueryCounter) Total() uint64 { return q.total.Load() }

// Track returns a context whose statements are also counted apart, and the function that
// reads that count (e.g. at the end of an HTTP request).
func (q *QueryCounter) Track(ctx context.Context) (context.Context, func() uint64) {
	n := new(atomic.Uint64)
	return context.WithValue(ctx, trackKey{}, n), n.Load
}

// TraceQueryStart implements pgx.QueryTracer.
func (q *QueryCounter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	q.total.Add(1)
	if n, ok := ctx.Value(trackKey{}).(*atomic.Uint64); ok {
		n.Add(1)
	}
	if q.tracer == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	op, table, text := tracing.Statement(data.SQL)
	name := op
	if name == "" {
		name = "SQL"
	}
	attrs := []attribute.KeyValue{semconv.DBSystemNamePostgreSQL, semconv.DBQueryText(text)}
	if op != "" {
		attrs = append(attrs, semconv.DBOperationName(op))
	}
	if table != "" {
		name += " " + table
		attrs = append(attrs, semconv.DBCollectionName(table))
	}
	if conn != nil {
		if cfg := conn.Config(); cfg != nil {
			attrs = append(attrs, semconv.DBNamespace(cfg.Database), semconv.ServerAddress(cfg.Host), semconv.ServerPort(int(cfg.Port)))
		}
	}
	ctx, span := q.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, spanKey{}, span)
}

// TraceQueryEnd implements pgx.QueryTracer.
func (q *QueryCounter) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span, ok := ctx.Value(spanKey{}).(trace.Span)
	if !ok {
		return
	}
	defer span.End()
	if data.Err != nil {
		// The SQLSTATE, never the message: "Key (email)=(...) already exists" names a value.
		code := "_OTHER"
		var pgErr *pgconn.PgError
		if errors.As(data.Err, &pgErr) {
			code = pgErr.Code
			span.SetAttributes(semconv.DBResponseStatusCode(code))
		} else if errors.Is(data.Err, context.Canceled) || errors.Is(data.Err, context.DeadlineExceeded) {
			code = "canceled"
		}
		span.SetAttributes(semconv.ErrorTypeKey.String(code))
		span.SetStatus(codes.Error, code)
		return
	}
	if data.CommandTag.Select() {
		span.SetAttributes(semconv.DBResponseReturnedRows(int(data.CommandTag.RowsAffected())))
	}
}
