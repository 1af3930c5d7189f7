package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/mail"
	"github.com/lotse-project/lotse/internal/mail/mailtest"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestDigestSchedule: the digest fires at its time in Berlin on working days only: not on
// weekends, nor on Good Friday and Easter Monday, Christmas or Reformation Day.
func TestDigestSchedule(t *testing.T) {
	s := jobs.DigestSchedule{Hour: 7, Minute: 0}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, model.Berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ now, next string }{
		{"2026-04-02 06:59", "2026-04-02 07:00"}, // Thursday before Easter, before the time
		{"2026-04-02 07:00", "2026-04-07 07:00"}, // then Good Friday, the weekend, Easter Monday
		{"2026-12-24 08:00", "2026-12-28 07:00"}, // Christmas Day, Boxing Day (Saturday), Sunday
		{"2025-10-30 09:00", "2025-11-03 07:00"}, // Reformation Day (Friday), weekend
		{"2026-03-27 07:30", "2026-03-30 07:00"}, // Friday to Monday across the switch to summer time
	} {
		if got := s.Next(at(c.now)); !got.Equal(at(c.next)) {
			t.Errorf("after %s: next digest %s, want %s", c.now, got.In(model.Berlin).Format("2006-01-02 15:04 MST"), c.next)
		}
	}
}

// TestDigestOncePerDay: the digest of a day is inserted once, however often the periodic
// job (or a second leader) enqueues it.
func TestDigestOncePerDay(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	ctx := context.Background()
	day := time.Date(2026, 4, 7, 0, 0, 0, 0, time.UTC)
	for range 3 {
		if err := w.Store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
			args, opts := jobs.DigestJob(day)
			return tx.Enqueue(ctx, args, opts)
		}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := w.DB.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'digest'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d digest jobs of one day, want 1", n)
	}
}

// TestDeliverJobRetriesAndShowsInLotseJobs: the River job of a new notification fails while
// the SMTP server refuses the recipient, stays retryable with its error (listed by `lotse
// jobs` without its arguments or the address), and sends exactly once when the server
// accepts again.
func TestDeliverJobRetriesAndShowsInLotseJobs(t *testing.T) {
	w := world.NewCity(t)
	ctx := context.Background()
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})
	srv := mailtest.Start(t)
	var to string
	if err := w.DB.SQL.QueryRow(`SELECT email FROM users WHERE id = $1`, w.CaritasWorker.ID).Scan(&to); err != nil {
		t.Fatal(err)
	}
	srv.Refuse(to, true)
	// Whatever the referral itself notified (reminder rules) is out of this test's way.
	if _, err := w.DB.SQL.Exec(`UPDATE notifications SET emailed_at = now()`); err != nil {
		t.Fatal(err)
	}
	snd, err := mail.NewSMTP(mail.Settings{Host: srv.Host, Port: srv.Port, Username: mailtest.Username, Password: mailtest.Password,
		From: "lotse@stadt.example", TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc := w.Services(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	runner, err := jobs.New(w.DB.SQL, svc, jobs.Config{SweepEvery: time.Hour, Register: []func(*river.Workers, *[]*river.PeriodicJob) error{
		jobs.RegisterMail(jobs.MailConfig{Mail: service.NewMail(svc, snd, "https://lotse.stadt.example"), DigestHour: 7}, log),
	}}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = runner.Stop(sctx)
	})
	var nid uuid.UUID
	if err := w.Store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		created, err := tx.CreateNotifications(ctx, []model.Notification{{UserID: w.CaritasWorker.ID, OrgID: w.Caritas.ID,
			Kind: model.NotifyReferralNew, ObjectType: model.ObjectReferral, ObjectID: cw.Referral.ID, Occasion: "job-test"}})
		if len(created) == 1 {
			nid = created[0].ID
		}
		return err
	}); err != nil || nid == uuid.Nil {
		t.Fatalf("notify: %v", err)
	}
	jobState := func() (id int64, state string, attempt int) {
		t.Helper()
		if err := w.DB.SQL.QueryRow(`SELECT id, state, attempt FROM river_job WHERE kind = 'deliver_notifications' AND args->'ids' ? $1`, nid.String()).Scan(&id, &state, &attempt); err != nil {
			t.Fatal(err)
		}
		return id, state, attempt
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the failed attempt", func() bool { _, s, a := jobState(); return s == "retryable" && a >= 1 })
	id, _, _ := jobState()
	var emailed int
	if err := w.DB.SQL.QueryRow(`SELECT count(*) FROM notifications WHERE id = $1 AND emailed_at IS NOT NULL`, nid).Scan(&emailed); err != nil || emailed != 0 || len(srv.Received()) != 0 {
		t.Fatalf("after the refusal: %d marked e-mailed, %d mails (%v)", emailed, len(srv.Received()), err)
	}

	code, stdout, stderr := lotse(t, w.URL, "jobs")
	if code != 0 {
		t.Fatalf("lotse jobs: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"ID", "LAST ERROR", strconv.FormatInt(id, 10), "deliver_notifications", "retryable", "mail: send:", "SMTP 550"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("lotse jobs lacks %q:\n%s", want, stdout)
		}
	}
	for _, bad := range []string{nid.String(), to, `"ids"`} {
		if strings.Contains(stdout, bad) {
			t.Errorf("lotse jobs shows %q:\n%s", bad, stdout)
		}
	}

	srv.Refuse(to, false)
	waitFor("the successful retry", func() bool { _, s, _ := jobState(); return s == "completed" })
	if got := srv.To(to); len(got) != 1 {
		t.Fatalf("%d mails after the retry, want exactly 1", len(got))
	}
	if code, stdout, _ := lotse(t, w.URL, "jobs"); code != 0 || strings.TrimSpace(stdout) != "no failed jobs" {
		t.Errorf("lotse jobs after the retry: exit %d\n%s", code, stdout)
	}
}

// lotse runs the lotse command against the database url.
func lotse(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("LOTSE_DATABASE_URL", url)
	var out, errb bytes.Buffer
	code := app.Main(args, &out, &errb)
	return code, out.String(), errb.String()
}
