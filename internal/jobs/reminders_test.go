package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestSweepOnTwoInstancesRemindsOnce: two serve instances (two River clients, each with its
// own services, on one database) run the periodic sweep many times on the day a referral
// is to be reminded; its answerer is told exactly once, with one audit event.
func TestSweepOnTwoInstancesRemindsOnce(t *testing.T) {
	t.Parallel()
	c := world.NewCity(t)
	cw := c.CaseWorkFor(t, world.CaseSetup{Lead: c.HousingWorker, Partner: c.JobcenterWorker, Status: model.ReferralSent})
	// The working day 2 working days before the reply deadline, 9 o'clock in Berlin.
	day := cw.Referral.ReplyDue
	for service.AddWorkingDays(day, 2).After(cw.Referral.ReplyDue) || !service.IsWorkingDay(day) {
		day = day.AddDate(0, 0, -1)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := day.Date()
	now := time.Date(y, m, d, 9, 0, 0, 0, berlin)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var runners []*jobs.Runner
	for range 2 {
		svc := service.New(c.Store, c.Enforcer(t), slog.New(slog.DiscardHandler))
		svc.SetClock(func() time.Time { return now })
		r, err := jobs.New(c.DB.SQL, svc, jobs.Config{SweepEvery: 50 * time.Millisecond, Workers: 2}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := c.DB.SQL.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for count(`SELECT count(*) FROM river_job WHERE kind = 'sweep' AND state = 'completed'`) < 5 {
		if ctx.Err() != nil {
			t.Fatal("the sweep did not run 5 times within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, r := range runners {
		if err := r.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(`SELECT count(*) FROM notifications WHERE kind = 'referral_reply_due' AND object_id = $1 AND user_id = $2`, cw.Referral.ID, c.JobcenterWorker.ID); n != 1 {
		t.Errorf("the answerer was reminded %d times, want once", n)
	}
	if n := count(`SELECT count(*) FROM notifications WHERE kind = 'referral_reply_due'`); n != 1 {
		t.Errorf("%d reply reminders, want 1", n)
	}
	if n := count(`SELECT count(*) FROM audit_events WHERE action = 'notification.create' AND details->>'kind' = 'referral_reply_due'`); n != 1 {
		t.Errorf("%d audit events of the reminder, want 1", n)
	}
	if events, notes := count(`SELECT count(*) FROM audit_events WHERE action = 'notification.create'`), count(`SELECT count(*) FROM notifications WHERE kind <> 'referral_new'`); events != notes {
		t.Errorf("%d audit events of notifications for %d notifications", events, notes)
	}
}
