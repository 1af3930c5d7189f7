package devapp

import (
	"context"
	"net"
	"net/http"
	"testing"
)

// TestPprofOnLoopbackOnly: the profiler shows the server's memory and stacks, so lotse-dev
// serves it on a loopback address only, and it answers there.
func TestPprofOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.1:6060", "example.org:6060", "6060"} {
		if err := servePprof(ctx, addr); err == nil {
			t.Errorf("--pprof-addr %q was accepted", addr)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	if err := servePprof(ctx, addr); err != nil {
		t.Fatalf("servePprof(%s): %v", addr, err)
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/debug/pprof/: %d", res.StatusCode)
	}
}
