package app

import (
	"log/slog"
	"runtime/debug"

	"github.com/lotse-project/lotse/internal/config"
)

// ApplyMemoryLimit sets the Go runtime's soft memory limit of a serving process to
// LOTSE_MEMORY_LIMIT, unless GOMEMLIMIT (getenv) already set one or the setting is off.
// Without a limit the collector lets the heap grow to twice what is live, and a burst of
// requests left the server above its 150 MB goal long after the burst (docs/performance.md,
// "Memory under a burst"). It is soft: the runtime collects more often near it, and past it
// the server runs on. Only the serving commands call it, never the tests' servers.
func ApplyMemoryLimit(cfg *config.Config, getenv func(string) string, log *slog.Logger) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		log.Info("memory limit from GOMEMLIMIT", slog.String("limit", v))
		return
	}
	if cfg.MemoryLimit == "off" {
		return
	}
	n, err := config.ParseSize(cfg.MemoryLimit)
	if err != nil { // validated with the configuration; a bad value here sets nothing
		return
	}
	debug.SetMemoryLimit(n)
}
