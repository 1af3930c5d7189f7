package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestPagesReadTheOneClock: the pages take "today" from the process's one clock (the
// services'), not from the wall clock: forty days on, a referral sent today is past its
// reply deadline in the job center's inbox.
func TestPagesReadTheOneClock(t *testing.T) {
	t.Parallel()
	later := func() time.Time { return time.Now().AddDate(0, 0, 40) }
	for _, tc := range []struct {
		name        string
		opts        []world.Option
		group, next string // the group's heading and the next one's
	}{
		{"today", nil, `id="gruppe-new"`, `id="gruppe-in_progress"`},
		{"forty days on", []world.Option{world.WithClock(later)}, `id="gruppe-overdue"`, `id="gruppe-due_soon"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := world.New(t, tc.opts...)
			cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
			body := getPage(t, w, w.JobcenterWorker, "/eingang", http.StatusOK)
			i := strings.Index(body, tc.group)
			j := strings.Index(body, tc.next)
			if i < 0 || j < i || !strings.Contains(body[i:j], cw.Referral.Reference) {
				t.Errorf("the referral %s is not under %q", cw.Referral.Reference, tc.group)
			}
		})
	}
}
