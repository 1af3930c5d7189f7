package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
)

// The request helpers every page uses: path ids, form versions, dates as people type them,
// htmx, and what the policy allows.

// pathID reads a record id from the path parameter name; one that is no id is a missing
// record (404), like a record the user may not see.
func pathID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, model.ErrNotFound
	}
	return id, nil
}

// formVersion reads the version a form was rendered with; a missing or broken one never
// matches, so the service answers with a conflict ("reload the page").
func formVersion(c echo.Context) int {
	v, err := strconv.Atoi(strings.TrimSpace(c.FormValue("version")))
	if err != nil {
		return -1
	}
	return v
}

// parseDate reads a date as a date input sends it (2026-03-14) or as people type it
// (14.03.2026); empty is no date. ok is false for anything else.
func parseDate(s string) (d *time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t, true
		}
	}
	return nil, false
}

// isHTMX reports a request made by htmx, which gets a fragment instead of a page.
func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") != "" }

// allowed asks the policy whether the actor may do act on obj at all (any scope); the
// services decide which records.
func (s *Server) allowed(c echo.Context, obj, act string) bool {
	ok, err := s.svc.Access.Allowed(actor(c), obj, act)
	return err == nil && ok
}

// hidden reports errors that mean "not for this user": that part of a page is left out.
func hidden(err error) bool {
	return errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrForbidden)
}
