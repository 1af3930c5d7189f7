package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui/components"
)

// Auth is the sign-in machinery the web layer needs; zero fields disable that part.
type Auth struct {
	Providers *authn.Providers
	Sessions  *authn.Sessions
	// Policies maps provider ids to their linking rules.
	Policies map[string]ProviderPolicy
}

// ProviderPolicy is how a provider's identities become accounts.
type ProviderPolicy struct {
	TrustEmail bool
	Mappings   []service.ClaimMapping
}

// pageError is a failure with a page of its own (status and message key), e.g. a login
// refused because the account is not activated.
type pageError struct {
	status int
	code   string
	cause  error
}

func (e *pageError) Error() string { return fmt.Sprintf("%s: %v", e.code, e.cause) }
func (e *pageError) Unwrap() error { return e.cause }

func loginError(status int, code string, cause error) error {
	return &pageError{status: status, code: code, cause: cause}
}

// loginPage lists the providers; with only one, it goes straight to it.
func (s *Server) loginPage(c echo.Context) error {
	ret := authn.SafeReturn(c.QueryParam("return"))
	if s.signedIn(c) {
		return c.Redirect(http.StatusSeeOther, ret)
	}
	if s.auth.Providers == nil || len(s.auth.Providers.List()) == 0 {
		return loginError(http.StatusServiceUnavailable, "login_unconfigured", errors.New("no providers configured"))
	}
	ps := s.auth.Providers.List()
	if len(ps) == 1 {
		return c.Redirect(http.StatusSeeOther, "/auth/login/"+ps[0].Config.ID+"?return="+url.QueryEscape(ret))
	}
	var items []components.Provider
	for _, p := range ps {
		items = append(items, components.Provider{Name: p.Config.Name, URL: "/auth/login/" + p.Config.ID + "?return=" + url.QueryEscape(ret)})
	}
	return s.render(c, http.StatusOK, components.Login(items))
}

// signedIn reports whether the request comes from a signed-in and still active account. The
// session of an account deactivated meanwhile is still open, but its pages send it here: it
// must get the login (and the refusal there), not be sent back to the page, which would loop.
func (s *Server) signedIn(c echo.Context) bool {
	id, err := s.identifyRequest(c.Request())
	if err != nil {
		return false
	}
	_, _, err = s.svc.Access.Actor(c.Request().Context(), service.ActorRequest{UserID: id, RequestID: requestID(c), RemoteAddr: c.RealIP()})
	return err == nil
}

// beginLogin redirects to the provider with state, nonce and PKCE, keeping them in the
// (pre-login) session.
func (s *Server) beginLogin(c echo.Context) error {
	p, ok := s.auth.Providers.Get(c.Param("provider"))
	if !ok {
		return fmt.Errorf("web: unknown provider: %w", model.ErrNotFound)
	}
	u, ls, err := p.Begin(c.Request().Context(), authn.SafeReturn(c.QueryParam("return")))
	if err != nil {
		return loginError(http.StatusBadGateway, "login_unavailable", err)
	}
	s.auth.Sessions.SetLoginState(c.Request().Context(), ls)
	return c.Redirect(http.StatusSeeOther, u)
}

// callback finishes the login: state, code exchange, ID token, nonce, account; then a new
// session token bound to the account, and back to the page asked for.
func (s *Server) callback(c echo.Context) error {
	ctx := c.Request().Context()
	ls := s.auth.Sessions.PopLoginState(ctx)
	if e := c.QueryParam("error"); e != "" {
		return loginError(http.StatusUnauthorized, "login_failed", fmt.Errorf("provider answered %q", e))
	}
	p, ok := s.auth.Providers.Get(ls.ProviderID)
	if !ok {
		return loginError(http.StatusBadRequest, "login_state", authn.ErrStateMismatch)
	}
	id, rawIDToken, err := p.Finish(ctx, ls, c.QueryParam("state"), c.QueryParam("code"))
	switch {
	case errors.Is(err, authn.ErrStateMismatch):
		return loginError(http.StatusBadRequest, "login_state", err)
	case errors.Is(err, authn.ErrProviderUnavailable):
		return loginError(http.StatusBadGateway, "login_unavailable", err)
	case err != nil:
		return loginError(http.StatusUnauthorized, "login_failed", err)
	}
	pol := s.auth.Policies[p.Config.ID]
	uid, err := s.svc.Access.SignIn(ctx, service.SignIn{
		Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, Name: id.Name, EmailVerified: id.EmailVerified,
		TrustEmail: pol.TrustEmail, Mappings: pol.Mappings, Claims: id.Claims,
		RemoteAddr: c.RealIP(), RequestID: requestID(c),
	})
	switch {
	case errors.Is(err, service.ErrNotActivated):
		return loginError(http.StatusForbidden, "not_activated", err)
	case errors.Is(err, service.ErrDeactivated):
		return loginError(http.StatusForbidden, "deactivated", err)
	case err != nil:
		return err
	}
	if err := s.auth.Sessions.Login(ctx, uid, p.Config.ID, rawIDToken); err != nil {
		return fmt.Errorf("web: start session: %w", err)
	}
	// A new anti-forgery token for the signed-in session: one known from before the login
	// (a planted session cookie, another user's earlier session) must not carry over.
	s.auth.Sessions.Remove(ctx, csrfKey)
	s.log.Info("signed in", slog.String("request_id", requestID(c)), slog.String("provider", p.Config.ID))
	return c.Redirect(http.StatusSeeOther, authn.SafeReturn(ls.ReturnTo))
}

// logout ends the session here and, where the provider supports it, at the provider.
func (s *Server) logout(c echo.Context) error {
	pid, idToken, err := s.auth.Sessions.Logout(c.Request().Context())
	if err != nil {
		return fmt.Errorf("web: end session: %w", err)
	}
	after := s.baseURL + "/logged-out"
	if p, ok := s.auth.Providers.Get(pid); ok {
		if u := p.EndSessionURL(idToken, after); u != "" {
			return c.Redirect(http.StatusSeeOther, u)
		}
	}
	return c.Redirect(http.StatusSeeOther, "/logged-out")
}

func (s *Server) loggedOut(c echo.Context) error {
	return s.render(c, http.StatusOK, components.LoggedOut())
}
