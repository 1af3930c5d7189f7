package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/model"
)

// sessions loads the server-side session of the request and commits it when the response
// starts. scs's own LoadAndSave does not work under Echo's response writer, hence this small
// middleware (Load, then Commit in Response().Before).
func (s *Server) sessions(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sm := s.auth.Sessions
		if sm == nil || strings.HasPrefix(c.Request().URL.Path, staticPrefix) {
			// Static files are the same for everybody: no session read from the database for
			// each, and no "Vary: Cookie" that would keep browsers from reusing them.
			return next(c)
		}
		if hasBearer(c.Request()) {
			// The API's bearer path uses no cookies. It still gets an empty session, never
			// saved, so that code reading the session (pages, logout) works instead of
			// panicking, and no stored session is touched.
			ctx, err := sm.Load(c.Request().Context(), "")
			if err != nil {
				return fmt.Errorf("web: empty session: %w", err)
			}
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
		var token string
		if ck, err := c.Cookie(sm.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := sm.Load(c.Request().Context(), token)
		if err != nil {
			return fmt.Errorf("web: load session: %w", err)
		}
		c.SetRequest(c.Request().WithContext(ctx))
		c.Response().Header().Add("Vary", "Cookie")
		c.Response().Before(func() {
			switch sm.Status(ctx) {
			case scs.Modified:
				tok, exp, err := sm.Commit(ctx)
				if errors.Is(err, authn.ErrNoSession) {
					// Ended while this request ran (logout elsewhere): it stays ended.
					sm.WriteSessionCookie(ctx, c.Response().Writer, "", time.Time{})
					return
				}
				if err != nil {
					s.log.Error("saving the session failed", slog.String("request_id", requestID(c)), slog.Any("error", err))
					return
				}
				sm.WriteSessionCookie(ctx, c.Response().Writer, tok, exp)
			case scs.Destroyed:
				sm.WriteSessionCookie(ctx, c.Response().Writer, "", time.Time{})
			}
		})
		return next(c)
	}
}

func hasBearer(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer ")
}

// identifyRequest tells who made the request: a bearer access token (API clients) or the
// session cookie (browsers). Tests may replace it through Deps.Identify.
func (s *Server) identifyRequest(r *http.Request) (uuid.UUID, error) {
	if hasBearer(r) {
		if s.auth.Providers == nil {
			return uuid.Nil, fmt.Errorf("web: bearer tokens are not configured: %w", model.ErrUnauthenticated)
		}
		raw := strings.TrimSpace(strings.TrimPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer "))
		id, err := s.auth.Providers.VerifyBearer(r.Context(), raw)
		if err != nil {
			if errors.Is(err, authn.ErrProviderUnavailable) {
				return uuid.Nil, err
			}
			return uuid.Nil, fmt.Errorf("%w: %w", err, model.ErrUnauthenticated)
		}
		u, err := s.svc.Access.BearerAccount(r.Context(), id.Issuer, id.Subject)
		if err != nil {
			return uuid.Nil, err
		}
		authn.SetAccount(r.Context(), authn.Account{ID: u.ID, Name: u.DisplayName, Active: u.Active})
		return u.ID, nil
	}
	if s.auth.Sessions == nil {
		return uuid.Nil, fmt.Errorf("web: no sign-in configured: %w", model.ErrUnauthenticated)
	}
	id, err := s.auth.Sessions.User(r.Context())
	if err != nil {
		return uuid.Nil, fmt.Errorf("web: %w: %w", err, model.ErrUnauthenticated)
	}
	return id, nil
}
