// Package api owns Lotse's JSON API under /api/v1: its OpenAPI description (openapi.yaml, the
// contract), the code generated from it (api.gen.go, a strict Echo server: spec changes become
// compile errors), request validation against the spec, and thin handlers that bind, call one
// service method and map the result to the API's own types. Routes and their permissions are
// declared in internal/web/routes.go; errors are rendered by internal/web's one error handler.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml
