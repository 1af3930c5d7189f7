package e2e

import (
	"log/slog"
	"os"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) {
	// The identity provider's library logs every route it registers at info level.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testutil.Main(m)
}
