package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

// SeedDemo loads the demo data: for now the demo directory (organisations, an account for
// every role and their grants), applied exactly as `lotse directory apply` would. It is
// idempotent: running it twice changes nothing.
func (a *App) SeedDemo(ctx context.Context) error {
	f, err := directory.Parse(demo.DirectoryName, demo.Directory)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	changes, err := a.services.Directory.Apply(ctx, model.Actor{System: true, Name: "seed demo"}, f, false)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	a.log.Info("demo directory applied", slog.Int("changes", len(changes)))
	return nil
}
