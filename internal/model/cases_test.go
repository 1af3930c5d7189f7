package model

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestReferralLifeCycle is the referral state machine of DOMAIN.md as a truth table: every
// pair of states, allowed exactly where the domain allows it, and the ended states final.
func TestReferralLifeCycle(t *testing.T) {
	allowed := map[[2]ReferralStatus]bool{
		{ReferralSent, ReferralAccepted}: true, {ReferralSent, ReferralDeclined}: true, {ReferralSent, ReferralWithdrawn}: true,
		{ReferralSent, ReferralExpired}: true, {ReferralSent, ReferralRevoked}: true,
		{ReferralAccepted, ReferralInProgress}: true, {ReferralAccepted, ReferralCompleted}: true,
		{ReferralAccepted, ReferralWithdrawn}: true, {ReferralAccepted, ReferralRevoked}: true,
		{ReferralInProgress, ReferralCompleted}: true, {ReferralInProgress, ReferralWithdrawn}: true, {ReferralInProgress, ReferralRevoked}: true,
	}
	for _, from := range ReferralStatuses {
		for _, to := range ReferralStatuses {
			want := allowed[[2]ReferralStatus{from, to}]
			if got := from.CanTransition(to); got != want {
				t.Errorf("%s -> %s: allowed %v, want %v", from, to, got, want)
			}
			r := &Referral{Status: from}
			err := r.Transition(to)
			switch {
			case want && (err != nil || r.Status != to):
				t.Errorf("transition %s -> %s: %v, status %s", from, to, err, r.Status)
			case !want && (!errors.Is(err, ErrTransition) || r.Status != from):
				t.Errorf("refused transition %s -> %s: %v, status %s", from, to, err, r.Status)
			}
		}
		// Active is exactly "the recipient may still act on it".
		if got, want := from.Active(), from == ReferralSent || from == ReferralAccepted || from == ReferralInProgress; got != want {
			t.Errorf("%s active: %v, want %v", from, got, want)
		}
		if !from.Active() && len(AllowedTransitions("referral", string(from))) != 0 {
			t.Errorf("ended state %s is not final", from)
		}
	}
}

// TestTaskAndCaseLifeCycles: tasks move freely between the open states, close as done or
// cancelled, and can be reopened; cases pause, close and reopen.
func TestTaskAndCaseLifeCycles(t *testing.T) {
	for _, from := range TaskStatuses {
		for _, to := range TaskStatuses {
			var want bool
			switch {
			case from == to:
			case from.Closed():
				want = to == TaskOpen
			default:
				want = true
			}
			if got := from.CanTransition(to); got != want {
				t.Errorf("task %s -> %s: allowed %v, want %v", from, to, got, want)
			}
		}
	}
	if got := ClosedTaskStatuses; !slices.Equal(got, []TaskStatus{TaskDone, TaskCancelled}) {
		t.Errorf("closed task states: %v", got)
	}
	for _, tc := range []struct {
		from, to CaseStatus
		want     bool
	}{
		{CaseOpen, CasePaused, true}, {CaseOpen, CaseClosed, true}, {CasePaused, CaseOpen, true}, {CasePaused, CaseClosed, true},
		{CaseClosed, CaseOpen, true}, {CaseClosed, CasePaused, false}, {CaseOpen, CaseOpen, false},
	} {
		if got := tc.from.CanTransition(tc.to); got != tc.want {
			t.Errorf("case %s -> %s: allowed %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	err := RefuseTransition("task", "done", "waiting")
	var te *TransitionError
	if !errors.As(err, &te) || te.Object != "task" || te.From != "done" || te.To != "waiting" ||
		!slices.Equal(te.Allowed, AllowedTransitions("task", "done")) || !errors.Is(err, ErrTransition) || errors.Is(err, ErrInvalid) {
		t.Errorf("transition error: %v", err)
	}
}

// TestConsentCovers: a consent covers a referral only if it is not revoked, valid on the
// day (both ends included), names the recipient and covers every referred area.
func TestConsentCovers(t *testing.T) {
	day := func(s string) Date {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	jc, caritas := uuid.New(), uuid.New()
	now := time.Now()
	base := func() *Consent {
		return &Consent{Recipients: []uuid.UUID{jc}, Areas: StringList{"work", "language"},
			ValidFrom: day("2026-01-01"), ValidUntil: day("2026-12-31")}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Consent)
		org   uuid.UUID
		areas []string
		day   string
		want  bool
	}{
		{"covers", nil, jc, []string{"work"}, "2026-06-01", true},
		{"every area", nil, jc, []string{"work", "language"}, "2026-06-01", true},
		{"first day", nil, jc, []string{"work"}, "2026-01-01", true},
		{"last day", nil, jc, []string{"work"}, "2026-12-31", true},
		{"before", nil, jc, []string{"work"}, "2025-12-31", false},
		{"after", nil, jc, []string{"work"}, "2027-01-01", false},
		{"another recipient", nil, caritas, []string{"work"}, "2026-06-01", false},
		{"an area not covered", nil, jc, []string{"work", "housing"}, "2026-06-01", false},
		{"revoked", func(c *Consent) { c.RevokedAt = &now }, jc, []string{"work"}, "2026-06-01", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			if tc.edit != nil {
				tc.edit(c)
			}
			if got := c.Covers(tc.org, tc.areas, day(tc.day)); got != tc.want {
				t.Errorf("covers: %v, want %v", got, tc.want)
			}
		})
	}
}
