package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type healthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// healthz answers while the process runs: a liveness probe that never touches the database,
// so that a database outage does not get every instance restarted.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthResponse{Status: "ok"})
}

// readyz answers 200 only when the database is reachable and its schema is current, and 503
// with the reason per check otherwise, so that a load balancer sends no traffic to an
// instance that cannot serve it.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := withTimeout(c, 3*time.Second)
	defer cancel()
	res := healthResponse{Status: "ok", Checks: map[string]string{}}
	status := http.StatusOK
	for name, err := range s.ready.Ready(ctx) {
		if err != nil {
			res.Status, status = "unavailable", http.StatusServiceUnavailable
			res.Checks[name] = err.Error()
			continue
		}
		res.Checks[name] = "ok"
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, res)
}

func (s *Server) metrics() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
}
