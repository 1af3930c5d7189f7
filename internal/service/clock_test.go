package service_test

import (
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
)

// TestCreatedOnTheServicesClock: records are stamped with the services' clock, not the
// database's, so that data created "in the past" (the demo's overdue tasks and aged
// referrals, tests of expiry) has consistent creation times for dashboards and histories.
func TestCreatedOnTheServicesClock(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	past := w.now().Add(-40 * 24 * time.Hour).Truncate(time.Second)
	w.setClock(past)
	ref, _ := w.coveredReferral(w.jobcenter)
	task, err := w.svc.Tasks.Create(w.ctx, w.housingWorker, model.TaskCreate{Title: "Wohnungsbesichtigung", OrgID: w.housing, CaseID: &ref.CaseID})
	if err != nil {
		t.Fatal(err)
	}
	for name, query := range map[string]string{
		"referral": `SELECT count(*) FROM referrals WHERE case_id = $1 AND created_at = $2`,
		"task":     `SELECT count(*) FROM tasks WHERE case_id = $1 AND created_at = $2`,
	} {
		if n := w.count(query, ref.CaseID, past); n != 1 {
			t.Errorf("%s not stamped with the services' clock %s", name, past)
		}
	}
	if !task.CreatedAt.Equal(past) {
		t.Errorf("task created at %s, want %s", task.CreatedAt, past)
	}
}
