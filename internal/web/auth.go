package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// Identifier tells who signed the request: the user's account id, or an error wrapping
// model.ErrUnauthenticated. The login work (sessions, bearer tokens) provides it; tests may
// provide their own.
type Identifier func(r *http.Request) (uuid.UUID, error)

// OrgHeader chooses the organisation an API client acts in (users may hold roles in several).
const OrgHeader = "X-Lotse-Org"

// PurposeHeader says why a request reads or changes case content; the audit trail records it.
const PurposeHeader = "X-Lotse-Purpose"

// maxPurpose is the length of a purpose, in characters.
const maxPurpose = 100

const (
	ctxActor       = "lotse.actor"
	ctxMemberships = "lotse.memberships"
)

// sessionOrgKey keeps, in a browser's session, the organisation chosen with the switch in the
// frame (POST /organisation); requests without the X-Lotse-Org header act in it.
const sessionOrgKey = "org"

// authenticate resolves the caller into an Actor for the rest of the request. Nothing behind
// it runs for an anonymous or deactivated caller.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.identify == nil {
			return fmt.Errorf("web: no sign-in configured: %w", model.ErrUnauthenticated)
		}
		id, err := s.identify(c.Request())
		if err != nil {
			return err
		}
		req := service.ActorRequest{UserID: id, RequestID: requestID(c), RemoteAddr: c.RealIP()}
		// The account as the sign-in read it (with the session, or for the bearer token).
		if acc, ok := authn.AccountOf(c.Request().Context()); ok && acc.ID == id {
			req.Known = &model.User{ID: acc.ID, DisplayName: acc.Name, Active: acc.Active}
		}
		if h := strings.TrimSpace(c.Request().Header.Get(OrgHeader)); h != "" {
			org, err := uuid.Parse(h)
			if err != nil {
				return model.Invalid(OrgHeader, model.CodeFormat)
			}
			req.OrgID = &org
		}
		purpose, err := purposeOf(c.Request().Header.Get(PurposeHeader))
		if err != nil {
			return err
		}
		// A browser keeps the organisation chosen with the switch in the frame in its session.
		fromSession := false
		if req.OrgID == nil && !hasBearer(c.Request()) && s.auth.Sessions != nil {
			if org, err := uuid.Parse(s.auth.Sessions.GetString(c.Request().Context(), sessionOrgKey)); err == nil {
				req.OrgID, fromSession = &org, true
			}
		}
		a, ms, err := s.svc.Access.Actor(c.Request().Context(), req)
		if fromSession && errors.Is(err, model.ErrForbidden) {
			// The role in the chosen organisation was taken away meanwhile: back to the first.
			s.auth.Sessions.Remove(c.Request().Context(), sessionOrgKey)
			req.OrgID = nil
			a, ms, err = s.svc.Access.Actor(c.Request().Context(), req)
		}
		if err != nil {
			return err
		}
		a.Purpose = purpose
		c.Set(ctxActor, a)
		c.Set(ctxMemberships, ms)
		// The API's generated handlers see only the request's context.Context.
		c.SetRequest(c.Request().WithContext(model.ContextWithActor(c.Request().Context(), a)))
		return next(c)
	}
}

// purposeOf checks the purpose a client gave: at most maxPurpose printable characters.
func purposeOf(h string) (string, error) {
	p := strings.TrimSpace(h)
	if !utf8.ValidString(p) || strings.IndexFunc(p, unicode.IsControl) >= 0 {
		return "", model.Invalid(PurposeHeader, model.CodeBadCharacters)
	}
	if utf8.RuneCountInString(p) > maxPurpose {
		return "", model.Invalid(PurposeHeader, model.CodeTooLong, model.Params{"max": maxPurpose})
	}
	return p, nil
}

// actor returns the Actor set by authenticate.
func actor(c echo.Context) model.Actor {
	a, _ := c.Get(ctxActor).(model.Actor)
	return a
}

// memberships returns the organisations the caller may act in.
func memberships(c echo.Context) []authz.Membership {
	ms, _ := c.Get(ctxMemberships).([]authz.Membership)
	return ms
}

// perm is the permission a route requires. Every route states one in routes.go; a test fails
// on any route without.
type perm struct {
	obj, act string
	public   bool // reachable without sign-in (probes, metrics, login)
	signedIn bool // any signed-in user (their own profile)
	// byService: any signed-in user reaches the handler, and its one service method checks
	// obj/act before it changes anything, because the object depends on the request body.
	byService bool
}

// public marks routes that need no sign-in.
var public = perm{public: true}

// signedIn marks routes that any signed-in user may call; they show only the caller's own data.
var signedIn = perm{signedIn: true}

// can requires the policy to grant act on obj (with any scope) in the acting organisation.
// Which records are reached is decided by the service through the same scope.
func can(obj, act string) perm { return perm{obj: obj, act: act} }

// checkedByService marks a route whose permission names an object that depends on the
// request: granting role r needs "grant:<r>"/"manage" with a scope reaching the organisation
// of the grant. The route requires a sign-in; the service method checks the permission (403
// for a role the caller may not grant, 404 for an organisation or account out of reach)
// before it changes anything. obj may hold the placeholder <role>.
func checkedByService(obj, act string) perm { return perm{obj: obj, act: act, byService: true} }

func (p perm) String() string {
	switch {
	case p.public:
		return "public"
	case p.signedIn:
		return "signed-in"
	case p.byService:
		return "signed-in, service checks " + p.obj + "." + p.act
	}
	return p.obj + "." + p.act
}

// router is what *echo.Echo and *echo.Group have in common.
type router interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// handle registers a route with its permission, checked before the handler runs and before
// any further middleware (extra), such as the API's request validation.
func (s *Server) handle(g router, method, path string, h echo.HandlerFunc, p perm, extra ...echo.MiddlewareFunc) {
	var mw []echo.MiddlewareFunc
	if !p.public {
		mw = append(mw, s.authenticate)
	}
	if !p.public && !p.signedIn && !p.byService {
		mw = append(mw, s.require(p))
	}
	mw = append(mw, extra...)
	r := g.Add(method, path, h, mw...)
	s.perms[r.Method+" "+r.Path] = p
}

// require denies a request whose actor lacks the permission. For a record route (one with a
// path parameter) the denial is a 404, indistinguishable from a missing record.
func (s *Server) require(p perm) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, err := s.svc.Access.Allowed(actor(c), p.obj, p.act)
			if err != nil {
				return err
			}
			if !ok {
				if strings.Contains(c.Path(), ":") {
					return fmt.Errorf("web: %s: %w", p, model.ErrNotFound)
				}
				return fmt.Errorf("web: %s: %w", p, model.ErrForbidden)
			}
			return next(c)
		}
	}
}

// Permissions maps every registered route ("GET /api/v1/organisations") to its permission, for
// the route table test and the documentation.
func (s *Server) Permissions() map[string]string {
	out := make(map[string]string, len(s.perms))
	for k, p := range s.perms {
		out[k] = p.String()
	}
	return out
}
