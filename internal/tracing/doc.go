// Package tracing sets up OpenTelemetry traces for a Lotse process: the tracer provider that
// exports over OTLP/HTTP when LOTSE_TRACING says so (off by default), the statement
// description that SQL spans carry without any value, and the log handler that adds the trace
// to log lines. The spans themselves are made where the work is: the HTTP middleware in
// internal/web, the pgx query tracer in internal/db, the job middleware in internal/jobs.
// What a span may carry, and what it never does, is in docs/tracing.md.
package tracing
