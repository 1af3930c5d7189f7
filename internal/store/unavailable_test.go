package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lotse-project/lotse/internal/model"
)

func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A real connection error: nothing listens on port 1.
	_, connectErr := pgx.Connect(ctx, "postgres://x@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if connectErr == nil {
		t.Fatal("connecting to port 1 succeeded")
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connect refused", fmt.Errorf("store: load: %w", connectErr), true},
		{"admin shutdown", fmt.Errorf("web: load session: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unexpected EOF", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), true},
		{"bad conn", fmt.Errorf("x: %w", driver.ErrBadConn), true},
		{"reset", fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"not found", fmt.Errorf("store: %w", model.ErrNotFound), false},
		{"plain", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
