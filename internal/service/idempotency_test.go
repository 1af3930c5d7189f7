package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestIdempotencyInTheTransaction: an operation sent with an Idempotency-Key writes the key
// with a reference to its result (status and resource, no copy of it) in its own
// transaction. So the key exists exactly when the result does: a retry after the commit gets
// the same resource (read as the caller may see it now) even if nothing after the commit ran,
// a failed operation leaves no key, and expired keys are purged.
func TestIdempotencyInTheTransaction(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	keyed := func(key, hash string) (context.Context, *model.RequestKey) {
		k := &model.RequestKey{Key: key, Hash: hash}
		return model.ContextWithRequestKey(w.ctx, k), k
	}
	in := model.TaskCreate{OrgID: w.housing, CaseID: &caseID, Title: "Wohnung suchen"}
	tasks := func() int { return w.count(`SELECT count(*) FROM tasks`) }
	keyRow := func(key string) (n, status int, kind string, id *uuid.UUID, body int) {
		t.Helper()
		err := w.db.SQL.QueryRow(`SELECT count(*) OVER (), status, resource_type, resource_id, length(body) FROM idempotency_keys WHERE key = $1`, key).Scan(&n, &status, &kind, &id, &body)
		if err != nil {
			return 0, 0, "", nil, 0
		}
		return n, status, kind, id, body
	}

	ctx, k := keyed("k-1", "h-1")
	first, err := w.svc.Tasks.Create(ctx, w.housingWorker, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the key is written with a reference to the result", func(t *testing.T) {
		n, status, kind, id, body := keyRow("k-1")
		if n != 1 || status != 201 || kind != "task" || id == nil || *id != first.ID || body != 0 {
			t.Fatalf("key row: %d rows, status %d, %s %v, body %d bytes", n, status, kind, id, body)
		}
		if !k.Recorded() || k.Replayed() {
			t.Errorf("recorded %v, replayed %v", k.Recorded(), k.Replayed())
		}
	})
	t.Run("a retry after the commit gets the same resource", func(t *testing.T) {
		// Nothing ran after the operation's commit (no answer was stored): a crash there
		// leaves a complete key, and the retry is not stuck.
		before := tasks()
		ctx, k := keyed("k-1", "h-1")
		again, err := w.svc.Tasks.Create(ctx, w.housingWorker, in)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || again.Version != first.Version || again.Title != first.Title || !k.Replayed() {
			t.Errorf("retry: %+v (replayed %v), first %+v", again, k.Replayed(), first)
		}
		if tasks() != before {
			t.Error("the retry created a second task")
		}
	})
	t.Run("the same key for another request is a conflict", func(t *testing.T) {
		ctx, _ := keyed("k-1", "h-other")
		if _, err := w.svc.Tasks.Create(ctx, w.housingWorker, in); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("other request, same key: %v", err)
		}
	})
	t.Run("keys are per user", func(t *testing.T) {
		ctx, k := keyed("k-1", "h-1")
		other, err := w.svc.Tasks.Create(ctx, w.housingWorker2, in)
		if err != nil || other.ID == first.ID || k.Replayed() {
			t.Fatalf("another user's key: %v, %+v", err, other)
		}
	})
	t.Run("a failed operation leaves no key", func(t *testing.T) {
		before := tasks()
		missing := model.NewID()
		ctx, _ := keyed("k-fail", "h-fail")
		_, err := w.svc.Tasks.Create(ctx, w.housingWorker, model.TaskCreate{OrgID: w.housing, CaseID: &missing, Title: "x"})
		if !errors.Is(err, model.ErrInvalid) {
			t.Fatalf("task on a missing case: %v", err)
		}
		if n, _, _, _, _ := keyRow("k-fail"); n != 0 || tasks() != before {
			t.Fatalf("the rolled-back operation left %d keys, %d tasks", n, tasks()-before)
		}
		// So the retry runs again (and now succeeds with a case that exists).
		ctx, k := keyed("k-fail", "h-fail")
		if _, err := w.svc.Tasks.Create(ctx, w.housingWorker, in); err != nil || k.Replayed() {
			t.Fatalf("retry after a failure: %v, replayed %v", err, k.Replayed())
		}
	})
	t.Run("a retry shows only what the caller may still see", func(t *testing.T) {
		// A task of the organisation, on no case: moved to the north team, the housing
		// caseworker no longer sees it.
		own := model.TaskCreate{OrgID: w.housing, Title: "Akten sortieren"}
		ctx, _ := keyed("k-moved", "h-moved")
		task, err := w.svc.Tasks.Create(ctx, w.housingWorker, own)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Tasks.Reassign(w.ctx, w.housingLead, task.ID, task.Version, model.TaskReassign{OrgID: w.north}); err != nil {
			t.Fatal(err)
		}
		ctx, _ = keyed("k-moved", "h-moved")
		if got, err := w.svc.Tasks.Create(ctx, w.housingWorker, own); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the retry shows a task the caller no longer sees: %+v, %v", got, err)
		}
	})
	t.Run("a refused request is remembered without a resource", func(t *testing.T) {
		k := &model.RequestKey{Key: "k-refused", Hash: "h-refused"}
		if err := w.svc.Idempotency.Refused(w.ctx, w.housingWorker, k, 400, "invalid"); err != nil {
			t.Fatal(err)
		}
		prev, err := w.svc.Idempotency.Check(w.ctx, w.housingWorker, k)
		if err != nil || prev == nil || !prev.Refused() || prev.Code != "invalid" || prev.ResourceID != nil {
			t.Fatalf("refused request: %+v, %v", prev, err)
		}
		// The operation itself, racing with the refusal, does not run under the refused key.
		ctx, _ := keyed("k-refused", "h-refused")
		if _, err := w.svc.Tasks.Create(ctx, w.housingWorker, in); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("operation under a refused key: %v", err)
		}
	})
	t.Run("expired keys are purged, current ones kept", func(t *testing.T) {
		start := w.now()
		defer w.setClock(start)
		w.setClock(start.Add(model.IdempotencyRetention - time.Minute))
		ctx, _ := keyed("k-late", "h-late")
		if _, err := w.svc.Tasks.Create(ctx, w.housingWorker, in); err != nil {
			t.Fatal(err)
		}
		all := w.count(`SELECT count(*) FROM idempotency_keys`)
		// An hour after the retention of the first keys: they expired, k-late did not.
		w.setClock(start.Add(model.IdempotencyRetention + time.Hour))
		// An expired key no longer replays: the request runs anew, and its key is current again.
		before := tasks()
		ctx, k := keyed("k-1", "h-1")
		if _, err := w.svc.Tasks.Create(ctx, w.housingWorker, in); err != nil || k.Replayed() || tasks() != before+1 {
			t.Fatalf("retry of an expired key: %v, replayed %v", err, k.Replayed())
		}
		n, err := w.svc.Idempotency.Purge(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		left := w.count(`SELECT count(*) FROM idempotency_keys`)
		if n != int64(all-2) || left != 2 {
			t.Fatalf("purged %d of %d keys, %d left", n, all, left)
		}
		if w.count(`SELECT count(*) FROM idempotency_keys WHERE key IN ('k-late', 'k-1')`) != 2 {
			t.Error("a current key was purged")
		}
	})
}
