package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/lotse-project/lotse/internal/model"
)

// CSRFField and CSRFHeader carry the per-session anti-forgery token: a hidden field in forms,
// a header for htmx (set once on <body hx-headers>) and scripts.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
	csrfKey    = "csrf"
)

// securityHeaders sets the browser security baseline on every response: a strict
// Content-Security-Policy (no inline script or style), no framing, no sniffing, a
// conservative referrer policy, and HSTS when served over https.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// contentSecurityPolicy allows only own resources. form-action also names the identity
// providers, since logout answers a form post with a redirect to the provider.
func contentSecurityPolicy(formTargets []string) string {
	fa := append([]string{"'self'"}, formTargets...)
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action " + strings.Join(fa, " "),
		"frame-ancestors 'none'",
	}, "; ")
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// csrf protects every state-changing request of a browser. Two independent walls:
// Go's cross-origin protection (Sec-Fetch-Site and Origin must say same origin), and a
// per-session token that must come back in the form field or header. Requests with a bearer
// token carry no ambient authority (no cookies) and need neither.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !isUnsafe(r.Method) || hasBearer(r) {
			return next(c)
		}
		if err := s.crossOrigin.Check(r); err != nil {
			return fmt.Errorf("web: cross-origin request refused: %w", model.ErrForbidden)
		}
		if s.auth.Sessions == nil {
			return next(c)
		}
		if _, err := r.Cookie(s.auth.Sessions.Cookie.Name); err != nil {
			// No session cookie: the request carries no authority a forger could borrow.
			return next(c)
		}
		want := s.auth.Sessions.GetString(r.Context(), csrfKey)
		got := r.Header.Get(CSRFHeader)
		if got == "" {
			got = c.FormValue(CSRFField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return fmt.Errorf("web: missing or wrong CSRF token: %w", model.ErrForbidden)
		}
		return next(c)
	}
}

// csrfToken returns the session's anti-forgery token, creating it on first use.
func (s *Server) csrfToken(c echo.Context) string {
	if s.auth.Sessions == nil {
		return ""
	}
	ctx := c.Request().Context()
	if t := s.auth.Sessions.GetString(ctx, csrfKey); t != "" {
		return t
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	t := base64.RawURLEncoding.EncodeToString(b)
	s.auth.Sessions.Put(ctx, csrfKey, t)
	return t
}

// LoginLimiter takes one sign-in attempt of a client address and says whether it is allowed;
// store.LoginLimiter keeps the buckets in the database, shared by every instance.
type LoginLimiter interface {
	Allow(ctx context.Context, client string, at time.Time) (bool, error)
}

// LoginBurst is how many sign-in attempts a client address may make at once.
const LoginBurst = 20

// sharedLimiter adapts a LoginLimiter to Echo's store, which passes no context.
type sharedLimiter struct{ l LoginLimiter }

func (s sharedLimiter) Allow(client string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The wall clock, like Echo's own limiter: a limit counts real seconds.
	return s.l.Allow(ctx, client, time.Now())
}

// loginLimiter bounds sign-in attempts per client address, against password-spraying
// through the provider and floods of login state in the session table. With several
// instances the buckets are in the database (Deps.LoginLimiter), so that the limit holds for
// the installation, not per instance (docs/instances.md).
func (s *Server) loginLimiter() echo.MiddlewareFunc {
	var store middleware.RateLimiterStore = middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(s.loginRate), Burst: LoginBurst, ExpiresIn: 10 * time.Minute,
	})
	if s.loginStore != nil {
		store = sharedLimiter{s.loginStore}
	}
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(echo.Context, error) error {
			return fmt.Errorf("web: rate limit: %w", echo.ErrForbidden)
		},
		DenyHandler: func(_ echo.Context, _ string, err error) error {
			if err != nil {
				// The shared buckets could not be read (the database is away): 503, not 429.
				return fmt.Errorf("web: login rate limit: %w", err)
			}
			return fmt.Errorf("web: too many sign-in attempts: %w", echo.ErrTooManyRequests)
		},
	})
}
