package service_test

import (
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// retentionCase is a case with a referral to the jobcenter in status st (covered by a
// consent), a person, a note and a task (through the builders).
func (w *cwWorld) retentionCase(st model.ReferralStatus) (caseID uuid.UUID, ref *model.Referral) {
	w.t.Helper()
	ref = w.referralIn(st)
	return ref.CaseID, ref
}

// closeCaseAgo marks the case closed ago before now (plain SQL: what closing involves is
// not what these tests test).
func (w *cwWorld) closeCaseAgo(id uuid.UUID, ago string) {
	w.t.Helper()
	if _, err := w.db.SQL.Exec(`UPDATE cases SET status = 'closed', closed_at = now() - $2::interval WHERE id = $1`, id, ago); err != nil {
		w.t.Fatal(err)
	}
}

// rawStatistics are the counts behind the city-wide statistics whose records a retention
// run may delete, before the small-number rule.
func (w *cwWorld) rawStatistics() map[string]int {
	w.t.Helper()
	out := map[string]int{}
	err := w.st.Read(w.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		refs, err := tx.Statistics().ReferralsByKindStatus(w.ctx)
		if err != nil {
			return err
		}
		cases, err := tx.Statistics().NewCasesByMonth(w.ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
		for _, c := range append(refs, cases...) {
			out[c.A+"/"+c.B] += c.N
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// TestRetentionRun: closed cases older than the rule go with everything of them (persons,
// consents, referrals, tasks, notes, notifications), a held case and a case closed recently
// stay whole, a referral that ended unworked long ago goes while a recent one stays, the
// evidence of a revoked consent is cleared, read notifications go after their days; the
// city-wide statistics are equal before and after, the audit names the rule and the id only,
// and a second run deletes nothing.
func TestRetentionRun(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	dpo := w.roleActor("dana", w.city, model.RoleDPO)
	coordinator := w.roleActor("kim", w.migration, model.RoleCoordinator)

	due, dueRef := w.retentionCase(model.ReferralCompleted)
	w.closeCaseAgo(due, "4 years")
	held, _ := w.retentionCase(model.ReferralDeclined)
	w.closeCaseAgo(held, "5 years")
	recent, _ := w.retentionCase(model.ReferralCompleted)
	w.closeCaseAgo(recent, "2 years")
	_, oldDeclined := w.retentionCase(model.ReferralDeclined)
	_, newDeclined := w.retentionCase(model.ReferralDeclined)
	if _, err := w.db.SQL.Exec(`UPDATE referrals SET closed_at = now() - interval '13 months' WHERE id = $1`, oldDeclined.ID); err != nil {
		t.Fatal(err)
	}
	// A consent revoked (its evidence goes) and one still valid (its evidence stays).
	revokedCase, _ := w.retentionCase(model.ReferralRevoked)
	validCase, _ := w.retentionCase(model.ReferralAccepted)
	// A notification read 91 days ago goes, one read yesterday stays.
	oldRead := w.notify(w.jobcenterWorker, model.NotifyReferralNew, model.ObjectReferral, newDeclined.ID)
	newRead := w.notify(w.jobcenterWorker, model.NotifyReferralAnswered, model.ObjectReferral, newDeclined.ID)
	onDue := w.notify(w.jobcenterWorker, model.NotifyReferralAnswered, model.ObjectReferral, dueRef.ID)
	if _, err := w.db.SQL.Exec(`UPDATE notifications SET read_at = now() - CASE WHEN id = $1 THEN interval '91 days' ELSE interval '1 day' END
		WHERE id IN ($1, $2)`, oldRead, newRead); err != nil {
		t.Fatal(err)
	}

	w.setClock(time.Now().Add(time.Minute)) // after the revocation
	var reference string
	if err := w.db.SQL.QueryRow(`SELECT reference FROM cases WHERE id = $1`, held).Scan(&reference); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Retention.Hold(w.ctx, dpo, model.CaseHoldInput{Reference: reference, Reason: "Klage vor dem Sozialgericht"}); err != nil {
		t.Fatalf("hold: %v", err)
	}
	preview, err := w.svc.Retention.Preview(w.ctx, dpo)
	if err != nil {
		t.Fatal(err)
	}
	want := model.RetentionCounts{Cases: 1, Referrals: 1, ConsentEvidence: 1, Notifications: 1}
	if preview.Due != want {
		t.Errorf("preview: %+v, want %+v", preview.Due, want)
	}
	if len(preview.Holds) != 1 || preview.Holds[0].CaseID != held || preview.Holds[0].Reference != reference || !preview.Holds[0].Due {
		t.Errorf("preview holds: %+v", preview.Holds)
	}

	before, err := w.svc.Statistics.Overview(w.ctx, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	rawBefore := w.rawStatistics()
	got, err := w.svc.Retention.Run(w.ctx)
	if err != nil || got != want {
		t.Fatalf("run: %+v, %v; want %+v", got, err, want)
	}
	after, err := w.svc.Statistics.Overview(w.ctx, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	before.At, after.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the statistics changed:\nbefore %+v\nafter  %+v", before, after)
	}
	// The small numbers here are hidden in the page; the counts behind it must be equal too.
	if rawAfter := w.rawStatistics(); !reflect.DeepEqual(rawBefore, rawAfter) {
		t.Errorf("the counts behind the statistics changed:\nbefore %v\nafter  %v", rawBefore, rawAfter)
	}

	for what, n := range map[string]int{
		"the due case":                         w.count(`SELECT count(*) FROM cases WHERE id = $1`, due),
		"the due case's persons":               w.count(`SELECT count(*) FROM persons WHERE case_id = $1`, due),
		"the due case's referrals":             w.count(`SELECT count(*) FROM referrals WHERE case_id = $1`, due),
		"the due case's tasks":                 w.count(`SELECT count(*) FROM tasks WHERE case_id = $1`, due),
		"the due case's notes":                 w.count(`SELECT count(*) FROM notes WHERE case_id = $1`, due),
		"the due case's consents":              w.count(`SELECT count(*) FROM consents WHERE case_id = $1`, due),
		"notifications of the due case":        w.count(`SELECT count(*) FROM notifications WHERE id = $1`, onDue),
		"the old declined referral":            w.count(`SELECT count(*) FROM referrals WHERE id = $1`, oldDeclined.ID),
		"the notification read long ago":       w.count(`SELECT count(*) FROM notifications WHERE id = $1`, oldRead),
		"evidence of the revoked consent":      w.count(`SELECT count(*) FROM consents WHERE case_id = $1 AND evidence <> ''`, revokedCase),
		"audit events naming the due case's …": w.count(`SELECT count(*) FROM audit_events WHERE action LIKE 'retention.%' AND details::text LIKE '%Haddad%'`),
	} {
		if n != 0 {
			t.Errorf("%s: %d left, want none", what, n)
		}
	}
	for what, n := range map[string]int{
		"the held case":                   w.count(`SELECT count(*) FROM cases WHERE id = $1`, held),
		"the held case's persons":         w.count(`SELECT count(*) FROM persons WHERE case_id = $1`, held),
		"the held case's referral":        w.count(`SELECT count(*) FROM referrals WHERE case_id = $1`, held),
		"the recently closed case":        w.count(`SELECT count(*) FROM cases WHERE id = $1`, recent),
		"the recently declined referral":  w.count(`SELECT count(*) FROM referrals WHERE id = $1`, newDeclined.ID),
		"the notification read yesterday": w.count(`SELECT count(*) FROM notifications WHERE id = $1`, newRead),
		"evidence of the valid consent":   w.count(`SELECT count(*) FROM consents WHERE case_id = $1 AND evidence <> ''`, validCase),
		"the deletion's audit event":      w.count(`SELECT count(*) FROM audit_events WHERE action = 'retention.delete' AND object_id = $1::uuid::text AND case_id = $1::uuid AND details->>'rule' = 'case'`, due),
	} {
		if n != 1 {
			t.Errorf("%s: %d, want 1", what, n)
		}
	}
	if again, err := w.svc.Retention.Run(w.ctx); err != nil || again != (model.RetentionCounts{}) {
		t.Errorf("second run: %+v, %v; want nothing", again, err)
	}
	// Lifting the hold lets the next run take the held case.
	if err := w.svc.Retention.Release(w.ctx, dpo, held); err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.Retention.Run(w.ctx); err != nil || got.Cases != 1 || w.count(`SELECT count(*) FROM cases WHERE id = $1`, held) != 0 {
		t.Errorf("run after the release: %+v, %v", got, err)
	}
}

// TestRetentionFailureLeavesWholeRecords: when deleting one case fails (a trigger refuses it),
// that case stays whole with all of it, the other due case goes, and the run reports the
// failure; nothing of the failed case's counts lands in the statistics' archive.
func TestRetentionFailureLeavesWholeRecords(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	failing, _ := w.retentionCase(model.ReferralCompleted)
	other, _ := w.retentionCase(model.ReferralCompleted)
	w.closeCaseAgo(failing, "4 years")
	w.closeCaseAgo(other, "4 years")
	owner, err := sql.Open("pgx", w.ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	for _, q := range []string{
		`CREATE FUNCTION refuse_case_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
			IF OLD.id = '` + failing.String() + `' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN OLD; END $$`,
		`CREATE TRIGGER refuse_case_delete BEFORE DELETE ON cases FOR EACH ROW EXECUTE FUNCTION refuse_case_delete()`,
	} {
		if _, err := owner.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	persons, referrals := w.count(`SELECT count(*) FROM persons WHERE case_id = $1`, failing), w.count(`SELECT count(*) FROM referrals WHERE case_id = $1`, failing)
	got, err := w.svc.Retention.Run(w.ctx)
	if err == nil || got.Cases != 1 {
		t.Fatalf("run: %+v, %v; want one case deleted and an error", got, err)
	}
	if errors.Is(err, model.ErrNotFound) {
		t.Errorf("the failure is reported as not found: %v", err)
	}
	if w.count(`SELECT count(*) FROM cases WHERE id = $1`, other) != 0 {
		t.Error("the other due case was not deleted")
	}
	if w.count(`SELECT count(*) FROM persons WHERE case_id = $1`, failing) != persons || w.count(`SELECT count(*) FROM referrals WHERE case_id = $1`, failing) != referrals {
		t.Error("the failed case is not whole")
	}
	if n := w.count(`SELECT coalesce(sum(n), 0)::int FROM statistics_archive WHERE kind = 'cases_opened'`); n != 1 {
		t.Errorf("%d cases counted in the archive, want 1 (the failed one rolled back)", n)
	}
}

// TestRetentionRefusals: holds need a known reference and a reason, a past end is refused,
// and only the data protection officer may preview or hold.
func TestRetentionRefusals(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	dpo := w.roleActor("dana", w.city, model.RoleDPO)
	yesterday := w.now().AddDate(0, 0, -1)
	for _, c := range []struct {
		in    model.CaseHoldInput
		field string
	}{
		{model.CaseHoldInput{Reference: "", Reason: "x"}, "reference"},
		{model.CaseHoldInput{Reference: "W-1999-0001", Reason: "x"}, "reference"},
		{model.CaseHoldInput{Reference: "W-1999-0001", Reason: "  "}, "reason"},
		{model.CaseHoldInput{Reference: "W-1999-0001", Reason: "x", Until: &yesterday}, "until"},
	} {
		w.unchanged("hold "+c.field, func() {
			_, err := w.svc.Retention.Hold(w.ctx, dpo, c.in)
			var v *model.ValidationError
			if !errors.As(err, &v) || !slices.ContainsFunc(v.Fields, func(f model.FieldError) bool { return f.Field == c.field }) {
				t.Errorf("hold %+v: %v, want an error on %s", c.in, err, c.field)
			}
		})
	}
	for _, a := range []model.Actor{w.housingWorker, w.housingLead, w.sysadmin} {
		if _, err := w.svc.Retention.Preview(w.ctx, a); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("preview as %s: %v, want forbidden", a.Name, err)
		}
		if _, err := w.svc.Retention.Hold(w.ctx, a, model.CaseHoldInput{Reference: "x", Reason: "y"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("hold as %s: %v, want forbidden", a.Name, err)
		}
	}
}
