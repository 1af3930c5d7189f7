package api_test

import (
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestTextIsCheckedBeforeTheDatabase: a NUL, another control character, invalid UTF-8 or an
// unpaired surrogate in any JSON string, query or path parameter is invalid input naming
// the field (PostgreSQL would refuse the bytes with a 500, or Go would silently turn them
// into U+FFFD); data after the first JSON value is refused naming the body. Nothing changes.
func TestTextIsCheckedBeforeTheDatabase(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	as := func(method, url string, body any) world.Request {
		return world.Request{As: w.HousingWorker, Method: method, URL: url, Body: body}
	}
	notes := caseURL(cw.Case.ID) + "/notes"
	persons := caseURL(cw.Case.ID) + "/persons"
	withFamily := func(name string) map[string]any {
		b := personBody("x")
		b["family_name"] = name
		return b
	}
	leaks := []string{"\\u0000", "Geheim"}
	inEnglish(world.Scenarios{
		{Name: "NUL in a note", Request: as("POST", notes, `{"body":"\u0000x"}`), Status: 400, ErrorCode: "invalid", Fields: []string{"body"},
			Contains: []string{model.MsgBadCharacters}, NoChange: true},
		{Name: "NUL in a family name", Request: as("POST", persons, withFamily("Geheim\x00")), Status: 400, ErrorCode: "invalid",
			Fields: []string{"family_name"}, NotContains: leaks, NoChange: true},
		{Name: "NUL in a query parameter", Request: as("GET", base+"/cases?reference=%00", nil), Status: 400, ErrorCode: "invalid", Fields: []string{"reference"}},
		{Name: "invalid UTF-8 in a query parameter", Request: as("GET", base+"/cases?q=%ff", nil), Status: 400, Fields: []string{"q"}},
		{Name: "a bell in a note", Request: as("POST", notes, `{"body":"a\u0007b"}`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "a carriage return", Request: as("POST", notes, `{"body":"a\r\nb"}`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "DEL and C1 controls", Request: as("POST", notes, `{"body":"a\u007f\u0085"}`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "raw invalid UTF-8 in a note", Request: as("POST", notes, []byte("{\"body\":\"a\xffb\"}")), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "an unpaired surrogate", Request: as("POST", notes, `{"body":"a\ud800b"}`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "a nested string of a new case", Request: as("POST", base+"/cases", map[string]any{"primary": personBody("Nested"),
			"members": []any{withFamily("a\x01")}}), Status: 400, Fields: []string{"members.0.family_name"}, NoChange: true},
		{Name: "a list entry", Request: as("POST", persons, func() map[string]any { b := personBody("L"); b["languages"] = []string{"ar", "\x00"}; return b }()),
			Status: 400, Fields: []string{"languages.1"}, NoChange: true},
		{Name: "trailing data", Request: as("POST", notes, `{"body":"x"}{"body":"y"}`), Status: 400, ErrorCode: "invalid", Fields: []string{"body"},
			Contains: []string{"has more data after the JSON value"}, NoChange: true},
		{Name: "trailing garbage", Request: as("POST", notes, `{"body":"x"} x`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "a duplicate name", Request: as("POST", notes, `{"body":"x","body":"y"}`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "invalid UTF-8 in a header parameter", Request: world.Request{As: w.HousingWorker, Method: "POST", URL: notes, Body: map[string]any{"body": "x"},
			Headers: map[string]string{"Idempotency-Key": "k\xff"}}, Status: 400, Fields: []string{"Idempotency-Key"}, NoChange: true},
		{Name: "tab and newline are text", Request: as("POST", notes, `{"body":"a\tb\nc"}`), Status: 201},
		{Name: "trailing whitespace is fine", Request: as("POST", notes, "{\"body\":\"x\"} \r\n\t "), Status: 201},
		{Name: "umlauts and emoji are text", Request: as("POST", persons, withFamily("Müller-Lüdenscheidt 🙂")), Status: 201},
	}).Run(t, w)
}
