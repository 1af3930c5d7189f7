package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// admit serves at most n requests at once; the others wait for a place, in the order the
// runtime wakes them, as long as their client waits. Every request but the probes and the
// static files needs the database pool, which serves LOTSE_DB_MAX_CONNS at once: past twice
// that, a request admitted only waits deeper inside, for a connection, holding what it has
// read and the stack it has grown. Waiting here holds almost nothing, so a burst of
// requests (a cold start under load, a crowd at nine o'clock) no longer grows the server's
// memory with the queue (docs/performance.md, "Memory under a burst"). The probes,
// /metrics and the static files (plumbing) are never held back: they must answer while the
// server is busy, and read no database. n <= 0 admits everything.
func admit(n int) echo.MiddlewareFunc {
	if n <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	places := make(chan struct{}, n)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if plumbing[c.Path()] {
				return next(c)
			}
			select {
			case places <- struct{}{}:
			case <-c.Request().Context().Done():
				// The client gave up while waiting: nothing was done, nothing is answered.
				return c.NoContent(http.StatusServiceUnavailable)
			}
			defer func() { <-places }()
			if c.Request().Context().Err() != nil { // gave up just as a place came free
				return c.NoContent(http.StatusServiceUnavailable)
			}
			return next(c)
		}
	}
}
