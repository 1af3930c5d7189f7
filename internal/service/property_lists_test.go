package service_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// checkSortedLists extends the exact-set property to the lists that scale: sorted by each
// key either way, paged by number in a random page size, and exported, the case and task
// lists hold exactly the oracle's set, with the oracle's total on every page; sorting by name
// puts every case whose name the actor may see before every case whose name is hidden, so
// the order tells nothing about a hidden name.
func (w *pwWorld) checkSortedLists(t *testing.T, pa pwActor, who string, r *rand.Rand, visible map[uuid.UUID]bool) {
	t.Helper()
	// By name always (the rule that must not leak), and by one other key.
	for _, key := range []string{model.SortName, pick(r, []string{model.SortChanged, model.SortReference})} {
		w.checkSortedCases(t, pa, who, r, visible, key)
	}
	w.checkSortedTasks(t, pa, who, r)
	w.checkSortedReferrals(t, pa, who, r)
}

func (w *pwWorld) checkSortedCases(t *testing.T, pa pwActor, who string, r *rand.Rand, visible map[uuid.UUID]bool, key string) {
	t.Helper()
	desc := r.IntN(2) == 0
	size := 5 + r.IntN(60)
	what := fmt.Sprintf("case list by %s desc=%v, pages of %d", key, desc, size)
	cases := w.numberedCases(t, pa, who, model.CaseFilter{Limit: size, ListOrder: model.ListOrder{Sort: key, Desc: desc}}, visible, what)
	if key == model.SortName {
		hiddenSeen := false
		for i, v := range cases {
			shown := !v.Label().NameHidden
			if shown != w.primaryNameVisible(pa, v.ID) {
				t.Errorf("%s: %s: %s: name shown=%v, oracle %v", who, what, w.describe(v.ID), shown, !shown)
			}
			if !shown {
				if !hiddenSeen && i > 0 {
					w.seen["name sort with hidden names"]++
				}
				hiddenSeen = true
			} else if hiddenSeen {
				t.Errorf("%s: %s: a visible name after a hidden one at %d (%s)", who, what, i, w.describe(v.ID))
				break
			}
		}
	}
	if key == model.SortReference {
		for i := 1; i < len(cases); i++ {
			a, b := cases[i-1].Reference, cases[i].Reference
			if (!desc && a > b) || (desc && a < b) {
				t.Errorf("%s: %s: out of order at %d: %s, %s", who, what, i, a, b)
				break
			}
		}
	}
	if (pa.user+pa.org)%2 == 1 {
		exported, err := w.svc.Cases.Export(w.ctx, pa.a, model.CaseFilter{ListOrder: model.ListOrder{Sort: key, Desc: desc}})
		if err != nil {
			t.Fatalf("%s: sorted export: %v", who, err)
		}
		w.sameSet(t, who, "case export by "+key, visible, viewIDs(exported))
		if !slices.Equal(viewIDs(exported), viewIDs(cases)) {
			t.Errorf("%s: the export by %s is not in the order of the list", who, key)
		}
	}
}

func (w *pwWorld) checkSortedTasks(t *testing.T, pa pwActor, who string, r *rand.Rand) {
	t.Helper()

	// Tasks: every sort key, and the worklist of "Meine Aufgaben" (mine and the unassigned
	// ones of the acting organisation).
	tkey := pick(r, []string{model.SortDue, model.SortPriority, model.SortChanged, model.SortName})
	tdesc := r.IntN(2) == 0
	queue := r.IntN(2) == 0
	want := map[uuid.UUID]bool{}
	for _, tk := range w.tasks {
		if w.taskVisible(pa, tk) && (!queue || tk.assignee == pa.user || (tk.assignee < 0 && tk.org == pa.org)) {
			want[tk.id] = true
		}
	}
	f := model.TaskFilter{Queue: queue, Limit: 5 + r.IntN(40), ListOrder: model.ListOrder{Sort: tkey, Desc: tdesc}}
	what := fmt.Sprintf("tasks (queue %v) by %s desc=%v, pages of %d", queue, tkey, tdesc, f.Limit)
	var got []model.Task
	for page := 1; ; page++ {
		f.Page = page
		p, err := w.svc.Tasks.List(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: %s, page %d: %v", who, what, page, err)
		}
		if p.Total != int64(len(want)) {
			t.Errorf("%s: %s, page %d: total %d, oracle %d", who, what, page, p.Total, len(want))
		}
		if p.NextCursor != "" {
			t.Errorf("%s: %s: a numbered page with a cursor", who, what)
		}
		got = append(got, p.Items...)
		if len(p.Items) < f.Limit || page > len(w.tasks) {
			break
		}
	}
	ids := make([]uuid.UUID, len(got))
	for i, tk := range got {
		ids[i] = tk.ID
	}
	w.sameSet(t, who, what, want, ids)
	if tkey == model.SortDue {
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			bad := a.DueDate == nil && b.DueDate != nil // none last, either way
			if a.DueDate != nil && b.DueDate != nil {
				bad = (!tdesc && a.DueDate.After(*b.DueDate)) || (tdesc && a.DueDate.Before(*b.DueDate)) ||
					(a.DueDate.Equal(*b.DueDate) && (bytes.Compare(a.ID[:], b.ID[:]) > 0) != tdesc)
			}
			if bad {
				t.Errorf("%s: %s: out of order at %d", who, what, i)
				break
			}
		}
	}
	if (pa.user+pa.org)%3 == 0 {
		f.Page = 0
		exported, err := w.svc.Tasks.Export(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: task export: %v", who, err)
		}
		eids := make([]uuid.UUID, len(exported))
		for i, tk := range exported {
			eids[i] = tk.ID
		}
		w.sameSet(t, who, "task export, "+what, want, eids)
		if !slices.Equal(eids, ids) {
			t.Errorf("%s: the task export is not in the order of the list", who)
		}
	}
}

