package app

import (
	"log/slog"
	"math"
	"runtime/debug"
	"testing"

	"github.com/lotse-project/lotse/internal/config"
)

// TestApplyMemoryLimit: the serving commands set Go's soft memory limit to
// LOTSE_MEMORY_LIMIT (120M by default), leave the runtime's own when GOMEMLIMIT is set, and
// set none when it is off (the default of 120M is held by TestReadmeTableMatchesConfig).
// The limit is the process's, so the test restores it.
func TestApplyMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	noEnv := func(string) string { return "" }
	for _, tc := range []struct {
		name, limit, gomemlimit string
		want                    int64
	}{
		{"the default", "120M", "", 120 << 20},
		{"set", "1G", "", 1 << 30},
		{"GOMEMLIMIT wins", "120M", "200MiB", math.MaxInt64},
		{"off", "off", "", math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			getenv := noEnv
			if tc.gomemlimit != "" {
				getenv = func(k string) string {
					if k == "GOMEMLIMIT" {
						return tc.gomemlimit
					}
					return ""
				}
			}
			ApplyMemoryLimit(&config.Config{MemoryLimit: tc.limit}, getenv, log)
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Errorf("limit %d, want %d", got, tc.want)
			}
		})
	}
}
