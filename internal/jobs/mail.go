package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// MailConfig is what the e-mail jobs need: the e-mail service (its sender nil when no SMTP
// server is configured: the jobs then complete without sending) and the time of day of the
// daily digest in Berlin (LOTSE_DIGEST_TIME).
type MailConfig struct {
	Mail         *service.Mail
	DigestHour   int
	DigestMinute int
	// Today is the calendar day the digest is for (default: the services' clock).
	Today func() time.Time
}

// RegisterMail returns the Config.Register hook that adds the e-mail workers: the immediate
// mails of new notifications (model.DeliverArgs, enqueued with them) and the daily digest
// (model.DigestArgs), a periodic job at the digest time on working days only. Only the
// leader inserts periodic jobs, and the digest of a day is unique by its arguments (the day),
// so two instances, or a leader elected anew, never send two digests of one day. A failed
// send fails the job, which River retries with backoff.
func RegisterMail(cfg MailConfig, log *slog.Logger) func(*river.Workers, *[]*river.PeriodicJob) error {
	return func(w *river.Workers, periodic *[]*river.PeriodicJob) error {
		if err := river.AddWorkerSafely(w, &deliverWorker{mail: cfg.Mail, log: log}); err != nil {
			return err
		}
		if err := river.AddWorkerSafely(w, &digestWorker{mail: cfg.Mail, log: log}); err != nil {
			return err
		}
		today := cfg.Today
		if today == nil {
			today = func() time.Time { return model.CalendarDay(time.Now()) }
		}
		*periodic = append(*periodic, river.NewPeriodicJob(
			DigestSchedule{Hour: cfg.DigestHour, Minute: cfg.DigestMinute},
			func() (river.JobArgs, *river.InsertOpts) { return DigestJob(today()) },
			&river.PeriodicJobOpts{ID: "digest"}))
		return nil
	}
}

// DigestJob is the digest job of day with its uniqueness: one per day, in whatever state,
// while River keeps the row.
func DigestJob(day time.Time) (river.JobArgs, *river.InsertOpts) {
	return model.DigestArgs{Day: day.Format(time.DateOnly)}, &river.InsertOpts{
		UniqueOpts: river.UniqueOpts{ByArgs: true},
	}
}

// DigestSchedule fires at Hour:Minute Berlin time on working days (service.IsWorkingDay:
// Monday to Friday without the Lower Saxony holidays).
type DigestSchedule struct{ Hour, Minute int }

// Next is the first digest time after current.
func (s DigestSchedule) Next(current time.Time) time.Time {
	local := current.In(model.Berlin)
	for i := 0; i < 30; i++ {
		d := local.AddDate(0, 0, i)
		at := time.Date(d.Year(), d.Month(), d.Day(), s.Hour, s.Minute, 0, 0, model.Berlin)
		if at.After(current) && service.IsWorkingDay(at) {
			return at
		}
	}
	return current.Add(24 * time.Hour) // not reached: no 30 days without a working day
}

// deliverWorker sends the immediate mails of new notifications.
type deliverWorker struct {
	river.WorkerDefaults[model.DeliverArgs]
	mail *service.Mail
	log  *slog.Logger
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[model.DeliverArgs]) error {
	n, err := w.mail.Immediate(ctx, job.Args.IDs)
	if n > 0 {
		w.log.Info("sent notification e-mails", slog.Int("count", n))
	}
	return err
}

// digestWorker sends the daily digest of its day.
type digestWorker struct {
	river.WorkerDefaults[model.DigestArgs]
	mail *service.Mail
	log  *slog.Logger
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[model.DigestArgs]) error {
	day, err := time.Parse(time.DateOnly, job.Args.Day)
	if err != nil {
		return river.JobCancel(fmt.Errorf("digest: bad day %q", job.Args.Day))
	}
	if !service.IsWorkingDay(day) {
		return nil
	}
	n, err := w.mail.Digest(ctx, day)
	if n > 0 {
		w.log.Info("sent digest e-mails", slog.Int("count", n), slog.String("day", job.Args.Day))
	}
	return err
}
