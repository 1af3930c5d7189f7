package web

import (
	"context"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// QueryCounter counts the SQL statements of the process (db.QueryCounter): in total, and per
// context that Track marks.
type QueryCounter interface {
	Total() uint64
	Track(ctx context.Context) (context.Context, func() uint64)
}

// countQueries exposes the process's statement count (lotse_db_queries_total) and, per route
// pattern and method, how many statements one request ran (lotse_db_queries_per_request): the
// figure the load harness reports as statements per request and the budget a regression
// guard can hold a route to. Statements of a request are those sent with its context.
func (s *Server) countQueries(q QueryCounter) echo.MiddlewareFunc {
	s.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: "lotse", Subsystem: "db", Name: "queries_total",
		Help: "SQL statements sent to the database by this process (BEGIN and COMMIT included).",
	}, func() float64 { return float64(q.Total()) }))
	perRequest := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "lotse", Subsystem: "db", Name: "queries_per_request",
		Help:    "SQL statements one HTTP request sent (BEGIN and COMMIT included), by route pattern and method.",
		Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100},
	}, []string{"method", "url"})
	s.registry.MustRegister(perRequest)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Path() == "/metrics" || c.Path() == "/static/*" {
				return next(c)
			}
			ctx, count := q.Track(c.Request().Context())
			c.SetRequest(c.Request().WithContext(ctx))
			err := next(c)
			perRequest.WithLabelValues(c.Request().Method, c.Path()).Observe(float64(count()))
			return err
		}
	}
}
