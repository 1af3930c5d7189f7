package db

import (
	"context"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDescribeConnectionErrors: the operator reads why a connection failed from the error's
// kind, not from its text; a refused port and an unknown host are named as such.
func TestDescribeConnectionErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, c := range []struct{ url, want string }{
		{"postgres://u@" + addr + "/d?connect_timeout=5", "connection refused"},
		{"postgres://u@no-such-host.invalid:5432/d?connect_timeout=5", "unknown host"},
	} {
		_, err := pgconn.Connect(context.Background(), c.url)
		if err == nil {
			t.Fatalf("%s: connected", c.url)
		}
		if got := describe(err); got != c.want {
			t.Errorf("%s: describe = %q, want %q (error %v)", c.url, got, c.want, err)
		}
	}
}
