package devapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

// SeedDemo loads the demo data into the database of a: the demo directory (organisations, an
// account for every role and their grants), applied exactly as `lotse directory apply` would,
// and then the demo cases (about 60 households with consents, referrals in every state, tasks and notes),
// created through the services as the demo accounts. It is idempotent: running it again
// creates nothing (see demo.SeedCases for how the cases are recognised). It sets the
// services' clock while it runs, so it runs before the server starts serving.
func SeedDemo(ctx context.Context, a *app.App) error {
	f, err := directory.Parse(demo.DirectoryName, demo.Directory)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	changes, err := a.Services().Directory.Apply(ctx, model.Actor{System: true, Name: "seed demo"}, f, false)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	a.Log().Info("demo directory applied", slog.Int("changes", len(changes)))
	sum, err := demo.SeedCases(ctx, a.Services())
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	referrals := 0
	for _, n := range sum.Referrals {
		referrals += n
	}
	a.Log().Info("demo cases in place", slog.Int("created", sum.Created), slog.Int("present", sum.Present),
		slog.Int("consents", sum.Consents), slog.Int("referrals", referrals), slog.Int("tasks", sum.Tasks), slog.Int("notes", sum.Notes), slog.Int("follow-ups", sum.FollowUps))
	return nil
}
