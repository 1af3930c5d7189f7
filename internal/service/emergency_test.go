package service_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

const emergencyReason = "Anruf der Polizei: Kind allein in der Wohnung, Kontaktdaten nötig"

// emergencyRows counts the emergency accesses and the notifications of emergency access:
// what a refused request must leave as it was, beside the fingerprint.
func (w *cwWorld) emergencyRows() [2]int {
	w.t.Helper()
	return [2]int{w.count(`SELECT count(*) FROM emergency_accesses`), w.count(`SELECT count(*) FROM notifications WHERE kind = 'emergency_access'`)}
}

// caseRef is the reference of a case (as its lead organisation reads it).
func (w *cwWorld) caseRef(id uuid.UUID) string {
	w.t.Helper()
	var ref string
	if err := w.db.SQL.QueryRow(`SELECT reference FROM cases WHERE id = $1`, id).Scan(&ref); err != nil {
		w.t.Fatal(err)
	}
	return ref
}

// TestEmergencyAccess: a caseworker of a municipal department who cannot see a case opens it
// by emergency access with a reason. During the access the case reads (as full, to read
// only: nothing may be changed) and every read is an audited read marked with the access;
// the lead organisation is told; the officer's review shows the reason and what was read;
// at its end the case is hidden again (404), and the review keeps it. The access is limited
// to that case and that member.
func TestEmergencyAccess(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	w.setClock(start)
	caseID := w.newCase(w.housing)
	other := w.newCase(w.housing)
	ref := w.caseRef(caseID)
	worker := w.migrationWorker // municipal, but not the case's lead organisation

	if _, err := w.svc.Cases.Get(w.ctx, worker, caseID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("before the emergency access: %v, want not found", err)
	}

	e, gotCase, err := w.svc.Emergency.Grant(w.ctx, worker, model.EmergencyAccessInput{Reference: " " + ref + " ", Reason: emergencyReason})
	if err != nil || e == nil {
		t.Fatalf("grant: %v, %v", e, err)
	}
	if gotCase != caseID || e.CaseID != caseID || e.UserID != worker.UserID || e.OrgID != worker.OrgID || e.Reason != emergencyReason {
		t.Fatalf("grant: %+v (case %s), want case %s for %s", e, gotCase, caseID, worker.UserID)
	}
	if want := start.Add(model.DefaultEmergencyDuration); !e.ExpiresAt.Equal(want) {
		t.Errorf("expires at %s, want %s (4 hours)", e.ExpiresAt, want)
	}

	// During the window: the case reads in full, to read only.
	w.setClock(start.Add(model.DefaultEmergencyDuration - time.Second))
	cv, err := w.svc.Cases.Get(w.ctx, worker, caseID)
	if err != nil {
		t.Fatalf("read during the access: %v", err)
	}
	if !cv.Access.Emergency || !cv.Access.Full || len(cv.Persons) != 1 {
		t.Errorf("read during the access: access %+v, %d persons; want an emergency access showing the household", cv.Access, len(cv.Persons))
	}
	o, err := w.svc.Cases.Overview(w.ctx, worker, caseID)
	if err != nil {
		t.Fatalf("case page during the access: %v", err)
	}
	if o.Emergency == nil || o.Emergency.ID != e.ID || o.Emergency.Reason != emergencyReason {
		t.Errorf("case page: emergency %+v, want the access for the banner", o.Emergency)
	}
	if !reflect.DeepEqual(o.May, model.CaseCapabilities{}) {
		t.Errorf("case page offers changes through an emergency access: %+v", o.May)
	}
	if _, err := w.svc.Cases.Plan(w.ctx, worker, caseID); err != nil {
		t.Errorf("plan during the access: %v", err)
	}
	closed := model.CaseClosed
	reason := "erledigt"
	if _, err := w.svc.Cases.Update(w.ctx, worker, caseID, model.CasePatch{Status: &closed, StatusReason: &reason}, cv.Version); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("change through an emergency access: %v, want not found", err)
	}
	// A follow-up outlasts the moment: not through an emergency access.
	if _, err := w.svc.Notifications.SetFollowUp(w.ctx, worker, model.FollowUpInput{Object: model.ObjectCase, ID: caseID, WorkingDays: 2}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a follow-up through an emergency access: %v, want not found", err)
	}
	// Limited to that case and that member.
	if _, err := w.svc.Cases.Get(w.ctx, worker, other); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("another case during the access: %v, want not found", err)
	}
	colleague := w.roleActor("mira", w.migration, model.RoleCaseworker)
	if _, err := w.svc.Cases.Get(w.ctx, colleague, caseID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a colleague of the same department during the access: %v, want not found", err)
	}
	// Asking again while it lasts grants no second access.
	again, _, err := w.svc.Emergency.Grant(w.ctx, worker, model.EmergencyAccessInput{Reference: ref, Reason: emergencyReason})
	if err != nil || again == nil || again.ID != e.ID {
		t.Errorf("asking again during the access: %+v, %v; want the running access", again, err)
	}
	if n := w.count(`SELECT count(*) FROM emergency_accesses`); n != 1 {
		t.Errorf("%d emergency accesses, want 1", n)
	}

	// The trail: the grant, and every read marked with the access.
	var purpose, details string
	if err := w.db.SQL.QueryRow(`SELECT purpose, details::text FROM audit_events WHERE action = 'emergency_access.grant' AND actor_id = $1 AND case_id = $2`,
		worker.UserID, caseID).Scan(&purpose, &details); err != nil {
		t.Fatalf("grant event: %v", err)
	}
	if purpose != model.PurposeEmergencyAccess || !strings.Contains(details, e.ID.String()) {
		t.Errorf("grant event: purpose %q, details %s; want the emergency access and its id", purpose, details)
	}
	reads := w.count(`SELECT count(*) FROM audit_events WHERE actor_id = $1 AND case_id = $2 AND action IN ('case.read', 'plan.read')`, worker.UserID, caseID)
	marked := w.count(`SELECT count(*) FROM audit_events WHERE actor_id = $1 AND case_id = $2 AND action IN ('case.read', 'plan.read')
		AND purpose = $3 AND details->>'emergency_access_id' = $4`, worker.UserID, caseID, model.PurposeEmergencyAccess, e.ID.String())
	if reads != 3 || marked != reads {
		t.Errorf("%d reads during the access, %d marked with it; want 3, all marked", reads, marked)
	}
	// The lead organisation is told, and its member sees the notification.
	if n := w.count(`SELECT count(*) FROM notifications WHERE kind = 'emergency_access' AND object_id = $1 AND org_id = $2`, caseID, w.housing); n == 0 {
		t.Error("the lead organisation was not notified")
	}
	told := false
	for _, it := range w.notifications(w.housingWorker) {
		if it.Kind == model.NotifyEmergencyAccess && it.TargetID == caseID && it.Available {
			told = true
		}
	}
	if !told {
		t.Error("the lead organisation's caseworker has no notification of the emergency access")
	}

	// At its end the case is hidden again.
	w.setClock(start.Add(model.DefaultEmergencyDuration))
	if _, err := w.svc.Cases.Get(w.ctx, worker, caseID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("read at the end of the access: %v, want not found", err)
	}
	if _, err := w.svc.Cases.Overview(w.ctx, worker, caseID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("case page at the end of the access: %v, want not found", err)
	}
	if a, err := w.svc.Emergency.Active(w.ctx, worker, caseID); err != nil || a != nil {
		t.Errorf("active after the end: %+v, %v", a, err)
	}

	// The officer sees the access with its reason and what was read.
	dpo := w.roleActor("dana", w.city, model.RoleDPO)
	list, err := w.svc.Emergency.Review(w.ctx, dpo)
	if err != nil {
		t.Fatalf("review: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("review lists %d accesses, want 1", len(list))
	}
	r := list[0]
	if r.ID != e.ID || r.Reason != emergencyReason || r.Reference != ref || r.UserName == "" || r.OrgName == "" || r.Active(w.now()) {
		t.Errorf("review row %+v", r.EmergencyAccess)
	}
	var actions []string
	for _, ev := range r.Reads {
		actions = append(actions, ev.Action)
		if ev.CaseID == nil || *ev.CaseID != caseID || ev.ActorID == nil || *ev.ActorID != worker.UserID {
			t.Errorf("review lists an event of another case or member: %+v", ev)
		}
	}
	for _, want := range []string{"emergency_access.grant", "case.read", "plan.read"} {
		if !slices.Contains(actions, want) {
			t.Errorf("review's reads %v lack %s", actions, want)
		}
	}
	if n := w.auditCount("emergency_access.review"); n != 1 {
		t.Errorf("%d review events, want 1", n)
	}
	// The review is the officer's only.
	if _, err := w.svc.Emergency.Review(w.ctx, worker); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("a caseworker's review: %v, want forbidden", err)
	}
}

