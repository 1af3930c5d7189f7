package service

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// TestOnePagingRule: every list takes its limit by one rule and its cursor through one codec;
// a cursor survives the round trip exactly (times to the microsecond) and is refused by any
// other kind of list.
func TestOnePagingRule(t *testing.T) {
	t.Parallel()
	field := func(err error) string {
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, model.ErrInvalid) || len(ve.Fields) != 1 {
			return ""
		}
		return ve.Fields[0].Field
	}
	t.Run("limit", func(t *testing.T) {
		for _, p := range []pager{casePages, taskPages, auditPages, referralPages(model.ReferralsIncoming)} {
			for n, want := range map[int]int{0: p.size, 1: 1, p.max: p.max} {
				if got, err := p.limit(n); err != nil || got != want {
					t.Errorf("%s: limit %d gives %d, %v; want %d", p.kind, n, got, err, want)
				}
			}
			for _, n := range []int{-1, p.max + 1} {
				if _, err := p.limit(n); field(err) != "limit" {
					t.Errorf("%s: limit %d: %v", p.kind, n, err)
				}
			}
		}
	})
	t.Run("cursor round trip", func(t *testing.T) {
		at := time.Date(2026, 3, 1, 9, 30, 15, 123456000, time.UTC)
		due := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
		id := model.NewID()
		check := func(p pager, in, out any) {
			t.Helper()
			ok, err := p.after(p.cursor(in), out)
			if err != nil || !ok {
				t.Fatalf("%s: %v", p.kind, err)
			}
		}
		var c store.CaseCursor
		check(casePages, store.CaseCursor{UpdatedAt: at, ID: id}, &c)
		if !c.UpdatedAt.Equal(at) || c.ID != id {
			t.Errorf("case cursor %+v", c)
		}
		var r store.ReferralKey
		check(referralPages(model.ReferralsIncoming), store.ReferralKey{ReplyDue: due, ID: id}, &r)
		if !r.ReplyDue.Equal(due) || r.ID != id {
			t.Errorf("referral cursor %+v", r)
		}
		var k store.TaskKey
		check(taskPages, store.TaskKey{Due: &due, ID: id}, &k)
		if k.Due == nil || !k.Due.Equal(due) || k.ID != id {
			t.Errorf("task cursor %+v", k)
		}
		var n int64
		check(auditPages, int64(4711), &n)
		if n != 4711 {
			t.Errorf("audit cursor %d", n)
		}
	})
	t.Run("a cursor belongs to its list", func(t *testing.T) {
		var k store.TaskKey
		if ok, err := taskPages.after("", &k); ok || err != nil {
			t.Errorf("empty cursor: %v %v", ok, err)
		}
		other := referralPages(model.ReferralsOutgoing).cursor(store.ReferralKey{ID: uuid.New()})
		incoming := referralPages(model.ReferralsIncoming)
		for _, bad := range []string{other, "%%%", "bm9wZQ", casePages.cursor(store.CaseCursor{}), string(make([]byte, 600))} {
			var r store.ReferralKey
			if _, err := incoming.after(bad, &r); field(err) != "cursor" {
				t.Errorf("cursor %.20q: %v", bad, err)
			}
		}
	})
	t.Run("cut", func(t *testing.T) {
		key := func(n *int) any { return int64(*n) }
		if rows, next := cut(auditPages, []int{1, 2, 3}, 3, key); len(rows) != 3 || next != "" {
			t.Errorf("a last page: %v %q", rows, next)
		}
		rows, next := cut(auditPages, []int{1, 2, 3, 4}, 3, key)
		var after int64
		if ok, err := auditPages.after(next, &after); len(rows) != 3 || !ok || err != nil || after != 3 {
			t.Errorf("a page with more: %v, cursor after %d (%v)", rows, after, err)
		}
	})
}
