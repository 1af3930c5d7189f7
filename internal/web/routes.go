package web

import "net/http"

// routes is the whole HTTP surface of Lotse in one place, each route with its permission.
func (s *Server) routes(metrics bool) {
	e := s.e
	s.handle(e, http.MethodGet, "/healthz", s.healthz, public)
	s.handle(e, http.MethodGet, "/readyz", s.readyz, public)
	if metrics {
		s.handle(e, http.MethodGet, "/metrics", s.metrics(), public)
	}
}
