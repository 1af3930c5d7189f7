package db_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestQueryCounterCountsStatements: the pool's tracer counts every statement in total, and
// apart those sent with a tracked context (a transaction's BEGIN and COMMIT included, via
// Gorm and database/sql as well as pgx), and nothing of other contexts.
func TestQueryCounterCountsStatements(t *testing.T) {
	t.Parallel()
	d := testutil.NewDB(t)
	ctx := context.Background()
	total0 := d.Queries.Total()
	tracked, count := d.Queries.Track(ctx)
	if _, err := d.Pool.Exec(tracked, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	tx, err := d.SQL.BeginTx(tracked, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(tracked, `SELECT 2`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Gorm.WithContext(tracked).Raw(`SELECT 3`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `SELECT 4`); err != nil { // not tracked
		t.Fatal(err)
	}
	if got := count(); got != 5 { // SELECT 1, BEGIN, SELECT 2, COMMIT, SELECT 3
		t.Errorf("tracked statements = %d, want 5", got)
	}
	if got := d.Queries.Total() - total0; got < 6 {
		t.Errorf("total grew by %d, want at least the 6 statements sent", got)
	}
}

// TestQueryTracerSpans: with a tracer, a statement sent within a traced context is a client
// span under it, named by operation and table, with the statement's text but no bind value
// and no literal; a failing one carries the SQLSTATE and not PostgreSQL's message (which
// quotes the value); a statement outside a trace makes no span.
func TestQueryTracerSpans(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx := context.Background()
	d, err := db.Open(ctx, testutil.NewEmptyDBURL(t), db.Options{MaxConns: 2, Tracing: tp})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const secret = "Haddad9 Amina9"
	if _, err := d.Pool.Exec(ctx, `CREATE TABLE people (name text PRIMARY KEY)`); err != nil { // not traced
		t.Fatal(err)
	}
	traced, parent := tp.Tracer("test").Start(ctx, "request")
	if _, err := d.Pool.Exec(traced, `INSERT INTO people (name) VALUES ($1)`, secret); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Pool.QueryRow(traced, `SELECT count(*) FROM "people" WHERE name = $1 OR name = 'Amina9'`, secret).Scan(&n); err != nil || n != 1 {
		t.Fatalf("select: %d, %v", n, err)
	}
	_, dupErr := d.Pool.Exec(traced, `INSERT INTO people (name) VALUES ($1)`, secret)
	if dupErr == nil || !strings.Contains(dupErr.Error(), "23505") {
		t.Fatalf("want a unique violation, got %v", dupErr)
	}
	parent.End()

	var got []string
	for _, s := range rec.Ended() {
		if s.Name() == "request" {
			continue
		}
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("span %q: parent %s kind %s, want under the request as a client span", s.Name(), s.Parent().SpanID(), s.SpanKind())
		}
		line := s.Name() + " [" + s.Status().Code.String() + " " + s.Status().Description + "]"
		for _, a := range s.Attributes() {
			line += " " + string(a.Key) + "=" + a.Value.String()
		}
		got = append(got, line)
		if strings.Contains(line, "Haddad9") || strings.Contains(line, "Amina9") {
			t.Errorf("a span carries a value: %s", line)
		}
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"INSERT people [Unset ] db.system.name=postgresql db.query.text=INSERT INTO people (name) VALUES ($1) db.operation.name=INSERT db.collection.name=people",
		`SELECT people [Unset ] db.system.name=postgresql db.query.text=SELECT count(*) FROM "people" WHERE name = $1 OR name = ? db.operation.name=SELECT db.collection.name=people`,
		"INSERT people [Error 23505]",
		"db.response.status_code=23505 error.type=23505",
		"db.response.returned_rows=1",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no span like %q in\n%s", want, all)
		}
	}
	if len(got) != 3 {
		t.Errorf("want 3 statement spans (the untraced CREATE makes none), got %d:\n%s", len(got), all)
	}
}
