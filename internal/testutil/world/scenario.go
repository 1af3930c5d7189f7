package world

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// RemoteAddr is the client address of every world request, for audit assertions.
const RemoteAddr = "192.0.2.10"

// Request is one HTTP request through the whole stack.
type Request struct {
	// As is the acting user; nil sends the request anonymously.
	As *User
	// Org, when set, is sent as X-Lotse-Org: the organisation the user acts in.
	Org *model.Organisation
	// Method and URL (path and query) of the request.
	Method, URL string
	// Body is sent as is when it is a string or []byte, else as JSON; nil sends none.
	Body any
	// Headers are added last and may override the defaults (Content-Type).
	Headers map[string]string
}

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v or fails the test.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not the expected JSON (%v): %s", err, r.Body)
	}
}

// APIError is the API's one error shape.
type APIError struct {
	Error struct {
		Code      string             `json:"code"`
		Message   string             `json:"message"`
		Fields    []model.FieldError `json:"fields"`
		RequestID string             `json:"request_id"`
	} `json:"error"`
}

// Do sends one request through the app.
func (w *World) Do(t testing.TB, r Request) *Response {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("world: encode body: %v", err)
		}
		body = bytes.NewReader(j)
	}
	req := httptest.NewRequest(r.Method, r.URL, body)
	req.RemoteAddr = RemoteAddr + ":40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.As != nil {
		req.Header.Set(UserHeader, r.As.ID.String())
	}
	if r.Org != nil {
		req.Header.Set("X-Lotse-Org", r.Org.ID.String())
	}
	for k, v := range r.Headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Scenario is one row of a scenario table: a request and what must come of it.
type Scenario struct {
	Name string
	Request
	// Status is the expected status code.
	Status int
	// Contains and NotContains are substrings the body must and must not have.
	Contains, NotContains []string
	// ErrorCode, when set, is the expected code of the API error body.
	ErrorCode string
	// Fields, when set, are field names the API error must name (others may follow).
	Fields []string
	// NoChange asserts that the request changed no organisation, account or grant and
	// recorded no audit event.
	NoChange bool
	// Check runs further assertions on the response.
	Check func(t *testing.T, r *Response)
}

// Scenarios is a table of scenarios, run in order against one world (so that a row may
// rely on the effect of an earlier one).
type Scenarios []Scenario

// Run runs each scenario as a subtest.
func (ss Scenarios) Run(t *testing.T, w *World) {
	t.Helper()
	for _, sc := range ss {
		t.Run(sc.Name, func(t *testing.T) { sc.run(t, w) })
	}
}

func (sc Scenario) run(t *testing.T, w *World) {
	t.Helper()
	var before string
	if sc.NoChange {
		before = w.Fingerprint(t)
	}
	res := w.Do(t, sc.Request)
	if res.Status != sc.Status {
		t.Fatalf("%s %s: status %d, want %d: %s", sc.Method, sc.URL, res.Status, sc.Status, res.Body)
	}
	body := string(res.Body)
	for _, s := range sc.Contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q: %s", s, body)
		}
	}
	for _, s := range sc.NotContains {
		if strings.Contains(body, s) {
			t.Errorf("body has %q: %s", s, body)
		}
	}
	if res.Status >= 400 && strings.HasPrefix(sc.URL, "/api/") && sc.Method != http.MethodHead {
		checkAPIError(t, res, sc.ErrorCode, sc.Fields)
	} else if sc.ErrorCode != "" || len(sc.Fields) > 0 {
		t.Errorf("ErrorCode and Fields apply to API errors only")
	}
	if sc.NoChange {
		if after := w.Fingerprint(t); after != before {
			t.Errorf("the request changed data:\nbefore %s\nafter  %s", before, after)
		}
	}
	if sc.Check != nil {
		sc.Check(t, res)
	}
}

// checkAPIError asserts the one error shape: JSON, a code, a message, the request id of the
// response, and the expected code and fields.
func checkAPIError(t *testing.T, res *Response, code string, fields []string) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want JSON", ct)
	}
	var e APIError
	res.JSON(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("error without code or message: %s", res.Body)
	}
	if rid := res.Header.Get("X-Request-Id"); rid == "" || e.Error.RequestID != rid {
		t.Errorf("error request id %q, header %q", e.Error.RequestID, rid)
	}
	if code != "" && e.Error.Code != code {
		t.Errorf("error code %q, want %q: %s", e.Error.Code, code, res.Body)
	}
	var got []string
	for _, f := range e.Error.Fields {
		got = append(got, f.Field)
	}
	for _, f := range fields {
		if !slices.Contains(got, f) {
			t.Errorf("error does not name field %q: %s", f, res.Body)
		}
	}
}
