package jobs_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestAuditSealRunsOnTwoInstances: with the sealer registered on two serve instances, audit
// events written meanwhile are sealed exactly once by the periodic job, a checkpoint is
// signed, and the chain verifies.
func TestAuditSealRunsOnTwoInstances(t *testing.T) {
	t.Parallel()
	d := testutil.NewDB(t)
	st := store.New(d.Gorm, nil)
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var runners []*jobs.Runner
	for range 2 {
		chain := service.NewAuditChain(st, key, time.Hour, log)
		r, err := jobs.New(d.SQL, service.New(st, nil, log), jobs.Config{
			Register:          []func(*river.Workers, *[]*river.PeriodicJob) error{jobs.RegisterAuditSeal(chain, 50*time.Millisecond, log)},
			FetchPollInterval: 100 * time.Millisecond,
		}, log)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	const events = 30
	for i := range events {
		ev := &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: string(rune('a' + i))}
		if err := st.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error { return tx.Audit().Record(ctx, ev) }); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		var n int
		if err := d.Pool.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for count(`SELECT count(*) FROM audit_chain`) < events {
		if ctx.Err() != nil {
			t.Fatal("the events were not sealed within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, r := range runners {
		if err := r.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(`SELECT count(*) FROM audit_checkpoints`); n < 1 {
		t.Error("no checkpoint was signed")
	}
	rep, err := service.NewAuditChain(st, nil, 0, log).Verify(ctx, []ed25519.PublicKey{pub}, time.Hour)
	if err != nil || rep.Problem != nil || rep.Entries != events {
		t.Fatalf("%+v %v", rep, err)
	}
}
