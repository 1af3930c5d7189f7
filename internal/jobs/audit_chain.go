package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/lotse-project/lotse/internal/service"
)

// AuditSealArgs is the periodic seal of the audit chain (service.AuditChain.Seal): append
// the committed audit events to the hash chain and sign a checkpoint when one is due.
type AuditSealArgs struct{}

// Kind names the job in River's table.
func (AuditSealArgs) Kind() string { return "audit_seal" }

// RegisterAuditSeal adds the sealer as a periodic job of the elected leader, every every
// (default a minute). Requests never wait for it; a late or failed round only leaves events
// unsealed a little longer (Seal's advisory lock keeps a round of another instance, say
// after a change of leader, from interleaving).
func RegisterAuditSeal(chain *service.AuditChain, every time.Duration, log *slog.Logger) func(*river.Workers, *[]*river.PeriodicJob) error {
	if every <= 0 {
		every = time.Minute
	}
	return func(w *river.Workers, periodic *[]*river.PeriodicJob) error {
		if err := river.AddWorkerSafely(w, &auditSealWorker{chain: chain, log: log}); err != nil {
			return err
		}
		*periodic = append(*periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return AuditSealArgs{}, nil },
			&river.PeriodicJobOpts{ID: "audit_seal", RunOnStart: true}))
		return nil
	}
}

type auditSealWorker struct {
	river.WorkerDefaults[AuditSealArgs]
	chain *service.AuditChain
	log   *slog.Logger
}

func (w *auditSealWorker) Work(ctx context.Context, _ *river.Job[AuditSealArgs]) error {
	res, err := w.chain.Seal(ctx, false)
	if err == nil && res.Sealed > 0 {
		w.log.Debug("sealed audit events", slog.Int("count", res.Sealed))
	}
	return err
}
