package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestConcurrentGrantsCannotBothPass: two grants that the separation of duties keeps apart,
// given to one account at the same moment in different organisations, cannot both pass their
// check: the account's row lock makes the second wait for the first and then see it. The
// test holds both organisations' rows so that the two requests meet in the middle of their
// transactions; without the account lock both would read "no other grant" and commit.
func TestConcurrentGrantsCannotBothPass(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	admin := w.Actor(t, w.Sysadmin)
	svc.Directory.ListOrganisations(ctx, admin) //nolint:errcheck // warms the enforcer before the race

	hold, err := w.DB.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck
	if _, err := hold.ExecContext(ctx, `SELECT 1 FROM organisations WHERE id IN ($1, $2) FOR UPDATE`, w.City.ID, w.Housing.ID); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, g := range []model.GrantCreate{
		{UserID: w.NoRole.ID, OrgID: w.City.ID, Role: model.RoleDPO},
		{UserID: w.NoRole.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker},
	} {
		go func() {
			_, err := svc.Directory.CreateGrant(ctx, admin, g)
			errs <- err
		}()
	}
	// Both requests wait for a lock: the one on the organisations, or the account's.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := w.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for a lock, want 2", waiting)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	var ok, refused int
	for range 2 {
		err := <-errs
		var rc *model.RoleConflictError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &rc):
			refused++
		default:
			t.Errorf("grant: %v", err)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("%d grants passed and %d were refused, want 1 and 1", ok, refused)
	}
	var n int
	if err := w.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM role_grants WHERE user_id = $1`, w.NoRole.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d grants stored (%v), want 1", n, err)
	}
}
