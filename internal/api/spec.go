package api

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// BasePath is where the API is served; it matches the servers entry of openapi.yaml.
const BasePath = "/api/v1"

//go:embed openapi.yaml
var specYAML []byte

// Spec returns the OpenAPI description as served at /api/v1/openapi.yaml.
func Spec() []byte { return specYAML }

// LoadSpec parses and checks the OpenAPI description.
func LoadSpec() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(specYAML)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml is invalid: %w", err)
	}
	return doc, nil
}

// Operation is one operation of the spec, with the path as Echo writes it.
type Operation struct {
	ID     string // operationId
	Method string // GET, POST, ...
	Path   string // Echo's form with the base path: /api/v1/organisations/:id
}

// Operations lists every operation of doc, for route registration checks.
func Operations(doc *openapi3.T) []Operation {
	var out []Operation
	for _, p := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(p).Operations() {
			out = append(out, Operation{ID: op.OperationID, Method: method, Path: EchoPath(p)})
		}
	}
	return out
}

// EchoPath turns an OpenAPI path (/organisations/{id}) into Echo's pattern under the base
// path (/api/v1/organisations/:id).
func EchoPath(p string) string {
	b := []byte(BasePath)
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '{':
			b = append(b, ':')
		case '}':
		default:
			b = append(b, p[i])
		}
	}
	return string(b)
}
