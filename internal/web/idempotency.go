package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/service"
)

// IdempotencyHeader lets a client retry a creating POST safely.
const IdempotencyHeader = "Idempotency-Key"

// replayedHeaders are the response headers kept with a remembered answer.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag"}

// idempotent makes a creating POST idempotent per user and Idempotency-Key: the first
// answer (success or client error) is stored and replayed for a retry with the same key and
// request; the same key with another request is a 409. Without the header nothing changes.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(IdempotencyHeader)
		if key == "" {
			return next(c)
		}
		user := actor(c).UserID
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		fmt.Fprintf(h, "%s\n%s\n%s\n", c.Request().Method, c.Request().URL.Path, c.Request().Header.Get(OrgHeader))
		h.Write(body)
		hash := hex.EncodeToString(h.Sum(nil))

		ctx := c.Request().Context()
		prev, err := s.svc.Idempotency.Begin(ctx, user, key, hash)
		if err != nil {
			return err
		}
		if prev != nil {
			for k, v := range prev.Headers {
				c.Response().Header().Set(k, v)
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, prev.Headers[echo.HeaderContentType], prev.Body)
		}
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		if err != nil {
			// Let the error handler write the answer into the recorder, so that it is stored too.
			c.Error(err)
		}
		resp := service.StoredResponse{Status: c.Response().Status, Body: rec.body.Bytes(), Headers: map[string]string{}}
		for _, k := range replayedHeaders {
			if v := c.Response().Header().Get(k); v != "" {
				resp.Headers[k] = v
			}
		}
		if ferr := s.svc.Idempotency.Finish(ctx, user, key, resp); ferr != nil {
			s.log.Error("storing the idempotent response failed", slog.String("request_id", requestID(c)), slog.Any("error", ferr))
		}
		return nil
	}
}

// recorder copies what is written to the client.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
