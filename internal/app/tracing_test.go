package app_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// otlpReceiver is an OTLP/HTTP trace receiver as a collector runs it: it decodes each
// ExportTraceServiceRequest (protobuf, gzip or not) and keeps every span with the resource
// it came with.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []receivedSpan
	bad   []string
}

type receivedSpan struct {
	span     *tracepb.Span
	resource []*commonpb.KeyValue
	scope    string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := io.Reader(req.Body)
		if req.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = gz
		}
		b, err := io.ReadAll(body)
		var msg coltracepb.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(b, &msg)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" || err != nil {
			r.bad = append(r.bad, fmt.Sprintf("%s %s %s: %v", req.Method, req.URL.Path, req.Header.Get("Content-Type"), err))
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		for _, rs := range msg.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.spans = append(r.spans, receivedSpan{span: s, resource: rs.GetResource().GetAttributes(), scope: ss.GetScope().GetName()})
				}
			}
		}
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *otlpReceiver) received() []receivedSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedSpan(nil), r.spans...)
}

// attr returns the value of the span attribute key as text ("" when absent).
func attr(s *tracepb.Span, key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return anyValue(a.Value)
		}
	}
	return ""
}

func anyValue(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return fmt.Sprint(x.IntValue)
	case *commonpb.AnyValue_BoolValue:
		return fmt.Sprint(x.BoolValue)
	case *commonpb.AnyValue_DoubleValue:
		return fmt.Sprint(x.DoubleValue)
	case *commonpb.AnyValue_BytesValue:
		return string(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		var parts []string
		for _, e := range x.ArrayValue.GetValues() {
			parts = append(parts, anyValue(e))
		}
		return strings.Join(parts, ",")
	case *commonpb.AnyValue_KvlistValue:
		var parts []string
		for _, kv := range x.KvlistValue.GetValues() {
			parts = append(parts, kv.Key+"="+anyValue(kv.Value))
		}
		return strings.Join(parts, ",")
	}
	return ""
}

// everything is every text a span exports: name, status, scope, and the keys and values of
// its attributes, its events' and links' attributes and its resource.
func (s receivedSpan) everything() string {
	var b strings.Builder
	kvs := func(list []*commonpb.KeyValue) {
		for _, a := range list {
			b.WriteString(" " + a.Key + "=" + anyValue(a.Value))
		}
	}
	b.WriteString(s.span.Name + " | " + s.span.GetStatus().GetMessage() + " | " + s.scope + " | " + string(s.span.TraceState) + " |")
	kvs(s.span.Attributes)
	for _, e := range s.span.Events {
		b.WriteString(" event " + e.Name)
		kvs(e.Attributes)
	}
	for _, l := range s.span.Links {
		kvs(l.Attributes)
	}
	kvs(s.resource)
	return b.String()
}

