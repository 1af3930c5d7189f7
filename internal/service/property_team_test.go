package service_test

import (
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
