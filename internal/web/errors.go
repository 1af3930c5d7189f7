package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui/components"
)

// apiError is the one JSON error shape of the API: a stable code, a message for people, and
// the fields that were wrong, if any.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     []apiFieldError   `json:"fields,omitempty"`
	RequestID  string            `json:"request_id,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Transition *apiTransition    `json:"transition,omitempty"`
}

// apiFieldError is one wrong field: its name, the code (model.Code*) and its params, and
// the code's message in the client's language.
type apiFieldError struct {
	Field   string       `json:"field"`
	Code    string       `json:"code"`
	Params  model.Params `json:"params,omitempty"`
	Message string       `json:"message"`
}

// apiTransition is the refused change of state of a 409 transition_refused.
type apiTransition struct {
	Object  string   `json:"object"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Allowed []string `json:"allowed"`
}

// classify maps an error to an HTTP status and a stable code. Domain errors come first;
// Echo's own errors (no route, bad method, body too large) next; everything else is internal.
func classify(err error) (int, string) {
	var he *echo.HTTPError
	var pe *pageError
	var rc *model.RoleConflictError
	var te *model.TransitionError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.code
	case errors.As(err, &rc):
		return http.StatusConflict, model.CodeRoleConflict
	case errors.As(err, &te):
		return http.StatusConflict, model.CodeTransitionRefused
	case errors.Is(err, authn.ErrProviderUnavailable):
		// A bearer token whose provider cannot be reached now: it may be fine; try later.
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, model.ErrInvalid):
		return http.StatusBadRequest, "invalid"
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, model.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, model.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, context.Canceled):
		// The client went away; 499 is nginx's "client closed request", for logs and metrics only.
		return 499, "canceled"
	case service.Unavailable(err):
		// The database is down or restarting: a clean 503 that says "try again", never a 500
		// with the driver's text; /readyz fails meanwhile, and the pool reconnects by itself.
		return http.StatusServiceUnavailable, "unavailable"
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "not_found"
		case http.StatusMethodNotAllowed:
			return he.Code, "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			return he.Code, "too_large"
		case http.StatusUnsupportedMediaType:
			return he.Code, "unsupported_media_type"
		case http.StatusUnauthorized:
			return he.Code, "unauthenticated"
		case http.StatusForbidden:
			return he.Code, "forbidden"
		case http.StatusTooManyRequests:
			return he.Code, "too_many_requests"
		case http.StatusServiceUnavailable:
			return he.Code, "unavailable"
		case http.StatusConflict:
			return he.Code, "conflict"
		}
		if he.Code >= 400 && he.Code < 500 {
			return http.StatusBadRequest, "bad_request"
		}
	}
	return http.StatusInternalServerError, "internal"
}

// handleError is the one place where errors become responses. The wrapped cause is logged
// with the request id; the user sees only a localised message for the category.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code := classify(err)
	rid := requestID(c)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", slog.String("request_id", rid), slog.String("route", c.Path()), slog.Any("error", err))
	} else {
		s.log.Debug("request rejected", slog.String("request_id", rid), slog.String("code", code), slog.Any("error", err))
	}
	if status == 499 {
		c.Response().WriteHeader(status)
		return
	}
	// A browser asking for a page without a session goes to the login, and comes back after.
	if code == "unauthenticated" && !isAPI(c) && c.Request().Method == http.MethodGet {
		ret := c.Request().URL.Path
		if q := c.Request().URL.RawQuery; q != "" {
			ret += "?" + q
		}
		if err := c.Redirect(http.StatusSeeOther, "/login?return="+url.QueryEscape(authn.SafeReturn(ret))); err != nil {
			s.log.Warn("redirect to login failed", slog.Any("error", err))
		}
		return
	}
	loc := s.localizer(c)
	var ve *model.ValidationError
	errors.As(err, &ve)
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case isAPI(c):
		body := apiError{Error: apiErrorBody{Code: code, Message: loc.T("error." + code + ".title"), Fields: apiFieldErrors(loc, ve), RequestID: rid}}
		var rc *model.RoleConflictError
		if errors.As(err, &rc) {
			body.Error.Message, body.Error.Params = roleConflictText(loc, rc), roleConflictParams(rc)
		}
		var te *model.TransitionError
		if errors.As(err, &te) {
			body.Error.Message = transitionText(loc, te)
			body.Error.Transition = &apiTransition{Object: te.Object, From: te.From, To: te.To, Allowed: append([]string{}, te.Allowed...)}
		}
		werr = c.JSON(status, body)
	default:
		detail := ""
		var te *model.TransitionError
		if errors.As(err, &te) {
			detail = transitionText(loc, te)
		}
		werr = s.renderError(c, status, code, detail, rid)
	}
	if werr != nil {
		s.log.Warn("writing error response failed", slog.String("request_id", rid), slog.Any("error", werr))
	}
}

// isAPI tells machine clients (JSON) from browsers (HTML) by path: /api/ and the probes.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/api" || p == "/readyz" || p == "/healthz"
}

// renderError writes the error page: status, title and text of the category, the request id
// for the IT service desk, the way home. Should the page itself fail, a line of plain text.
func (s *Server) renderError(c echo.Context, status int, code, detail, rid string) error {
	body, err := s.renderBytes(c, components.ErrorPage(components.ErrorView{Status: status, Code: code, Detail: detail, RequestID: rid}))
	if err != nil {
		s.log.Error("rendering the error page failed", slog.String("request_id", rid), slog.Any("error", err))
		return c.String(status, http.StatusText(status)+" ("+rid+")")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, body)
}

// roleConflictText names every conflict of a refused grant in the user's language: which
// role, where, cannot be combined with which other role, where.
func roleConflictText(l *locale.Localizer, rc *model.RoleConflictError) string {
	parts := make([]string, 0, len(rc.Conflicts))
	for _, c := range rc.Conflicts {
		parts = append(parts, l.T("error.role_conflict.detail", map[string]any{
			"Role": l.T("role." + string(c.Role)), "Org": c.OrgName,
			"With": l.T("role." + string(c.With)), "WithOrg": c.WithOrgName,
		}))
	}
	return l.T("error.role_conflict.title") + ": " + strings.Join(parts, " ") + " " + l.T("error.role_conflict.text")
}

// roleConflictParams are the roles of a refused grant for programs: the role asked for and
// the roles it may not be combined with.
func roleConflictParams(rc *model.RoleConflictError) map[string]string {
	if len(rc.Conflicts) == 0 {
		return nil
	}
	var with []string
	for _, c := range rc.Conflicts {
		if !slices.Contains(with, string(c.With)) {
			with = append(with, string(c.With))
		}
	}
	return map[string]string{"role": string(rc.Conflicts[0].Role), "conflicts_with": strings.Join(with, ",")}
}
