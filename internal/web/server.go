package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui"
)

// Checker reports whether a dependency is ready; a non-nil error's text is shown in /readyz,
// so it must name no secret.
type Checker interface {
	Ready(ctx context.Context) map[string]error
}

// Deps are what the web layer needs from the composition root.
type Deps struct {
	Log      *slog.Logger
	Ready    Checker
	Services *service.Services
	// Identify tells who signed a request; nil means the sessions and bearer tokens of Auth.
	Identify Identifier
	// Auth is the sign-in machinery: providers and sessions.
	Auth Auth
	// BaseURL is the public URL of Lotse (for redirects back from the provider).
	BaseURL string
	// Secure: served over https (HSTS, secure cookies).
	Secure bool
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// LoginRateLimit is sign-in attempts per second and client address (bursts of 20).
	LoginRateLimit float64
	// LoginLimiter, when set, keeps that limit in the database, shared by every instance
	// (store.LoginLimiter); nil keeps it in this process's memory (tests of the web layer).
	LoginLimiter LoginLimiter
	BodyLimit    string
	Metrics      bool
	// Queries, when set with Metrics, counts SQL statements for /metrics (querymetrics.go).
	Queries QueryCounter
	// Operator names the city or body running Lotse (e.g. "Stadt Osnabrück") for the page
	// header; empty shows none.
	Operator string
	// Tracing, when set, makes each request a span (tracing.go); nil: no spans.
	Tracing trace.TracerProvider
	// ExtraRoutes lets tests add routes (e.g. a deliberately slow one); nil in production.
	ExtraRoutes func(e *echo.Echo)
	// MaxInFlight is how many requests are served at once (admit.go); the others wait.
	// 0: no bound.
	MaxInFlight int
}

// Server is the HTTP handler of Lotse.
type Server struct {
	e        *echo.Echo
	log      *slog.Logger
	ready    Checker
	catalog  *locale.Catalog
	assets   *assets
	registry *prometheus.Registry
	svc      *service.Services
	identify Identifier
	perms    map[string]perm

	auth        Auth
	baseURL     string
	secure      bool
	csp         string
	crossOrigin *http.CrossOriginProtection
	loginRate   float64
	loginStore  LoginLimiter
	operator    string
	// draining is set by Drain when the process is told to stop (health.go).
	draining atomic.Bool
}

// New builds the server with its middleware and routes.
func New(d Deps) (*Server, error) {
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(ui.Static, "static")
	if err != nil {
		return nil, err
	}
	as, err := loadAssets(static)
	if err != nil {
		return nil, err
	}
	s := &Server{e: echo.New(), log: d.Log, ready: d.Ready, catalog: cat, assets: as, operator: d.Operator, registry: prometheus.NewRegistry(),
		svc: d.Services, identify: d.Identify, perms: map[string]perm{},
		auth: d.Auth, baseURL: strings.TrimSuffix(d.BaseURL, "/"), secure: d.Secure, crossOrigin: http.NewCrossOriginProtection(), loginRate: d.LoginRateLimit, loginStore: d.LoginLimiter}
	if s.loginRate <= 0 {
		s.loginRate = 0.5
	}
	if s.identify == nil {
		s.identify = s.identifyRequest
	}
	var formTargets []string
	if d.Auth.Providers != nil {
		for _, p := range d.Auth.Providers.List() {
			formTargets = append(formTargets, p.Origin())
		}
	}
	s.csp = contentSecurityPolicy(formTargets)
	e := s.e
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client address (audit trail, rate limits) is the TCP peer unless trusted proxies
	// are configured; a header anyone can set must not decide it.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		opts := make([]echo.TrustOption, 0, len(d.TrustedProxies)+1)
		opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
		for _, n := range d.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}

	e.Pre(sanitizeRequestID)
	e.Pre(s.closeWhenDraining)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	if d.Tracing != nil {
		e.Use(s.traceRequests(d.Tracing))
	}
	// The security headers come before anything that can refuse a request (body limit,
	// sessions, CSRF), so that every response, error pages included, carries them.
	e.Use(s.securityHeaders)
	e.Use(s.languageChoice)
	e.Use(s.requestLogger())
	if d.Metrics {
		s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
			Namespace:  "lotse",
			Subsystem:  "http",
			Registerer: s.registry,
			// Label by route pattern only: raw paths would explode the series and may carry ids.
			DoNotUseRequestPathFor404: true,
			Skipper:                   func(c echo.Context) bool { return c.Path() == "/metrics" },
		}))
		if d.Queries != nil {
			e.Use(s.countQueries(d.Queries))
		}
		if d.Services != nil {
			s.replicaGauge(d.Services.ReplicaUp)
		}
	}
	e.Use(admit(d.MaxInFlight))
	e.Use(compressPages())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the panic becomes an error for handleError, which logs it once
		DisablePrintStack:   true,
	}))
	e.Use(middleware.BodyLimit(d.BodyLimit))
	e.Use(formLineBreaks)
	e.Use(s.sessions, s.csrf, s.ownWrites)

	if err := s.routes(d.Metrics); err != nil {
		return nil, err
	}
	if d.ExtraRoutes != nil {
		d.ExtraRoutes(e)
	}
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Echo exposes the router for route-table tests.
func (s *Server) Echo() *echo.Echo { return s.e }

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// sanitizeRequestID keeps a request id from a load balancer only if it is harmless, so that
// log lines cannot be forged through the header.
func sanitizeRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if id := c.Request().Header.Get(echo.HeaderXRequestID); id != "" && !validRequestID.MatchString(id) {
			c.Request().Header.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

func newRequestID() string { return newUUID() }

// requestLogger writes one structured line per request. It logs the route pattern and the
// path without its query string, since queries may hold names typed into a search box. With
// tracing on, the process's log handler adds trace_id and span_id from the request's context
// (tracing.LogHandler).
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRoutePath: true,
		LogRequestID: true, LogResponseSize: true,
		// Let the error handler write the response first, so that the logged status is the real one.
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method),
				slog.String("route", v.RoutePath),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.Int64("bytes", v.ResponseSize),
				slog.String("request_id", v.RequestID),
			)
			return nil
		},
	})
}

// requestID returns the id of the current request (set by the RequestID middleware).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// withTimeout bounds a check so that a hanging database cannot hang the probe.
func withTimeout(c echo.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), d)
}
