package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
)

// Validator checks requests against openapi.yaml before any handler runs: parameters,
// headers and bodies, unknown properties included. Its failures are model.ValidationErrors
// naming each field with a short reason, so that the one error handler renders them like any
// other invalid input; kin-openapi's own text never reaches the client.
type Validator struct {
	routes map[string]*routers.Route // "PATCH /api/v1/organisations/:id"
	opts   *openapi3filter.Options
}

// NewValidator loads the spec and indexes its operations by Echo route.
func NewValidator() (*Validator, error) {
	doc, err := LoadSpec()
	if err != nil {
		return nil, err
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != BasePath {
		return nil, fmt.Errorf("api: openapi.yaml must name exactly one server, %s", BasePath)
	}
	v := &Validator{
		routes: map[string]*routers.Route{},
		opts: &openapi3filter.Options{
			MultiError: true,
			// Sign-in is checked by the web layer's own middleware before this one runs.
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
			// kin-openapi checks a date's shape only; 2026-02-30 must fail here, naming the
			// field, rather than later while binding.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.WithStringFormatValidator("date", openapi3.NewCallbackValidator(func(s string) error {
					_, err := time.Parse(time.DateOnly, s)
					return err
				})),
			},
		},
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for method, op := range item.Operations() {
			v.routes[method+" "+EchoPath(p)] = &routers.Route{Spec: doc, Server: doc.Servers[0], Path: p, PathItem: item, Method: method, Operation: op}
		}
	}
	return v, nil
}

// Middleware validates the request of the route it is attached to. A route that the spec
// does not describe is a programming error (500), which the route table test prevents.
func (v *Validator) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		route, ok := v.routes[req.Method+" "+c.Path()]
		if !ok {
			return fmt.Errorf("api: %s %s is not described in openapi.yaml", req.Method, c.Path())
		}
		params := make(map[string]string, len(c.ParamNames()))
		for i, n := range c.ParamNames() {
			params[n] = c.ParamValues()[i]
		}
		if err := checkInput(c, route); err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) { // the body limit, hit while reading the body
				return he
			}
			return fmt.Errorf("api: input: %w", err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: v.opts}
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) { // the body limit, hit while reading the body
				return he
			}
			// kin-openapi's own text quotes the values sent, which may be personal data: it
			// goes neither to the client nor to the log.
			return fmt.Errorf("api: request does not match openapi.yaml: %w", toValidationError(err))
		}
		err := next(c)
		// The generated code answers a parameter or body it cannot bind with a plain 400;
		// after validation that is rare, but it must still be the API's "invalid".
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusBadRequest {
			// A parameter that passed the spec's checks but does not bind (a query date
			// like 2026-02-30) is named; the name comes from the spec, never the value.
			if msg, ok := he.Message.(string); ok {
				if m := unboundParameter.FindStringSubmatch(msg); m != nil {
					return fmt.Errorf("api: bind: %w", model.Invalid(m[1], model.CodeFormat))
				}
			}
			return fmt.Errorf("api: bind: %w", model.Invalid("body", model.CodeUnreadable))
		}
		return err
	}
}

// toValidationError turns kin-openapi's errors into field errors with short reasons.
func toValidationError(err error) *model.ValidationError {
	v := &model.ValidationError{}
	collectRequest(v, err)
	if len(v.Fields) == 0 {
		v.Add("request", model.CodeUnreadable)
	}
	_ = v.Err() // sorts the fields
	return v
}

