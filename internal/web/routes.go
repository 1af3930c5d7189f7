package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/api"
)

// routes is the whole HTTP surface of Lotse in one place, each route with its permission.
// A test (routes_test.go) fails on any route without one, on a permission that no policy
// line grants, and on an operation of openapi.yaml without its route here.
func (s *Server) routes(metrics bool) error {
	e := s.e
	s.handle(e, http.MethodGet, "/healthz", s.healthz, public)
	s.handle(e, http.MethodGet, "/readyz", s.readyz, public)
	if metrics {
		s.handle(e, http.MethodGet, "/metrics", s.metrics(), public)
	}

	// Sign-in: public by nature, rate-limited per client address.
	limit := s.loginLimiter()
	s.handle(e, http.MethodGet, "/login", s.loginPage, public, limit)
	s.handle(e, http.MethodGet, "/auth/login/:provider", s.beginLogin, public, limit)
	s.handle(e, http.MethodGet, "/auth/callback", s.callback, public, limit)
	s.handle(e, http.MethodPost, "/auth/logout", s.logout, public) // ends whatever session there is; CSRF-checked
	s.handle(e, http.MethodGet, "/logged-out", s.loggedOut, public)

	s.handle(e, http.MethodGet, "/", s.home, signedIn)
	return s.apiRoutes(e.Group(api.BasePath))
}

// apiRoutes is the JSON API under /api/v1. The handlers are the generated wrappers of
// openapi.yaml's operations (renaming an operation breaks the build here); every one runs,
// in this order: sign-in, the permission beside it, validation against the spec, handler.
// Record routes (with :id) answer 404 when the permission is missing, like a hidden record.
func (s *Server) apiRoutes(g *echo.Group) error {
	v, err := api.NewValidator()
	if err != nil {
		return err
	}
	op := api.NewServer(s.svc)
	route := func(method, path string, h echo.HandlerFunc, p perm) {
		s.handle(g, method, path, h, p, v.Middleware)
	}

	s.handle(g, http.MethodGet, "/openapi.yaml", s.openAPISpec, public)

	route(http.MethodGet, "/me", op.GetMe, signedIn)

	route(http.MethodGet, "/organisations", op.ListOrganisations, can("organisation", "read"))
	route(http.MethodPost, "/organisations", op.CreateOrganisation, can("organisation", "create"))
	route(http.MethodGet, "/organisations/:id", op.GetOrganisation, can("organisation", "read"))
	route(http.MethodPatch, "/organisations/:id", op.UpdateOrganisation, can("organisation", "update"))

	route(http.MethodGet, "/members", op.ListMembers, can("member", "read"))
	route(http.MethodPost, "/members", op.CreateMember, can("member", "create")) // the service also checks grant:<role>.manage
	route(http.MethodGet, "/members/:id", op.GetMember, can("member", "read"))
	route(http.MethodPatch, "/members/:id", op.UpdateMember, can("member", "update"))

	// Which permission a grant needs depends on the role in the body: the service checks it.
	route(http.MethodPost, "/grants", op.CreateGrant, checkedByService("grant:<role>", "manage"))
	route(http.MethodDelete, "/grants/:id", op.DeleteGrant, checkedByService("grant:<role>", "manage"))
	return nil
}