// numberedCases pages through a case list by page number and checks the set and totals.
func (w *pwWorld) numberedCases(t *testing.T, pa pwActor, who string, f model.CaseFilter, want map[uuid.UUID]bool, what string) []model.CaseView {
	t.Helper()
	var all []model.CaseView
	for page := 1; ; page++ {
		f.Page = page
		p, err := w.svc.Cases.List(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: %s, page %d: %v", who, what, page, err)
		}
		if p.Total != int64(len(want)) {
			t.Errorf("%s: %s, page %d: total %d, oracle %d", who, what, page, p.Total, len(want))
		}
		all = append(all, p.Items...)
		if len(p.Items) < f.Limit || page > len(w.cases) {
			break
		}
	}
	w.sameSet(t, who, what, want, viewIDs(all))
	return all
}

// primaryNameVisible is the oracle's answer whether the actor sees the main person's name.
func (w *pwWorld) primaryNameVisible(pa pwActor, id uuid.UUID) bool {
	ci := slices.IndexFunc(w.cases, func(c pwCase) bool { return c.id == id })
	if ci < 0 {
		return false
	}
	acc := w.access(pa, ci)
	if !acc.visible || acc.summary {
		return false
	}
	for pi, p := range w.cases[ci].persons {
		if p.primary {
			return slices.Contains(acc.categoriesOf(pi), model.CategoryIdentity)
		}
	}
	return false
}

// checkSortedReferrals: the inbox and the outbox, sorted by a random key of theirs either way
// and paged by number in a random page size, hold exactly the oracle's referrals with its
// total on every page, and their download holds the same referrals in the same order.
func (w *pwWorld) checkSortedReferrals(t *testing.T, pa pwActor, who string, r *rand.Rand) {
	t.Helper()
	box := pick(r, []model.ReferralBox{model.ReferralsIncoming, model.ReferralsOutgoing})
	want := map[uuid.UUID]bool{}
	for _, rf := range w.referrals {
		mine := rf.from == pa.org
		if box == model.ReferralsIncoming {
			mine = rf.to == pa.org
		}
		if mine && w.referralVisible(pa, rf) {
			want[rf.id] = true
		}
	}
	key := pick(r, []string{model.SortDue, model.SortChanged, model.SortCreated, model.SortName})
	f := model.ReferralFilter{Box: box, Limit: 5 + r.IntN(40), ListOrder: model.ListOrder{Sort: key, Desc: r.IntN(2) == 0}}
	what := fmt.Sprintf("referrals (%s) by %s desc=%v, pages of %d", box, key, f.Desc, f.Limit)
	var ids []uuid.UUID
	for page := 1; ; page++ {
		f.Page = page
		p, err := w.svc.Referrals.List(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: %s, page %d: %v", who, what, page, err)
		}
		if p.Total != int64(len(want)) {
			t.Errorf("%s: %s, page %d: total %d, oracle %d", who, what, page, p.Total, len(want))
		}
		for _, rf := range p.Items {
			ids = append(ids, rf.ID)
		}
		if len(p.Items) < f.Limit || page > len(w.referrals) {
			break
		}
	}
	w.sameSet(t, who, what, want, ids)
	f.Page = 0
	exported, err := w.svc.Referrals.Export(w.ctx, pa.a, f)
	if err != nil {
		t.Fatalf("%s: referral export: %v", who, err)
	}
	eids := make([]uuid.UUID, len(exported))
	for i, rf := range exported {
		eids[i] = rf.ID
	}
	if !slices.Equal(eids, ids) {
		t.Errorf("%s: the referral export (%s) is not the list in its order", who, box)
	}
}