func collectRequest(v *model.ValidationError, err error) {
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			collectRequest(v, e)
		}
		return
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		collectSchema(v, "body", err)
		return
	}
	switch {
	case re.Parameter != nil:
		name := re.Parameter.Name
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			v.Add(name, model.CodeRequired)
		case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			v.Add(name, model.CodeRequired)
		default:
			var se *openapi3.SchemaError
			if errors.As(re.Err, &se) {
				code, params := schemaReason(se)
				v.Add(name, code, params)
			} else {
				v.Add(name, model.CodeFormat)
			}
		}
	case re.RequestBody != nil:
		var pe *openapi3filter.ParseError
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			v.Add("body", model.CodeRequired)
		case strings.HasPrefix(re.Reason, "header Content-Type"):
			v.Add("Content-Type", model.CodeMediaType, model.Params{"type": "application/json"})
		case errors.As(re.Err, &pe) || re.Reason == "failed to decode request body":
			v.Add("body", model.CodeNotJSON)
		case re.Err != nil:
			collectSchema(v, "", re.Err)
		default:
			v.Add("body", model.CodeInvalid)
		}
	default:
		v.Add("request", model.CodeUnreadable)
	}
}

var (
	unboundParameter = regexp.MustCompile(`^Invalid format for parameter ([A-Za-z0-9_-]{1,64}): `)
	propertyInReason = regexp.MustCompile(`^property "([A-Za-z0-9_.-]{1,64})" is (unsupported|missing)$`)
	safeField        = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
)

// collectSchema adds one field error per schema error; fallback names the field when the
// error does not (a body-level problem).
func collectSchema(v *model.ValidationError, fallback string, err error) {
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			collectSchema(v, fallback, e)
		}
		return
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		v.Add(orBody(fallback), model.CodeInvalid)
		return
	}
	field := strings.Join(se.JSONPointer(), ".")
	code, params := schemaReason(se)
	if se.SchemaField == "properties" {
		// An unknown property: the reason names it, the path names its parent object.
		if m := propertyInReason.FindStringSubmatch(se.Reason); m != nil {
			field = join(field, m[1])
		}
	}
	if !safeField.MatchString(field) {
		field = orBody(fallback)
	}
	v.Add(field, code, params)
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func orBody(s string) string {
	if s == "" {
		return "body"
	}
	return s
}

// schemaReason says with a code what a schema rule wants; it never repeats the value sent.
func schemaReason(se *openapi3.SchemaError) (string, model.Params) {
	s := se.Schema
	switch se.SchemaField {
	case "properties":
		return model.CodeUnknownProperty, nil
	case "required":
		return model.CodeRequired, nil
	case "enum":
		if s != nil && len(s.Enum) > 0 {
			vals := make([]string, len(s.Enum))
			for i, e := range s.Enum {
				vals[i] = fmt.Sprint(e)
			}
			return model.CodeNotOneOf, model.Params{"allowed": strings.Join(vals, ", ")}
		}
		return model.CodeNotOneOf, nil
	case "type":
		if s != nil && s.Type != nil && len(s.Type.Slice()) > 0 {
			return model.CodeWrongType, model.Params{"type": strings.Join(s.Type.Slice(), " or ")}
		}
		return model.CodeWrongType, nil
	case "nullable":
		return model.CodeNotNull, nil
	case "pattern", "format":
		return model.CodeFormat, nil
	case "minLength":
		if s != nil && s.MinLength == 1 {
			return model.CodeRequired, nil
		}
		if s != nil {
			return model.CodeTooShort, model.Params{"min": s.MinLength}
		}
	case "maxLength":
		if s != nil && s.MaxLength != nil {
			return model.CodeTooLong, model.Params{"max": *s.MaxLength}
		}
	case "minProperties":
		return model.CodeNothingChanged, nil
	case "minItems":
		if s != nil {
			return model.CodeTooFew, model.Params{"min": s.MinItems}
		}
	case "maxItems":
		if s != nil && s.MaxItems != nil {
			return model.CodeTooMany, model.Params{"max": *s.MaxItems}
		}
	case "minimum":
		if s != nil && s.Min != nil {
			return model.CodeBelowMinimum, model.Params{"min": fmt.Sprint(*s.Min)}
		}
	case "maximum":
		if s != nil && s.Max != nil {
			return model.CodeAboveMaximum, model.Params{"max": fmt.Sprint(*s.Max)}
		}
	}
	return model.CodeInvalid, nil
}