// TestEmergencyAccessRefusals: no reason, a reason too short, no or an unknown reference, a
// caseworker of a partner organisation: each a clear refusal that changes nothing. A case
// the member reads anyway needs no emergency access and gets none.
func TestEmergencyAccessRefusals(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	ref := w.caseRef(caseID)
	for _, tc := range []struct {
		name   string
		actor  model.Actor
		in     model.EmergencyAccessInput
		want   error
		field  string
		code   string
		params model.Params
	}{
		{"no reason", w.migrationWorker, model.EmergencyAccessInput{Reference: ref, Reason: "   "}, model.ErrInvalid, "reason", model.CodeRequired, nil},
		{"reason too short", w.migrationWorker, model.EmergencyAccessInput{Reference: ref, Reason: "dringend, bitte!"}, model.ErrInvalid, "reason", model.CodeTooShort, model.Params{"min": model.EmergencyReasonMin}},
		{"no reference", w.migrationWorker, model.EmergencyAccessInput{Reason: emergencyReason}, model.ErrInvalid, "reference", model.CodeRequired, nil},
		{"unknown reference", w.migrationWorker, model.EmergencyAccessInput{Reference: "F-1999-99999", Reason: emergencyReason}, model.ErrInvalid, "reference", model.CodeUnknown, nil},
		{"partner caseworker", w.jobcenterWorker, model.EmergencyAccessInput{Reference: ref, Reason: emergencyReason}, model.ErrForbidden, "", "", nil},
		{"partner caseworker of a charity", w.caritasWorker, model.EmergencyAccessInput{Reference: ref, Reason: emergencyReason}, model.ErrForbidden, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := w.emergencyRows()
			w.unchanged(tc.name, func() {
				e, _, err := w.svc.Emergency.Grant(w.ctx, tc.actor, tc.in)
				if e != nil {
					t.Errorf("granted %+v", e)
				}
				cwErr(t, err, tc.want, tc.field)
				if tc.code == "" {
					return
				}
				var ve *model.ValidationError
				errors.As(err, &ve)
				if ve.Fields[0].Code != tc.code {
					t.Errorf("code %s, want %s", ve.Fields[0].Code, tc.code)
				}
				for k, v := range tc.params {
					if ve.Fields[0].Params[k] != v {
						t.Errorf("param %s = %v, want %v", k, ve.Fields[0].Params[k], v)
					}
				}
			})
			if got := w.emergencyRows(); got != rows {
				t.Errorf("accesses and notifications %v, want %v", got, rows)
			}
			if _, err := w.svc.Cases.Get(w.ctx, tc.actor, caseID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("the case after a refusal: %v, want not found", err)
			}
		})
	}
	// The lead organisation's caseworker reads the case anyway: nothing is granted.
	rows := w.emergencyRows()
	e, got, err := w.svc.Emergency.Grant(w.ctx, w.housingWorker, model.EmergencyAccessInput{Reference: ref, Reason: emergencyReason})
	if err != nil || e != nil || got != caseID {
		t.Errorf("a case visible anyway: %+v, %s, %v; want nothing granted and the case", e, got, err)
	}
	if w.emergencyRows() != rows || w.auditCount("emergency_access.grant") != 0 {
		t.Error("a case visible anyway got an emergency access")
	}
}
