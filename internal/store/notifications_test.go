package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// notificationDB is a new database for a notification test: the owner's connection, to
// look at the rows and jobs, and the store as the application role.
func notificationDB(t *testing.T) (*db.DB, *Store) {
	t.Helper()
	tdb := testutil.NewDatabase(t)
	return testutil.Open(t, tdb.OwnerURL), New(testutil.Open(t, tdb.URL).Gorm, nil)
}

// TestCreateNotificationsOnceAndInTheTransaction: a notification is stored once per member,
// kind, record and occasion however often it is written (two instances, a repeated job),
// the new ones enqueue exactly one delivery job in the same transaction, and a transaction
// that rolls back leaves neither notification nor job.
func TestCreateNotificationsOnceAndInTheTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, st := notificationDB(t)
	org, user := model.NewID(), model.NewID()
	if _, err := owner.SQL.ExecContext(ctx, `INSERT INTO organisations (id, kind, name, short_name) VALUES ($1, 'welfare', 'Caritas', 'CARITAS')`, org); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.SQL.ExecContext(ctx, `INSERT INTO users (id, issuer, email, display_name) VALUES ($1, 'test', 'a@example.org', 'A')`, user); err != nil {
		t.Fatal(err)
	}
	referral := model.NewID()
	note := func(occasion string) model.Notification {
		return model.Notification{UserID: user, OrgID: org, Kind: model.NotifyReferralReplyDue, ObjectType: model.ObjectReferral, ObjectID: referral, Occasion: occasion}
	}
	counts := func() (notifications, jobs int) {
		t.Helper()
		if err := owner.SQL.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM notifications), (SELECT count(*) FROM river_job WHERE kind = 'deliver_notifications')`).Scan(&notifications, &jobs); err != nil {
			t.Fatal(err)
		}
		return
	}
	create := func(ns ...model.Notification) []model.Notification {
		t.Helper()
		var out []model.Notification
		if err := st.Tx(ctx, model.Actor{System: true}, func(tx *Tx) error {
			var err error
			out, err = tx.CreateNotifications(ctx, ns)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}

	if got := create(note("2026-04-01"), note("2026-04-02")); len(got) != 2 {
		t.Fatalf("created %d, want 2", len(got))
	}
	if n, j := counts(); n != 2 || j != 1 {
		t.Fatalf("after the first write: %d notifications, %d jobs; want 2 and 1", n, j)
	}
	// The same reminder again (another instance, a retried job) and one new occasion.
	got := create(note("2026-04-02"), note("2026-04-03"))
	if len(got) != 1 || got[0].Occasion != "2026-04-03" {
		t.Fatalf("the second write created %+v, want only the new occasion", got)
	}
	if n, j := counts(); n != 3 || j != 2 {
		t.Fatalf("after the second write: %d notifications, %d jobs; want 3 and 2", n, j)
	}
	if got := create(note("2026-04-03")); len(got) != 0 {
		t.Fatalf("a repeated write created %d", len(got))
	}
	if _, j := counts(); j != 2 {
		t.Fatalf("a write that created nothing enqueued a job (%d jobs)", j)
	}

	// Rolled back: nothing stays.
	boom := errors.New("boom")
	err := st.Tx(ctx, model.Actor{System: true}, func(tx *Tx) error {
		if _, err := tx.CreateNotifications(ctx, []model.Notification{note("2026-04-06")}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rollback: %v", err)
	}
	if n, j := counts(); n != 3 || j != 2 {
		t.Fatalf("after a rollback: %d notifications, %d jobs; want 3 and 2", n, j)
	}

	// More than fit one statement (notificationBatch), some already stored: every new one is
	// written and returned once, across the batches, and one job carries them all.
	var many []model.Notification
	for i := range 2*notificationBatch + 7 {
		many = append(many, note(fmt.Sprintf("2027-%05d", i)))
	}
	many = append(many, note("2026-04-01"), note("2026-04-03"))
	got = create(many...)
	if len(got) != 2*notificationBatch+7 || got[0].Occasion != "2027-00000" || got[len(got)-1].Occasion != fmt.Sprintf("2027-%05d", 2*notificationBatch+6) {
		t.Fatalf("created %d, want the %d new ones", len(got), 2*notificationBatch+7)
	}
	var carried int
	if err := owner.SQL.QueryRowContext(ctx, `SELECT jsonb_array_length(args->'ids') FROM river_job WHERE kind = 'deliver_notifications' ORDER BY id DESC LIMIT 1`).Scan(&carried); err != nil {
		t.Fatal(err)
	}
	if n, j := counts(); n != 3+2*notificationBatch+7 || j != 3 || carried != 2*notificationBatch+7 {
		t.Fatalf("after a write in batches: %d notifications, %d jobs, the last carrying %d; want %d, 3, %d", n, j, carried, 3+2*notificationBatch+7, 2*notificationBatch+7)
	}
	_ = uuid.Nil
}

// TestEnqueueDeliveryKeepsARecipientInOneJob: the e-mail jobs of many notifications carry
// about deliveryBatch each, every notification in one job and each recipient's all in the
// same job (one mail per recipient).
func TestEnqueueDeliveryKeepsARecipientInOneJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, st := notificationDB(t)
	per := deliveryBatch*3/5 + 1 // three recipients: the first job takes two, the second one
	recipient := map[uuid.UUID]uuid.UUID{}
	var ds []Delivery
	for range 3 {
		user := model.NewID()
		for range per {
			d := Delivery{UserID: user, ID: model.NewID()}
			recipient[d.ID] = user
			ds = append(ds, d)
		}
	}
	if err := st.Tx(ctx, model.Actor{System: true}, func(tx *Tx) error { return tx.EnqueueDelivery(ctx, ds) }); err != nil {
		t.Fatal(err)
	}
	rows, err := owner.SQL.QueryContext(ctx, `SELECT id, id2 FROM river_job j, jsonb_array_elements_text(j.args->'ids') AS id2 WHERE kind = 'deliver_notifications'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	jobOf := map[uuid.UUID]int64{}           // notification -> job
	jobsOf := map[uuid.UUID]map[int64]bool{} // recipient -> jobs
	jobs := map[int64]bool{}
	for rows.Next() {
		var job int64
		var id uuid.UUID
		if err := rows.Scan(&job, &id); err != nil {
			t.Fatal(err)
		}
		if _, twice := jobOf[id]; twice {
			t.Errorf("notification %s is in two jobs", id)
		}
		jobOf[id], jobs[job] = job, true
		u := recipient[id]
		if jobsOf[u] == nil {
			jobsOf[u] = map[int64]bool{}
		}
		jobsOf[u][job] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(jobOf) != len(ds) || len(jobs) != 2 {
		t.Errorf("%d of %d notifications in %d jobs, want all in 2", len(jobOf), len(ds), len(jobs))
	}
	for u, js := range jobsOf {
		if len(js) != 1 {
			t.Errorf("recipient %s's notifications are in %d jobs", u, len(js))
		}
	}
}
