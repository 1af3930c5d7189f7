package api_test

import (
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestRequestsAreValidatedAgainstTheSpec: bad input answers 400 "invalid" naming each field
// with a short reason of our own (never the validator's text), and changes nothing.
func TestRequestsAreValidatedAgainstTheSpec(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	post := func(body any) world.Request {
		return world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations", Body: body}
	}
	patch := func(body any) world.Request {
		return world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Body: body, Headers: version(1)}
	}
	valid := func(extra map[string]any) map[string]any {
		b := map[string]any{"kind": "welfare", "name": "AWO", "short_name": "AWO"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	// Validator wording must not leak: these phrases are kin-openapi's, not ours.
	leaks := []string{"doesn't match", "schema", "request body has an error", "property \\\"", "openapi3"}
	inEnglish(world.Scenarios{
		{Name: "server-owned version", Request: post(valid(map[string]any{"version": 5})), Status: 400, ErrorCode: "invalid", Fields: []string{"version"},
			Contains: []string{`"is not a known property"`}, NotContains: leaks, NoChange: true},
		{Name: "server-owned id", Request: post(valid(map[string]any{"id": w.Caritas.ID})), Status: 400, Fields: []string{"id"}, NoChange: true},
		{Name: "server-owned created_at in a patch", Request: patch(map[string]any{"name": "X", "created_at": "2020-01-01T00:00:00Z"}), Status: 400,
			Fields: []string{"created_at"}, NoChange: true},
		{Name: "unknown kind", Request: post(valid(map[string]any{"kind": "bank"})), Status: 400, ErrorCode: "invalid", Fields: []string{"kind"},
			Contains: []string{"must be one of municipal, jobcenter, welfare, school, civil_society"}, NotContains: leaks, NoChange: true},
		{Name: "several problems at once", Request: post(map[string]any{"kind": "bank", "short_name": "a b"}), Status: 400,
			Fields: []string{"kind", "name", "short_name"}, NoChange: true},
		{Name: "wrong type", Request: post(valid(map[string]any{"name": 42})), Status: 400, Fields: []string{"name"}, Contains: []string{"must be of type string"}, NoChange: true},
		{Name: "empty name", Request: post(valid(map[string]any{"name": ""})), Status: 400, Fields: []string{"name"}, NoChange: true},
		{Name: "malformed parent id", Request: post(valid(map[string]any{"parent_id": "city"})), Status: 400, Fields: []string{"parent_id"}, NoChange: true},
		{Name: "invalid JSON", Request: post(`{"kind": "welfare",`), Status: 400, ErrorCode: "invalid", Fields: []string{"body"}, NotContains: leaks, NoChange: true},
		{Name: "no body", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations"}, Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "a JSON array", Request: post(`[]`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "not JSON at all", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations", Body: "kind=welfare",
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, Status: 400, Fields: []string{"Content-Type"}, NoChange: true},
		{Name: "an empty patch", Request: patch(map[string]any{}), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "null for a field that cannot be null", Request: patch(map[string]any{"active": nil}), Status: 400, Fields: []string{"active"}, NoChange: true},
		{Name: "a member patch cannot touch grants", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: memberURL(w.CaritasWorker), Headers: version(1),
			Body: map[string]any{"grants": []any{}}}, Status: 400, Fields: []string{"grants"}, NoChange: true},
		{Name: "unknown role", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants",
			Body: map[string]any{"user_id": w.CaritasWorker.ID, "org_id": w.Caritas.ID, "role": "king"}}, Status: 400, Fields: []string{"role"}, NoChange: true},
		{Name: "missing user", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants",
			Body: map[string]any{"org_id": w.Caritas.ID, "role": "lead"}}, Status: 400, Fields: []string{"user_id"}, NoChange: true},
		{Name: "malformed query", Request: world.Request{As: w.Sysadmin, Method: "GET", URL: base + "/members?org_id=caritas"}, Status: 400, Fields: []string{"org_id"}},
		{Name: "service rules still apply", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/members",
			Body: map[string]any{"display_name": "X", "email": "not-an-address", "org_id": w.Caritas.ID, "role": "caseworker"}}, Status: 400, Fields: []string{"email"}, NoChange: true},
		{Name: "a valid request passes", Request: post(valid(nil)), Status: 201},
	}).Run(t, w)

	t.Run("rejected values are not logged", func(t *testing.T) {
		const secret = "Frau Geheim-Müller"
		res := w.Do(t, post(valid(map[string]any{"short_name": secret, "contact_phone": 7})))
		if res.Status != 400 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		if strings.Contains(w.Log.String(), "Geheim") || strings.Contains(string(res.Body), "Geheim") {
			t.Fatal("a rejected value reached the log or the response")
		}
	})
}
