package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/tracing"
)

// plumbing are the routes of the server's own upkeep: the probes and scrapes that come
// every few seconds, and the static files. They make no span (their spans would only bury
// the requests that do work) and never wait for a place (admit.go).
var plumbing = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/static/*": true}

// traceRequests makes each request a server span, continuing a trace the caller started
// (W3C traceparent). The span is named by the method and the route pattern ("GET
// /faelle/:id"), never the path itself, which holds record ids, nor the query, which holds
// what was typed into a search box; for the same reason the only attributes are the method,
// the route pattern, the status, the scheme and protocol version, and the request id (which
// the log line of the request carries as request_id). No address, user agent, user or
// record id. It runs after the request id is set and around the request logger, so that the
// logged line carries the trace and the span the status the error handler wrote.
func (s *Server) traceRequests(tp trace.TracerProvider) echo.MiddlewareFunc {
	tracer := tp.Tracer(tracing.ScopeName)
	prop := propagation.TraceContext{}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			route := c.Path()
			if plumbing[route] {
				return next(c)
			}
			req := c.Request()
			ctx := prop.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
			name := methodName(req.Method)
			if route != "" {
				name += " " + route
			}
			scheme := "http"
			if req.TLS != nil || s.secure {
				scheme = "https"
			}
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
				semconv.HTTPRequestMethodKey.String(methodName(req.Method)),
				semconv.URLScheme(scheme),
				semconv.NetworkProtocolVersion(strconv.Itoa(req.ProtoMajor)+"."+strconv.Itoa(req.ProtoMinor)),
				tracing.RequestIDKey.String(requestID(c)),
			))
			defer span.End()
			if route != "" {
				span.SetAttributes(semconv.HTTPRoute(route))
			}
			c.SetRequest(req.WithContext(ctx))
			err := next(c)
			status := c.Response().Status
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= 500 {
				span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
				span.SetStatus(codes.Error, http.StatusText(status))
			}
			return err
		}
	}
}

// methodName keeps the known methods and names every other one _OTHER, so that a made-up
// method cannot put text into a span.
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}
