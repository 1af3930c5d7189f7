package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// Config tunes the job runner.
type Config struct {
	// SweepEvery is the interval of the periodic sweep (default 10 minutes).
	SweepEvery time.Duration
	// Workers is how many jobs one instance works at once (default 4).
	Workers int
	// MaxAttempts is how often a failing job runs before it is discarded (default 10, with
	// River's exponential backoff: the last attempt is about a day after the first).
	MaxAttempts int
	// Register adds further workers and periodic jobs (the e-mails).
	Register []func(*river.Workers, *[]*river.PeriodicJob) error
	// FetchPollInterval is how often an instance looks for new jobs (default River's, 1 s;
	// tests that move a clock day by day: shorter).
	FetchPollInterval time.Duration
	// Tracing, when set, makes each run of a job a span (tracing.go); nil: no spans.
	Tracing trace.TracerProvider
}

// Runner is this instance's River client.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// New builds the runner on the process's database handle and services.
func New(sqlDB *sql.DB, svc *service.Services, cfg Config, log *slog.Logger) (*Runner, error) {
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 10 * time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &sweepWorker{svc: svc, log: log}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(cfg.SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return model.SweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sweep", RunOnStart: true}),
	}
	for _, reg := range cfg.Register {
		if err := reg(workers, &periodic); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
	}
	client, err := river.NewClient(riverdatabasesql.New(sqlDB), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		PeriodicJobs:      periodic,
		MaxAttempts:       cfg.MaxAttempts,
		FetchPollInterval: cfg.FetchPollInterval,
		Middleware:        middleware(cfg.Tracing),
		Logger:            slog.New(warnings{log.With(slog.String("component", "jobs")).Handler()}),
		// Jobs and their errors carry no personal data, but keep the finished ones short.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return &Runner{client: client}, nil
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (within ctx) and stops the client.
func (r *Runner) Stop(ctx context.Context) error {
	if err := r.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// sweepWorker works the periodic sweep.
type sweepWorker struct {
	river.WorkerDefaults[model.SweepArgs]
	svc *service.Services
	log *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[model.SweepArgs]) error {
	return Sweep(ctx, w.svc, w.log)
}

// Sweep is one round: expire the referrals whose reply deadline passed, write the reminders
// due today (after the expiry, so that the senders hear of today's expired ones), delete what
// the retention rules make due (docs/retention.md), purge the Idempotency-Keys older than
// their retention. Each step is its own transaction and safe to
// repeat; the first error fails the round, which River retries.
func Sweep(ctx context.Context, svc *service.Services, log *slog.Logger) error {
	var errs []error
	if n, err := svc.Referrals.ExpireOverdue(ctx); err != nil {
		errs = append(errs, fmt.Errorf("expire overdue referrals: %w", err))
	} else if n > 0 {
		log.Info("expired overdue referrals", slog.Int("count", n))
	}
	if n, err := svc.Reminders.Run(ctx); err != nil {
		errs = append(errs, fmt.Errorf("reminders: %w", err))
	} else if n > 0 {
		log.Info("wrote reminders", slog.Int("count", n))
	}
	if n, err := svc.Retention.Run(ctx); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	} else if n != (model.RetentionCounts{}) {
		log.Info("deleted on schedule", slog.Int("cases", n.Cases), slog.Int("referrals", n.Referrals),
			slog.Int("consent_evidence", n.ConsentEvidence), slog.Int("notifications", n.Notifications))
	}
	if n, err := svc.Idempotency.Purge(ctx); err != nil {
		errs = append(errs, fmt.Errorf("purge idempotency keys: %w", err))
	} else if n > 0 {
		log.Info("purged expired idempotency keys", slog.Int64("count", n))
	}
	return errors.Join(errs...)
}

// warnings passes on River's warnings and errors only: its informational lines (e.g. that
// the database/sql driver polls instead of listening) would only clutter every command's
// output.
type warnings struct{ slog.Handler }

func (h warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{h.Handler.WithAttrs(as)} }

func (h warnings) WithGroup(name string) slog.Handler { return warnings{h.Handler.WithGroup(name)} }
