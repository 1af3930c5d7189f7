package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
)

// checkInput applies the text rule (model.TextOK) to every value a request brings, before
// the spec's checks: each path parameter, query parameter and JSON string (object names
// included), and it requires a JSON body to be exactly one value. PostgreSQL refuses NUL and
// invalid UTF-8, and Go's JSON decoder silently turns invalid UTF-8 and unpaired surrogates
// into U+FFFD and ignores what follows the first value; so the body is read here once, with
// a strict decoder, and handed on unchanged. Header parameters of the operation count too
// (an Idempotency-Key is stored). Fields are named like the spec's errors:
// "family_name", "members.0.family_name", a parameter by its name.
func checkInput(c echo.Context, route *routers.Route) error {
	op := route.Operation
	v := &model.ValidationError{}
	req := c.Request()
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, op.Parameters} {
		for _, p := range params {
			if p.Value == nil || p.Value.In != openapi3.ParameterInHeader {
				continue
			}
			for _, val := range req.Header.Values(p.Value.Name) {
				if !model.TextOK(val) {
					v.Add(fieldName(p.Value.Name, "header"), model.CodeBadCharacters)
					break
				}
			}
		}
	}
	for i, name := range c.ParamNames() {
		if i < len(c.ParamValues()) && !model.TextOK(c.ParamValues()[i]) {
			v.Add(fieldName(name, "path"), model.CodeBadCharacters)
		}
	}
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		v.Add("query", model.CodeFormat)
	}
	for name, vals := range q {
		if !model.TextOK(name) {
			v.Add("query", model.CodeBadCharacters)
			continue
		}
		for _, val := range vals {
			if !model.TextOK(val) {
				v.Add(fieldName(name, "query"), model.CodeBadCharacters)
				break
			}
		}
	}
	if op.RequestBody != nil && req.Body != nil && isJSON(req.Header.Get("Content-Type")) {
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) { // the body limit
				return he
			}
			return model.Invalid("body", model.CodeUnreadable)
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(raw))
		req.ContentLength = int64(len(raw))
		if len(bytes.TrimSpace(raw)) > 0 {
			checkJSON(v, raw)
		}
	}
	return v.Err()
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// checkJSON reads raw as a stream of JSON tokens. Problems of syntax other than the
// characters are left to the spec's validation, which names them "body".
func checkJSON(v *model.ValidationError, raw []byte) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			var se *jsontext.SyntacticError
			if errors.As(err, &se) {
				field := pointerField(se.JSONPointer)
				switch {
				case errors.Is(err, jsontext.ErrDuplicateName):
					v.Add(pointerField(se.JSONPointer), model.CodeDuplicate)
				case se.Err != nil && badCharacters.MatchString(se.Err.Error()):
					v.Add(field, model.CodeBadCharacters)
				}
			}
			return // io.EOF in the middle of a value, or other syntax: the spec's check says so
		}
		if tok.Kind() == '"' && !model.TextOK(tok.String()) {
			v.Add(pointerField(dec.StackPointer()), model.CodeBadCharacters)
		}
		if dec.StackDepth() == 0 {
			break // the first value is complete
		}
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		v.Add("body", model.CodeTrailingData)
	}
}

// badCharacters matches jsontext's reasons for invalid UTF-8, raw or as an escaped
// surrogate; the JSON text test pins them down against an update of the library.
var badCharacters = regexp.MustCompile(`invalid UTF-8|invalid surrogate pair|invalid escape sequence`)

// pointerField names the value a JSON pointer points at ("/members/0/family_name" is
// "members.0.family_name"); the body itself, or a name that is no field, is "body".
func pointerField(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
	}
	return fieldName(strings.Join(parts, "."), "body")
}

// fieldName returns name when it is safe to show (no value leaks through it), else fallback.
func fieldName(name, fallback string) string {
	if safeField.MatchString(name) {
		return name
	}
	return fallback
}
