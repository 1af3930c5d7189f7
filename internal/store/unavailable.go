package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means that the database cannot be reached or cannot take
// work right now (down, restarting, failing over, out of connections), as opposed to a bug or
// a refused operation: the request may succeed later, unchanged, so it is answered 503. It
// looks through the whole chain of wrapped errors, whichever layer (store, sessions, jobs)
// wrapped them.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // admin or crash shutdown, cannot connect now (starting up, shutting down)
			return true
		case pgErr.Code == "53300": // too many connections
			return true
		case pgErr.Code == "25006": // read-only transaction: a primary that became a standby in a failover
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr):
		return true
	case pgconn.SafeToRetry(err): // failed before anything reached the server, e.g. "conn closed"
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &netErr):
		return true
	}
	return false
}
