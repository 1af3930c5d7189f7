package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/lotse-project/lotse/internal/tracing"
)

// TestStatementKeepsNoValue: a statement's description keeps its shape, placeholders and
// identifiers, and loses every literal (strings of each kind, numbers) and comment, so that
// a value written into SQL never reaches a span.
func TestStatementKeepsNoValue(t *testing.T) {
	for _, tc := range []struct {
		sql, op, table, text string
	}{
		{`SELECT * FROM "cases" WHERE "cases"."id" = $1 AND "cases"."deleted_at" IS NULL LIMIT 1`,
			"SELECT", "cases", `SELECT * FROM "cases" WHERE "cases"."id" = $1 AND "cases"."deleted_at" IS NULL LIMIT ?`},
		{"INSERT INTO persons (family_name, given_names) VALUES ($1,$2) RETURNING id", "INSERT", "persons",
			"INSERT INTO persons ( family_name , given_names ) VALUES ( $1 , $2 ) RETURNING id"},
		{"update   \"referrals\"\n\tSET status = 'expired' WHERE reply_due < $1", "UPDATE", "referrals",
			`update "referrals" SET status = ? WHERE reply_due < $1`},
		{"DELETE FROM public.idempotency_keys WHERE created_at < now() - interval '30 days'", "DELETE", "public.idempotency_keys",
			"DELETE FROM public.idempotency_keys WHERE created_at < now ( ) - interval ?"},
		{"begin", "BEGIN", "", "begin"},
		{"SELECT set_config('lotse.actor', 'Haddad7 O''Neill', true) -- by Amina7\n/* nested /* Amina7 */ comment */ , 42, 3.5e-2, E'x\\'Haddad7', $$Haddad7$$, $t$Haddad7$t$, x'ff', t2.col1",
			"SELECT", "", "SELECT set_config ( ? , ? , true ) , ? , ? , ? , ? , ? , ? , t2.col1"},
		{"(SELECT 1) UNION (SELECT 2)", "SELECT", "", "( SELECT ? ) UNION ( SELECT ? )"},
		{"WITH v AS (SELECT id FROM cases) SELECT count(*) FROM v", "WITH", "", "WITH v AS ( SELECT id FROM cases ) SELECT count ( * ) FROM v"},
		{"SELECT c.id, (EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = c.id)) AS open FROM cases c", "SELECT", "cases",
			"SELECT c.id, (EXISTS (SELECT ? FROM tasks t WHERE t.case_id = c.id)) AS open FROM cases c"},
		{"SELECT * FROM (SELECT 1) s", "SELECT", "", "SELECT * FROM ( SELECT ? ) s"},
	} {
		op, table, text := tracing.Statement(tc.sql)
		// The text is compared with the spaces around punctuation made uniform.
		norm := func(s string) string {
			return strings.Join(strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ", ",", " , ").Replace(s)), " ")
		}
		if op != tc.op || table != tc.table || norm(text) != norm(tc.text) {
			t.Errorf("Statement(%q)\n got %q %q %q\nwant %q %q %q", tc.sql, op, table, text, tc.op, tc.table, tc.text)
		}
		for _, secret := range []string{"Haddad7", "Amina7", "Neill", "42", "30 days", "ff"} {
			if strings.Contains(text, secret) {
				t.Errorf("Statement(%q) keeps %q: %q", tc.sql, secret, text)
			}
		}
	}
	long := "SELECT " + strings.Repeat("a, ", 3000) + "b FROM cases"
	if _, _, text := tracing.Statement(long); len(text) > 4100 || !strings.HasSuffix(text, "…") {
		t.Errorf("a long statement is not cut: %d bytes", len(text))
	}
}

// TestEnabled: the modes of LOTSE_TRACING against the environment.
func TestEnabled(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for i, tc := range []struct {
		mode   string
		getenv func(string) string
		want   bool
	}{
		{"auto", env(), false},
		{"", env(), false},
		{"auto", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), true},
		{"auto", env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces"), true},
		{"auto", env("OTEL_EXPORTER_OTLP_ENDPOINT", " "), false},
		{"auto", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "TRUE"), false},
		{"on", env(), true},
		{"off", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), false},
		{"yes", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), false},
	} {
		if got := tracing.Enabled(tc.mode, tc.getenv); got != tc.want {
			t.Errorf("case %d: Enabled(%q) = %v, want %v", i, tc.mode, got, tc.want)
		}
	}
	p, err := tracing.New(context.Background(), false, "1.0", nil)
	if err != nil || p.On() {
		t.Fatalf("New(off) = on %v, %v", p.On(), err)
	}
	if _, span := p.Tracer("x").Start(context.Background(), "s"); span.SpanContext().IsValid() {
		t.Error("a provider that is off records spans")
	}
}

// TestLogHandlerAddsTheTrace: a line written within a span names its trace and span; one
// without is unchanged.
func TestLogHandlerAddsTheTrace(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, span := tp.Tracer("x").Start(context.Background(), "request")
	log.InfoContext(ctx, "request", "request_id", "r-1")
	span.End()
	log.InfoContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	var in, out map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &out); err != nil {
		t.Fatal(err)
	}
	if in["trace_id"] != span.SpanContext().TraceID().String() || in["span_id"] != span.SpanContext().SpanID().String() ||
		in["request_id"] != "r-1" || in["component"] != "test" {
		t.Errorf("line within the span: %v", in)
	}
	if _, ok := out["trace_id"]; ok {
		t.Errorf("line outside a span names a trace: %v", out)
	}
}

// TestExportErrorsAreLogged: a collector that refuses the spans costs a warning in the log
// (a JSON line like every other), not more than one a minute, and never a failed request.
func TestExportErrorsAreLogged(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "20")
	var buf syncBuffer
	p, err := tracing.New(context.Background(), true, "1.0", slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil || !p.On() {
		t.Fatalf("New(on) = %v, %v", p.On(), err)
	}
	defer p.Close()
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < 3 {
		_, span := p.Tracer("x").Start(context.Background(), "s")
		span.End()
		if time.Now().After(deadline) {
			t.Fatalf("only %d exports tried", calls.Load())
		}
		time.Sleep(30 * time.Millisecond)
	}
	if n := strings.Count(buf.String(), "spans could not be exported"); n != 1 {
		t.Errorf("%d warnings for %d refused exports, want 1:\n%s", n, calls.Load(), buf.String())
	}
	if !strings.Contains(buf.String(), `"level":"WARN"`) {
		t.Errorf("the warning is no JSON warning: %s", buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
