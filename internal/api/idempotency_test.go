package api_test

import (
	"context"
	"sync"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

func countOrgs(t *testing.T, w *world.World) int {
	t.Helper()
	var n int
	if err := w.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIdempotencyKey: a retried creating POST with the same key creates nothing twice and
// gets the first answer again; the key with another body is a conflict; no key, no magic.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	post := func(key, short string) *world.Response {
		h := map[string]string{}
		if key != "" {
			h["Idempotency-Key"] = key
		}
		return w.Do(t, world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations", Headers: h,
			Body: map[string]any{"kind": "welfare", "name": "AWO Kreisverband", "short_name": short}})
	}
	before := countOrgs(t, w)

	first := post("k-1", "AWO")
	if first.Status != 201 {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := post("k-1", "AWO")
	if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry not replayed: %d %s (replayed=%q)", again.Status, again.Body, again.Header.Get("Idempotent-Replayed"))
	}
	if again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("ETag") == "" {
		t.Fatalf("ETag not replayed: %q vs %q", again.Header.Get("ETag"), first.Header.Get("ETag"))
	}
	if n := countOrgs(t, w); n != before+1 {
		t.Fatalf("%d organisations created, want 1", n-before)
	}

	other := post("k-1", "AWO-2")
	if other.Status != 409 {
		t.Fatalf("same key, other body: %d %s", other.Status, other.Body)
	}

	// A client error is remembered as well: the retry does not suddenly succeed differently.
	bad := post("k-2", "AWO") // the short name is taken now
	if bad.Status != 400 {
		t.Fatalf("taken short name: %d", bad.Status)
	}
	if again := post("k-2", "AWO"); again.Status != 400 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("client error not replayed: %d", again.Status)
	}

	// Keys are per user: another user's same key is a new request.
	other2 := w.Do(t, world.Request{As: w.HousingAdmin, Method: "POST", URL: base + "/organisations", Headers: map[string]string{"Idempotency-Key": "k-1"},
		Body: map[string]any{"kind": "welfare", "name": "x", "short_name": "X1"}})
	if other2.Status != 403 {
		t.Fatalf("org admin creating an org: %d", other2.Status)
	}

	// Without a key, two requests are two organisations.
	if r := post("", "DRK"); r.Status != 201 {
		t.Fatalf("no key: %d", r.Status)
	}
	if r := post("", "DRK-2"); r.Status != 201 {
		t.Fatalf("no key, second: %d", r.Status)
	}

	// Concurrent retries with one key: exactly one organisation, the others replay or are told
	// the first is still running.
	before = countOrgs(t, w)
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- post("k-race", "ASB").Status
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("concurrent retry answered %d", s)
		}
	}
	if n := countOrgs(t, w); n != before+1 {
		t.Fatalf("concurrent retries created %d organisations, want 1", n-before)
	}
}
