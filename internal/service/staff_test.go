package service_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
)

// staffReached returns which of ids the staff scope kinds of org reach (the store's "staff"
// predicates, as the service asks them).
func (w *cwWorld) staffReached(a model.Actor, org uuid.UUID, kinds []model.ScopeKind, ids ...uuid.UUID) []uuid.UUID {
	w.t.Helper()
	sc := model.Scope{Object: "staff", Action: "read", Kinds: kinds, OrgID: org, UserID: a.UserID}
	var out []uuid.UUID
	err := w.st.Tx(w.ctx, a, func(tx *store.Tx) error {
		rows, err := tx.Staff().Contacts(w.ctx, sc, ids)
		for id := range rows {
			out = append(out, id)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// TestReferralContacts: both sides of a referral see the other side's contact person (name,
// organisation, business phone and e-mail; the organisation's contact data where the member
// has none), the sender at once and the recipient's once somebody answers it; an organisation
// without a referral reaches no staff of another organisation, and a counterpart reaches
// only the contact persons, not their colleagues.
func TestReferralContacts(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	if err := w.db.Gorm.Exec(`UPDATE users SET business_phone = '0221 123-45', business_email = 'w.wohnen@stadt.test' WHERE id = ?`, w.housingWorker.UserID).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.db.Gorm.Exec(`UPDATE organisations SET contact_phone = '0221 999-0' WHERE id = ?`, w.jobcenter).Error; err != nil {
		t.Fatal(err)
	}
	ref, _ := w.coveredReferral(w.jobcenter)

	got, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs := got.Contacts
	if cs == nil || cs.Sender == nil {
		t.Fatalf("the recipient sees no sender contact: %+v", cs)
	}
	if cs.Sender.Name != w.housingWorker.Name || cs.Sender.Phone != "0221 123-45" || cs.Sender.Email != "w.wohnen@stadt.test" || cs.Sender.OrgID != w.housing {
		t.Errorf("sender contact = %+v", cs.Sender)
	}
	if cs.Recipient != nil {
		t.Errorf("a recipient contact before anybody answered: %+v", cs.Recipient)
	}
	if cs.RecipientOrg.OrgID != w.jobcenter || cs.RecipientOrg.OrgPhone != "0221 999-0" {
		t.Errorf("recipient organisation = %+v", cs.RecipientOrg)
	}

	acc, err := w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, got.Version)
	if err != nil {
		t.Fatal(err)
	}
	if acc.AssigneeID == nil || *acc.AssigneeID != w.jobcenterWorker.UserID {
		t.Errorf("accepting does not make the accepting member the assignee: %v", acc.AssigneeID)
	}
	sent, err := w.svc.Referrals.Get(w.ctx, w.housingWorker, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := sent.Contacts.Recipient; r == nil || r.Name != w.jobcenterWorker.Name || r.OrgID != w.jobcenter || r.Phone != "" || r.OrgPhone != "0221 999-0" {
		t.Errorf("the sender sees recipient contact %+v", r)
	}

	// The staff predicates, exactly: the jobcenter reaches the sender, not the sender's
	// colleague; Caritas (no referral with Housing) reaches nobody of Housing; Housing's
	// caseworkers reach their colleagues.
	ids := []uuid.UUID{w.housingWorker.UserID, w.housingWorker2.UserID, w.housingLead.UserID, w.northWorker.UserID}
	referred := []model.ScopeKind{model.ScopeReferred}
	if r := w.staffReached(w.jobcenterWorker, w.jobcenter, referred, ids...); !slices.Equal(r, []uuid.UUID{w.housingWorker.UserID}) {
		t.Errorf("the jobcenter reaches %v of Housing's staff, want only the sender %v", r, w.housingWorker.UserID)
	}
	if r := w.staffReached(w.caritasWorker, w.caritas, referred, ids...); len(r) != 0 {
		t.Errorf("Caritas, without a referral, reaches %v of Housing's staff", r)
	}
	if r := w.staffReached(w.housingWorker, w.housing, referred, w.jobcenterWorker.UserID, w.caritasWorker.UserID); !slices.Equal(r, []uuid.UUID{w.jobcenterWorker.UserID}) {
		t.Errorf("Housing reaches %v of the partners' staff, want only who answers %v", r, w.jobcenterWorker.UserID)
	}
	org := []model.ScopeKind{model.ScopeOrg}
	if r := w.staffReached(w.housingWorker, w.housing, org, w.housingWorker2.UserID, w.jobcenterWorker.UserID, w.northWorker.UserID); !slices.Equal(r, []uuid.UUID{w.housingWorker2.UserID}) {
		t.Errorf("a caseworker's colleagues: %v, want %v", r, w.housingWorker2.UserID)
	}

	// A caseworker sees a colleague's name on the case page, not "another person".
	caseID := ref.CaseID
	if _, err := w.svc.Notes.Create(w.ctx, w.housingWorker2, caseID, model.NoteCreate{Body: "Rückruf vereinbart", Visibility: model.NoteOrg}); err != nil {
		t.Fatal(err)
	}
	ov, err := w.svc.Cases.Overview(w.ctx, w.housingWorker, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if ov.People[w.housingWorker2.UserID] != w.housingWorker2.Name {
		t.Errorf("the case page names the colleague %q, want %q", ov.People[w.housingWorker2.UserID], w.housingWorker2.Name)
	}
}

// TestReassignReferral: the head names who answers an incoming referral of the team: only a
// caseworker of the receiving organisation, only an active incoming referral of the team,
// only at the current version; one audit event in the same transaction; the new assignee is
// the recipient's contact person.
func TestReassignReferral(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	migCase := w.newCase(w.migration)
	cons, err := w.svc.Consents.Create(w.ctx, w.migrationWorker, migCase, w.consentInput([]uuid.UUID{w.housing}, "work"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := w.svc.Referrals.Create(w.ctx, w.migrationWorker, migCase, model.ReferralCreate{ToOrgID: w.housing, Areas: []string{"work"}, ConsentID: &cons.ID})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := w.coveredReferral(w.jobcenter)

	for _, tc := range []struct {
		name     string
		assignee uuid.UUID
	}{
		{"a caseworker of a unit, not the receiving organisation", w.northWorker.UserID},
		{"the head, no caseworker", w.housingLead.UserID},
		{"a partner's caseworker", w.jobcenterWorker.UserID},
	} {
		w.unchanged(tc.name, func() {
			_, err := w.svc.Referrals.Reassign(w.ctx, w.housingLead, in.ID, in.Version, tc.assignee)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Code != model.CodeNotMember {
				t.Errorf("%s: err = %v, want not_member", tc.name, err)
			}
		})
	}
	w.unchanged("an outgoing referral", func() {
		if _, err := w.svc.Referrals.Reassign(w.ctx, w.housingLead, out.ID, out.Version, w.housingWorker2.UserID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("reassigning an outgoing referral: %v, want not found", err)
		}
	})
	w.unchanged("a caseworker", func() {
		if _, err := w.svc.Referrals.Reassign(w.ctx, w.housingWorker, in.ID, in.Version, w.housingWorker2.UserID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a caseworker reassigning: %v, want not found", err)
		}
	})
	w.unchanged("an old version", func() {
		if _, err := w.svc.Referrals.Reassign(w.ctx, w.housingLead, in.ID, in.Version-1, w.housingWorker2.UserID); !errors.Is(err, model.ErrConflict) {
			t.Errorf("an old version: %v, want conflict", err)
		}
	})

	before := w.auditCount("referral.reassign")
	got, err := w.svc.Referrals.Reassign(w.ctx, w.housingLead, in.ID, in.Version, w.housingWorker2.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AssigneeID == nil || *got.AssigneeID != w.housingWorker2.UserID || got.Version != in.Version+1 {
		t.Errorf("reassigned = assignee %v version %d", got.AssigneeID, got.Version)
	}
	if n := w.auditCount("referral.reassign"); n != before+1 {
		t.Errorf("referral.reassign events: %d, want %d", n, before+1)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'referral.reassign' AND details->>'assignee_id' = $1 AND case_id = $2`, w.housingWorker2.UserID.String(), migCase.String()); n != 1 {
		t.Errorf("the audit event does not name the assignee and case: %d", n)
	}
	seen, err := w.svc.Referrals.Get(w.ctx, w.migrationWorker, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := seen.Contacts.Recipient; r == nil || r.Name != w.housingWorker2.Name {
		t.Errorf("the sender sees recipient contact %+v, want %s", r, w.housingWorker2.Name)
	}

	// The team's list: exactly the active referrals from or to Housing and North, incoming
	// marked, the incoming one with the answerers of Housing.
	team, err := w.svc.Dashboard.Team(w.ctx, w.housingLead, service.TeamFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var listed []uuid.UUID
	for _, r := range team.Referrals {
		listed = append(listed, r.ID)
		if r.ID == in.ID && (!r.Incoming || !r.MayReassign || r.AssigneeName != w.housingWorker2.Name || r.SenderName != w.migrationWorker.Name) {
			t.Errorf("incoming row = %+v", r)
		}
		if r.ID == out.ID && (r.Incoming || r.MayReassign || r.Case == nil) {
			t.Errorf("outgoing row = %+v", r)
		}
	}
	want := w.teamReferralOracle(w.housing, w.north)
	slices.SortFunc(listed, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	if !slices.Equal(listed, want) || team.ReferralsTotal != len(want) {
		t.Errorf("team referrals = %v (total %d), want %v", listed, team.ReferralsTotal, want)
	}

	// The reassignment page of the incoming one: the row as the list shows it, and the
	// caseworkers of Housing to choose from; one "referral.read" event. The outgoing one,
	// and anyone without referral.reassign, get not found.
	before = w.auditCount("referral.read")
	page, err := w.svc.Dashboard.ReferralReassignment(w.ctx, w.housingLead, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := page.Referral; r.ID != in.ID || !r.Incoming || !r.MayReassign || r.AssigneeName != w.housingWorker2.Name || r.SenderName != w.migrationWorker.Name || r.ToOrg == "" {
		t.Errorf("the page's referral = %+v", r)
	}
	var answerers []uuid.UUID
	for _, m := range page.Answerers {
		if m.OrgID != w.housing {
			t.Errorf("an answerer of another organisation: %+v", m)
		}
		answerers = append(answerers, m.ID)
	}
	if !slices.Contains(answerers, w.housingWorker2.UserID) || slices.Contains(answerers, w.housingLead.UserID) {
		t.Errorf("answerers of Housing = %v", answerers)
	}
	if n := w.auditCount("referral.read"); n != before+1 {
		t.Errorf("referral.read events: %d, want %d", n, before+1)
	}
	for _, tc := range []struct {
		name string
		a    model.Actor
		id   uuid.UUID
	}{{"an outgoing referral", w.housingLead, out.ID}, {"a caseworker", w.housingWorker, in.ID}, {"the sender's caseworker", w.migrationWorker, in.ID}} {
		if _, err := w.svc.Dashboard.ReferralReassignment(w.ctx, tc.a, tc.id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the reassignment page, %s: %v, want not found", tc.name, err)
		}
	}
}

// teamReferralOracle lists, straight from the table, the active referrals from or to orgs
// (the head reaches every one of them: sent by the team, or received and covered).
func (w *cwWorld) teamReferralOracle(orgs ...uuid.UUID) []uuid.UUID {
	w.t.Helper()
	rows, err := w.db.SQL.Query(`SELECT id FROM referrals WHERE (from_org_id = ANY($1::uuid[]) OR to_org_id = ANY($1::uuid[]))
		AND status IN ('sent', 'accepted', 'in_progress')`, "{"+orgs[0].String()+","+orgs[1].String()+"}")
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}
