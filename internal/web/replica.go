package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lotse-project/lotse/internal/service"
)

// wroteCookie marks a browser that changed something in the last service.SeeOwnWritesFor:
// its heavy reads (statistics, the team dashboard, the downloads) go to the primary instead
// of the read replica, so that a page after a change shows the change however far the
// replica trails (docs/read-replica.md). It carries no data: its presence is the mark.
const wroteCookie = "lotse_wrote"

// ownWrites routes the reads of a request that must see its user's own recent writes to the
// primary: every change (it may render a page after writing) and every request of a browser
// that made a change in the last service.SeeOwnWritesFor. A successful change of a browser
// sets the mark; API clients with a bearer token get no cookie (they hold no state here).
func (s *Server) ownWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isUnsafe(r.Method) {
			c.Response().Before(func() {
				if c.Response().Status < http.StatusBadRequest && !hasBearer(r) {
					http.SetCookie(c.Response(), &http.Cookie{
						Name: wroteCookie, Value: "1", Path: "/", MaxAge: int(service.SeeOwnWritesFor / time.Second),
						HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
					})
				}
			})
			c.SetRequest(r.WithContext(service.SeeOwnWrites(r.Context())))
		} else if _, err := r.Cookie(wroteCookie); err == nil {
			c.SetRequest(r.WithContext(service.SeeOwnWrites(r.Context())))
		}
		return next(c)
	}
}

// replicaGauge exposes lotse_db_replica_up: 1 while the heavy reads use the read replica, 0
// while they fall back to the primary. Without a replica configured there is no gauge.
func (s *Server) replicaGauge(up func() (configured, up bool)) {
	if configured, _ := up(); !configured {
		return
	}
	s.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "lotse", Subsystem: "db", Name: "replica_up",
		Help: "1 while statistics, dashboards and downloads read the read replica (LOTSE_DATABASE_REPLICA_URL), 0 while they fall back to the primary.",
	}, func() float64 {
		if _, ok := up(); ok {
			return 1
		}
		return 0
	}))
}
