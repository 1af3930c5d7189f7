package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
)

// IdempotencyHeader lets a client retry a creating or changing POST safely.
const IdempotencyHeader = "Idempotency-Key"

// replayedHeader marks an answer given again for a retried request.
const replayedHeader = "Idempotent-Replayed"

// idempotent makes a POST idempotent per user and Idempotency-Key. The service operation
// writes the key with a reference to its result (status and resource) in its own
// transaction; a retry with the same key and request runs the handler again, and the
// operation then returns the same resource through its normal read (so the retry shows only
// what the caller may still see), marked Idempotent-Replayed. A refused request (a client
// error) is remembered with its status and code and refused alike on a retry. The same key
// with another request is a 409. Without the header nothing changes.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(IdempotencyHeader)
		if key == "" {
			return next(c)
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		fmt.Fprintf(h, "%s\n%s\n%s\n", c.Request().Method, c.Request().URL.Path, c.Request().Header.Get(OrgHeader))
		h.Write(body)
		rk := &model.RequestKey{Key: key, Hash: hex.EncodeToString(h.Sum(nil))}

		ctx, a := c.Request().Context(), actor(c)
		prev, err := s.svc.Idempotency.Check(ctx, a, rk)
		if err != nil {
			return err
		}
		if prev != nil && prev.Refused() {
			c.Response().Header().Set(replayedHeader, "true")
			return &pageError{status: prev.Status, code: prev.Code, cause: fmt.Errorf("web: replay of a refused request")}
		}
		c.SetRequest(c.Request().WithContext(model.ContextWithRequestKey(ctx, rk)))
		c.Response().Before(func() {
			if rk.Replayed() {
				c.Response().Header().Set(replayedHeader, "true")
			}
		})
		err = next(c)
		if err != nil {
			if status, code := classify(err); status >= 400 && status < 500 && status != 499 {
				if rerr := s.svc.Idempotency.Refused(ctx, a, rk, status, code); rerr != nil {
					s.log.Error("remembering a refused request failed", slog.String("request_id", requestID(c)), slog.Any("error", rerr))
				}
			}
			return err
		}
		if st := c.Response().Status; st < 300 && !rk.Recorded() && !rk.Replayed() {
			// A POST whose service operation does not take the key (base.keyed): a retry
			// would run it again. TestIdempotencyOfEveryPost keeps this from happening.
			s.log.Error("a POST succeeded without recording its idempotency key", slog.String("route", c.Path()), slog.String("request_id", requestID(c)))
		}
		return nil
	}
}
