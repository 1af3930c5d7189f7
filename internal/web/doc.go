// Package web owns Lotse's HTTP surface: the Echo server, its middleware (request ids,
// request logs, metrics, limits), the one route table in routes.go, the health endpoints and
// the one error handler that maps domain errors to status codes and never shows internal text.
package web
