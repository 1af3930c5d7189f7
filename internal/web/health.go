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

// Drain tells the server that the process is about to stop: /readyz answers 503 "draining"
// from now on, so that the load balancer takes this instance out, while every request is
// still served, each with "Connection: close", so that no kept-alive connection outlives the
// drain and meets a closed listener. The server stops accepting only later (app.Serve, after
// LOTSE_SHUTDOWN_READINESS_DELAY).
func (s *Server) Drain() { s.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// closeWhenDraining asks the client to close its connection after this response once the
// server drains; net/http honours the header and closes the connection itself.
func (s *Server) closeWhenDraining(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.draining.Load() {
			c.Response().Header().Set(echo.HeaderConnection, "close")
		}
		return next(c)
	}
}

// readyz answers 200 only when the database is reachable and its schema is current, and 503
// with the reason per check otherwise, so that a load balancer sends no traffic to an
// instance that cannot serve it. A draining instance answers 503 "draining" without asking
// the database.
func (s *Server) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, healthResponse{Status: "draining"})
	}
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
	return c.JSON(status, res)
}

func (s *Server) metrics() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
}