// TestTracesCarryNoPersonalData is issue 15's tracing check: a serve instance with an OTLP
// endpoint configured (LOTSE_TRACING=auto) sends its spans to a real OTLP/HTTP receiver:
// a span per request named by the route pattern, the request's statements as its children,
// a span per job run with the job's statements below it, a caller's trace continued, and the
// request id on the span and, with the trace id, on the JSON log line. While a case page that
// shows a person's name, a search for that name, a note naming the person and a miss at a
// path with the name are served, no span name or attribute of any kind holds the person's
// names, e-mail or phone, the search term, the case's id or reference, the person's id, the
// note's text, or the caseworker's name or id.
func TestTracesCarryNoPersonalData(t *testing.T) {
	recv := newOTLPReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_SAMPLER", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"} {
		t.Setenv(k, "")
	}
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")

	c := world.NewCity(t)
	worker := c.HousingWorker
	cw := c.CaseWorkFor(t, world.CaseSetup{Lead: worker})
	person := cw.Person
	const noteText = "Gespräch mit Frau Vertraulich über die Wohnung"

	cfg := world.Config(c.URL)
	cfg.Tracing = "auto"
	logs := &testutil.LogBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	// A route that fails with an error naming the person, as an unforeseen fault might.
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)), false, app.Options{
		Identify: world.Identify,
		Jobs:     jobs.Config{SweepEvery: 200 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond},
		ExtraRoutes: func(e *echo.Echo) {
			e.GET("/test/kaputt/:id", func(c echo.Context) error {
				return fmt.Errorf("cannot render the case of %s %s", person.GivenNames, person.FamilyName)
			})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	closed := false
	shutdown := func() {
		if closed {
			return
		}
		closed = true
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	}
	t.Cleanup(shutdown)

	// A caller's trace (a load balancer's or a gateway's) is continued.
	callerTrace, callerSpan := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	do := func(method, path string, form url.Values, hdr ...string) (status int, body, rid string) {
		t.Helper()
		var rd io.Reader
		if form != nil {
			rd = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set(world.UserHeader, worker.ID.String())
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("X-Request-ID")
	}
	casePath := "/faelle/" + cw.Case.ID.String()
	st, page, pageRID := do(http.MethodGet, casePath, nil, "traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	if st != http.StatusOK || !strings.Contains(page, person.FamilyName) {
		t.Fatalf("GET %s = %d, or the page does not show the person's name", casePath, st)
	}
	st, list, searchRID := do(http.MethodGet, "/faelle?q="+url.QueryEscape(person.FamilyName), nil)
	if st != http.StatusOK || !strings.Contains(list, cw.Case.Reference) {
		t.Fatalf("search for the name = %d, or the case is not found", st)
	}
	st, _, noteRID := do(http.MethodPost, casePath+"/vermerke", url.Values{"note_area": {""}, "visibility": {"org"},
		"body": {noteText + " " + person.FamilyName + " " + person.Email}})
	if st != http.StatusSeeOther {
		t.Fatalf("POST the note = %d, want 303", st)
	}
	st, _, missRID := do(http.MethodGet, "/nirgends/"+url.PathEscape(person.FamilyName)+"?q="+url.QueryEscape(person.Email), nil)
	if st != http.StatusNotFound {
		t.Fatalf("GET a path that is no route = %d, want 404", st)
	}
	st, _, failRID := do(http.MethodGet, "/test/kaputt/"+cw.Case.ID.String(), nil)
	if st != http.StatusInternalServerError {
		t.Fatalf("GET the failing route = %d, want 500", st)
	}
	if st, _, _ := do(http.MethodGet, "/healthz", nil); st != http.StatusOK {
		t.Fatalf("GET /healthz = %d", st)
	}
	for _, rid := range []string{pageRID, searchRID, noteRID, missRID, failRID} {
		if rid == "" {
			t.Fatal("a response without X-Request-ID")
		}
	}

	// The spans arrive: the four requests, statements under them, a job and its statements.
	byRID := func(spans []receivedSpan, rid string) *tracepb.Span {
		for _, s := range spans {
			if s.span.Kind == tracepb.Span_SPAN_KIND_SERVER && attr(s.span, "lotse.request_id") == rid {
				return s.span
			}
		}
		return nil
	}
	childrenOf := func(spans []receivedSpan, parent *tracepb.Span) (n int) {
		for _, s := range spans {
			if parent != nil && string(s.span.ParentSpanId) == string(parent.SpanId) && s.span.Kind == tracepb.Span_SPAN_KIND_CLIENT &&
				attr(s.span, "db.system.name") == "postgresql" {
				n++
			}
		}
		return n
	}
	jobWithStatements := func(spans []receivedSpan) *tracepb.Span {
		for _, s := range spans {
			if s.span.Name == "job sweep" && s.span.Kind == tracepb.Span_SPAN_KIND_CONSUMER && childrenOf(spans, s.span) > 0 {
				return s.span
			}
		}
		return nil
	}
	var spans []receivedSpan
	deadline := time.Now().Add(45 * time.Second)
	for {
		spans = recv.received()
		ready := jobWithStatements(spans) != nil
		for _, rid := range []string{pageRID, searchRID, noteRID, missRID, failRID} {
			ready = ready && byRID(spans, rid) != nil
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			var names []string
			for _, s := range spans {
				names = append(names, s.span.Name)
			}
			t.Fatalf("the spans did not all arrive within 45 s; got %d: %q (bad exports: %q)", len(spans), names, recv.bad)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// What the instance still holds arrives when it stops.
	shutdown()
	spans = recv.received()

	for _, want := range []struct {
		rid, name, route, status string
	}{
		{pageRID, "GET /faelle/:id", "/faelle/:id", "200"},
		{searchRID, "GET /faelle", "/faelle", "200"},
		{noteRID, "POST /faelle/:id/vermerke", "/faelle/:id/vermerke", "303"},
		{missRID, "GET", "", "404"},
		{failRID, "GET /test/kaputt/:id", "/test/kaputt/:id", "500"},
	} {
		s := byRID(spans, want.rid)
		if s.Name != want.name || attr(s, "http.route") != want.route || attr(s, "http.response.status_code") != want.status ||
			attr(s, "http.request.method") != strings.Fields(want.name)[0] {
			t.Errorf("request %s: span %q route %q status %q, want %q %q %q", want.rid, s.Name, attr(s, "http.route"),
				attr(s, "http.response.status_code"), want.name, want.route, want.status)
		}
		if n := childrenOf(spans, s); n == 0 && want.status == "200" {
			t.Errorf("%s: no SQL span under the request", want.name)
		}
	}
	if s := byRID(spans, failRID); s.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_ERROR || attr(s, "error.type") != "500" {
		t.Errorf("the failed request's span: status %v, error.type %q, want an error with type 500", s.GetStatus(), attr(s, "error.type"))
	}
	if s := byRID(spans, pageRID); s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Error("a page that answered 200 is marked as an error")
	}
	for _, s := range spans {
		if r := attr(s.span, "http.route"); r == "/healthz" || r == "/static/*" {
			t.Errorf("a probe or static file made a span: %s", s.span.Name)
		}
	}
	page0 := byRID(spans, pageRID)
	if hex.EncodeToString(page0.TraceId) != callerTrace || hex.EncodeToString(page0.ParentSpanId) != callerSpan {
		t.Errorf("the caller's trace is not continued: trace %x parent %x", page0.TraceId, page0.ParentSpanId)
	}
	var sqlNames []string
	for _, s := range spans {
		if string(s.span.ParentSpanId) == string(page0.SpanId) {
			sqlNames = append(sqlNames, s.span.Name)
			if string(s.span.TraceId) != string(page0.TraceId) {
				t.Errorf("statement %q is not in the request's trace", s.span.Name)
			}
		}
	}
	// The case page's own statements are a WITH and a SELECT of JSON columns (no one
	// table); the account read within the request names its table.
	if !slices.Contains(sqlNames, "SELECT users") {
		t.Errorf("the case page's statements do not name their table: %q", sqlNames)
	}
	if s := spans[0]; !strings.Contains(s.everything(), "service.name=lotse") {
		t.Errorf("the resource does not name the service: %s", s.everything())
	}

	// Nothing personal, anywhere in any span.
	forbidden := map[string]string{
		"family name": person.FamilyName, "given names": person.GivenNames, "e-mail": person.Email, "phone": person.Phone,
		"address": person.Address, "case id": cw.Case.ID.String(), "case reference": cw.Case.Reference, "person id": person.ID.String(),
		"note": "Vertraulich", "caseworker's name": worker.Name, "caseworker's id": worker.ID.String(),
		"raw path": casePath, "query": "?q=",
	}
	for _, s := range spans {
		text := s.everything()
		for what, v := range forbidden {
			if v != "" && strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
				t.Errorf("a span holds the %s (%q): %s", what, v, text)
			}
		}
		for _, a := range s.span.Attributes {
			if a.Key == "db.query.text" && strings.Contains(anyValue(a.Value), "'") {
				t.Errorf("a statement's text holds a literal: %s", anyValue(a.Value))
			}
		}
		if _, err := uuid.Parse(attr(s.span, "lotse.request_id")); attr(s.span, "lotse.request_id") != "" && err != nil {
			t.Errorf("a request id that is no generated id: %q", attr(s.span, "lotse.request_id"))
		}
	}

	// The JSON log line of a request carries its request id and its trace.
	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" && m["request_id"] == pageRID {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no JSON request line with request_id %s in\n%s", pageRID, logs.String())
	}
	if line["trace_id"] != callerTrace || line["span_id"] != hex.EncodeToString(page0.SpanId) || line["route"] != "/faelle/:id" {
		t.Errorf("the request line does not join its span: %v", line)
	}
}
