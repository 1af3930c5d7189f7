package service_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// checkTeamReferrals: a department head's list of the team's referrals on the team
// dashboard (Dashboard.Team) holds exactly the active referrals that the head may read and
// that go from or to the head's subtree: every listed one is allowed, the total counts all
// the oracle allows, the list is full up to its limit, and the incoming ones are marked.
func (w *pwWorld) checkTeamReferrals(t *testing.T, pa pwActor, who string) {
	t.Helper()
	if !slices.Contains(pa.roles, model.RoleLead) {
		return
	}
	team, err := w.svc.Dashboard.Team(w.ctx, pa.a, service.TeamFilter{})
	if err != nil {
		t.Errorf("%s: team dashboard: %v", who, err)
		return
	}
	tree := w.subtree(pa.org)
	want := map[uuid.UUID]bool{}
	incoming := map[uuid.UUID]bool{}
	for _, rf := range w.referrals {
		if !pwActive(rf.status) || !(tree[rf.from] || tree[rf.to]) || !w.referralVisible(pa, rf) {
			continue
		}
		want[rf.id] = true
		incoming[rf.id] = tree[rf.to]
	}
	if team.ReferralsTotal != len(want) {
		t.Errorf("%s: team referrals total %d, want %d", who, team.ReferralsTotal, len(want))
	}
	if len(team.Referrals) != min(len(want), service.TeamListLimit) {
		t.Errorf("%s: team referrals listed %d, want %d", who, len(team.Referrals), min(len(want), service.TeamListLimit))
	}
	for _, r := range team.Referrals {
		if !want[r.ID] {
			t.Errorf("%s: team referral %s listed, not allowed", who, r.Reference)
		}
		if r.Incoming != incoming[r.ID] {
			t.Errorf("%s: team referral %s incoming %v, want %v", who, r.Reference, r.Incoming, incoming[r.ID])
		}
	}
}

// checkTeamTasks: the team dashboard's task list of a department head, sorted by a random
// key either way and paged by number in a random size, holds exactly the open tasks of the
// head's subtree that the head may read, with the oracle's total on every page; the team's
// download holds the same tasks in the same order.
func (w *pwWorld) checkTeamTasks(t *testing.T, pa pwActor, who string, r *rand.Rand) {
	t.Helper()
	if !slices.Contains(pa.roles, model.RoleLead) {
		return
	}
	tree := w.subtree(pa.org)
	want := map[uuid.UUID]bool{}
	for _, tk := range w.tasks {
		if tree[tk.org] && !slices.Contains(model.ClosedTaskStatuses, tk.status) && w.taskVisible(pa, tk) {
			want[tk.id] = true
		}
	}
	key := pick(r, []string{model.SortDue, model.SortPriority, model.SortChanged, model.SortName})
	f := service.TeamFilter{Limit: 5 + r.IntN(40), ListOrder: model.ListOrder{Sort: key, Desc: r.IntN(2) == 0}}
	what := fmt.Sprintf("team tasks by %s desc=%v, pages of %d", key, f.Desc, f.Limit)
	var ids []uuid.UUID
	for page := 1; ; page++ {
		f.Page = page
		team, err := w.svc.Dashboard.Team(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: %s, page %d: %v", who, what, page, err)
		}
		if team.ListTotal != len(want) {
			t.Errorf("%s: %s, page %d: total %d, oracle %d", who, what, page, team.ListTotal, len(want))
		}
		for _, tt := range team.List {
			ids = append(ids, tt.ID)
		}
		if len(team.List) < f.Limit || page > len(w.tasks) {
			break
		}
	}
	w.sameSet(t, who, what, want, ids)
	f.Page = 0
	exported, err := w.svc.Dashboard.TeamExport(w.ctx, pa.a, f)
	if err != nil {
		t.Fatalf("%s: team export: %v", who, err)
	}
	eids := make([]uuid.UUID, len(exported))
	for i, tt := range exported {
		eids[i] = tt.ID
	}
	if !slices.Equal(eids, ids) {
		t.Errorf("%s: the team export is not the list (%d and %d tasks, or another order)", who, len(eids), len(ids))
	}
}
