package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// Editing a case after it was opened (handover.go): persons of the household, the main
// person, the responsible caseworker and the lead organisation's handover.

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

func wantCode(t *testing.T, err error, field, code string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a validation error %s %s", err, field, code)
	}
	for _, f := range ve.Fields {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("fields %+v, want %s %s", ve.Fields, field, code)
}

func personsOf(t *testing.T, w *world.World, caseID uuid.UUID) []model.Person {
	t.Helper()
	var ps []model.Person
	if err := w.DB.Gorm.Where("case_id = ?", caseID).Order("created_at, id").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestCaseEditPersons(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	svc, ctx := w.Services(t), context.Background()
	cw := w.Actor(t, w.HousingWorker)
	cv := w.Case(t, w.HousingWorker)
	primary := personsOf(t, w, cv.ID)[0]

	// Add a member, then edit them.
	child, err := svc.Cases.AddPerson(ctx, cw, cv.ID, model.PersonInput{FamilyName: "Kind", GivenNames: "Karim"})
	if err != nil {
		t.Fatal(err)
	}
	form, err := svc.Cases.EditPerson(ctx, cw, cv.ID, child.ID)
	if err != nil || form.Person == nil || !form.MayRemove || !form.MayMakePrimary || form.Reference != cv.Reference {
		t.Fatalf("edit form %+v, %v", form, err)
	}
	if form, err := svc.Cases.EditPerson(ctx, cw, cv.ID, primary.ID); err != nil || form.MayRemove || form.MayMakePrimary {
		t.Fatalf("the main person's form %+v, %v: may be removed or marked", form, err)
	}

	// Others: a partner, another municipal organisation, a head (reads, does not edit): 404.
	for _, u := range []*world.User{w.JobcenterWorker, w.MigrationWorker, w.HousingLead, w.DPO} {
		_, err := svc.Cases.EditPerson(ctx, w.Actor(t, u), cv.ID, child.ID)
		wantErr(t, err, model.ErrNotFound)
		wantErr(t, svc.Cases.RemovePerson(ctx, w.Actor(t, u), cv.ID, child.ID, child.Version), model.ErrNotFound)
		wantErr(t, svc.Cases.MakePrimary(ctx, w.Actor(t, u), cv.ID, child.ID, child.Version), model.ErrNotFound)
	}

	// The main person cannot be removed.
	err = svc.Cases.RemovePerson(ctx, cw, cv.ID, primary.ID, primary.Version)
	wantCode(t, err, "person", model.CodeMainPerson)

	// Mark the child as main person: exactly one main person, both in one transaction.
	last := w.LastAuditID(t)
	if err := svc.Cases.MakePrimary(ctx, cw, cv.ID, child.ID, child.Version); err != nil {
		t.Fatal(err)
	}
	var mains []uuid.UUID
	for _, p := range personsOf(t, w, cv.ID) {
		if p.IsPrimary {
			mains = append(mains, p.ID)
		}
	}
	if len(mains) != 1 || mains[0] != child.ID {
		t.Fatalf("main persons %v, want only %s", mains, child.ID)
	}
	evs := w.AuditAfter(t, last)
	if len(evs) != 1 || evs[0].Action != "person.primary" || evs[0].Details["former"] != primary.ID.String() || evs[0].CaseID == nil || *evs[0].CaseID != cv.ID {
		t.Fatalf("audit %+v", evs)
	}
	// A stale version is a conflict and changes nothing.
	wantErr(t, svc.Cases.MakePrimary(ctx, cw, cv.ID, primary.ID, primary.Version), model.ErrConflict)

	// The former main person may now go; a person a consent names may not.
	ps := personsOf(t, w, cv.ID)
	former := ps[0]
	if _, err := svc.Consents.Create(ctx, cw, cv.ID, model.ConsentCreate{
		PersonID: &child.ID, Recipients: []uuid.UUID{w.Jobcenter.ID}, Areas: []string{"work"},
		Purpose: "Vermittlung", ValidFrom: svc.Today(), ValidUntil: svc.Today().AddDate(1, 0, 0), Evidence: "Formular", Language: "de",
	}); err != nil {
		t.Fatal(err)
	}
	second, err := svc.Cases.AddPerson(ctx, cw, cv.ID, model.PersonInput{FamilyName: "Zweit"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Cases.MakePrimary(ctx, cw, cv.ID, second.ID, second.Version); err != nil {
		t.Fatal(err)
	}
	err = svc.Cases.RemovePerson(ctx, cw, cv.ID, child.ID, child.Version+2)
	wantCode(t, err, "person", model.CodeNamedByConsent)
	last = w.LastAuditID(t)
	if err := svc.Cases.RemovePerson(ctx, cw, cv.ID, former.ID, former.Version); err != nil {
		t.Fatal(err)
	}
	if n := len(personsOf(t, w, cv.ID)); n != 2 {
		t.Fatalf("%d persons after removing one of 3", n)
	}
	evs = w.AuditAfter(t, last)
	if len(evs) != 1 || evs[0].Action != "person.delete" || evs[0].ObjectID != former.ID.String() || len(evs[0].Details) != 0 {
		t.Fatalf("audit %+v", evs)
	}
}

func TestCaseHandOverResponsible(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	svc, ctx := w.Services(t), context.Background()
	cw := w.Actor(t, w.HousingWorker)
	cv := w.Case(t, w.HousingWorker)

	form, err := svc.Cases.ResponsibleForm(ctx, cw, cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range form.Choices {
		names = append(names, c.Name)
	}
	// Caseworkers of the lead organisation only: not the head, the administrator, the inactive
	// caseworker, nor the caseworker of the unit below.
	if len(names) != 2 || names[0] != "Wiebke Wohnen" || names[1] != "Willi Wohnen" {
		t.Fatalf("choices %v", names)
	}
	// Nobody outside: a partner, another office, the unit below, the DPO.
	for _, u := range []*world.User{w.JobcenterWorker, w.MigrationWorker, w.NorthWorker, w.DPO} {
		_, err := svc.Cases.ResponsibleForm(ctx, w.Actor(t, u), cv.ID)
		wantErr(t, err, model.ErrNotFound)
		wantErr(t, svc.Cases.HandOverResponsible(ctx, w.Actor(t, u), cv.ID, w.HousingWorker2.ID, cv.Version), model.ErrNotFound)
	}
	// Not to the head, nor to somebody of another organisation.
	for _, u := range []*world.User{w.HousingLead, w.MigrationWorker, w.Inactive} {
		wantCode(t, svc.Cases.HandOverResponsible(ctx, cw, cv.ID, u.ID, cv.Version), "responsible_user_id", model.CodeNotMember)
	}
	last := w.LastAuditID(t)
	if err := svc.Cases.HandOverResponsible(ctx, cw, cv.ID, w.HousingWorker2.ID, cv.Version); err != nil {
		t.Fatal(err)
	}
	evs := w.AuditAfter(t, last)
	if len(evs) != 1 || evs[0].Action != "case.handover" || evs[0].Details["from"] != w.HousingWorker.ID.String() || evs[0].Details["to"] != w.HousingWorker2.ID.String() {
		t.Fatalf("audit %+v", evs)
	}
	// The head reassigns it back (case.reassign, org_tree), with the current version.
	c, err := svc.Cases.Get(ctx, w.Actor(t, w.HousingLead), cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, svc.Cases.HandOverResponsible(ctx, w.Actor(t, w.HousingLead), cv.ID, w.HousingWorker.ID, cv.Version), model.ErrConflict)
	if err := svc.Cases.HandOverResponsible(ctx, w.Actor(t, w.HousingLead), cv.ID, w.HousingWorker.ID, c.Version); err != nil {
		t.Fatal(err)
	}
	if c, _ = svc.Cases.Get(ctx, cw, cv.ID); c.ResponsibleUserID == nil || *c.ResponsibleUserID != w.HousingWorker.ID {
		t.Fatalf("responsible %v", c.ResponsibleUserID)
	}
	// The case page says who may hand over.
	for _, tc := range []struct {
		u    *world.User
		want bool
	}{{w.HousingWorker, true}, {w.HousingLead, true}, {w.JobcenterWorker, false}} {
		o, err := svc.Cases.Overview(ctx, w.Actor(t, tc.u), cv.ID)
		if err != nil {
			if tc.want {
				t.Fatal(err)
			}
			continue
		}
		if o.May.HandOverResponsible != tc.want || (tc.u == w.HousingLead && (o.May.EditPersons || o.May.HandOverLead)) {
			t.Errorf("%s: capabilities %+v", tc.u.Name, o.May)
		}
	}
}

func TestCaseHandOverLead(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	svc, ctx := w.Services(t), context.Background()
	cw, mig := w.Actor(t, w.HousingWorker), w.Actor(t, w.MigrationWorker)
	cv := w.Case(t, w.HousingWorker)

	form, err := svc.Cases.HandoverForm(ctx, cw, cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, o := range form.Targets {
		targets = append(targets, o.ShortName)
	}
	// Municipal organisations only (those that may lead cases), not the lead itself.
	for _, o := range targets {
		if o == "FB-WOHNEN" || o == "JOBCENTER" || o == "CARITAS" || o == "DIAKONIE" {
			t.Fatalf("targets %v", targets)
		}
	}
	// Not to the job center.
	_, err = svc.Cases.RequestHandover(ctx, cw, cv.ID, w.Jobcenter.ID, "", cv.Version)
	wantCode(t, err, "org", model.CodeNotUsable)
	// Only the lead organisation's caseworker asks.
	for _, u := range []*world.User{w.MigrationWorker, w.HousingLead, w.JobcenterWorker} {
		_, err := svc.Cases.RequestHandover(ctx, w.Actor(t, u), cv.ID, w.Migration.ID, "", cv.Version)
		wantErr(t, err, model.ErrNotFound)
	}

	// Ask Migration, withdraw, ask again.
	h, err := svc.Cases.RequestHandover(ctx, cw, cv.ID, w.Migration.ID, "Umzug in den Zuständigkeitsbereich", cv.Version)
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Cases.RequestHandover(ctx, cw, cv.ID, w.Migration.ID, "", cv.Version)
	wantCode(t, err, "org", model.CodeHandoverPending)
	// The receiver cannot withdraw, the sender cannot accept.
	_, err = svc.Cases.WithdrawHandover(ctx, mig, h.ID, h.Version)
	wantErr(t, err, model.ErrForbidden)
	_, err = svc.Cases.AcceptHandover(ctx, cw, h.ID, h.Version)
	wantErr(t, err, model.ErrForbidden)
	if h, err = svc.Cases.WithdrawHandover(ctx, cw, h.ID, h.Version); err != nil || h.Status != model.HandoverWithdrawn {
		t.Fatalf("withdraw %+v, %v", h, err)
	}
	_, err = svc.Cases.AcceptHandover(ctx, mig, h.ID, h.Version)
	var te *model.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("accepting a withdrawn handover: %v", err)
	}

	// Before accepting, the receiver sees the reference, not the case.
	h, err = svc.Cases.RequestHandover(ctx, cw, cv.ID, w.Migration.ID, "bitte übernehmen", cv.Version)
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Cases.Handovers(ctx, mig)
	if err != nil || len(list.Incoming) != 1 || list.Incoming[0].Reference != cv.Reference || !list.Incoming[0].MayAnswer || len(list.Outgoing) != 0 {
		t.Fatalf("receiver's list %+v, %v", list, err)
	}
	if out, _ := svc.Cases.Handovers(ctx, cw); len(out.Outgoing) != 1 || !out.Outgoing[0].MayWithdraw || len(out.Incoming) != 0 {
		t.Fatalf("sender's list %+v", out)
	}
	_, err = svc.Cases.Get(ctx, mig, cv.ID)
	wantErr(t, err, model.ErrNotFound)
	// A third organisation neither sees nor accepts it.
	for _, u := range []*world.User{w.NorthWorker, w.JobcenterWorker, w.CaritasWorker} {
		_, err := svc.Cases.AcceptHandover(ctx, w.Actor(t, u), h.ID, h.Version)
		if !errors.Is(err, model.ErrNotFound) && !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("%s accepts: %v", u.Name, err)
		}
		if l, err := svc.Cases.Handovers(ctx, w.Actor(t, u)); err == nil && len(l.Incoming)+len(l.Outgoing) != 0 {
			t.Fatalf("%s sees %+v", u.Name, l)
		}
	}
	// Declining needs a reason, and keeps everything; a refused step writes no audit event
	// (the event is written in the step's transaction).
	before := w.LastAuditID(t)
	_, err = svc.Cases.DeclineHandover(ctx, mig, h.ID, " ", h.Version)
	wantCode(t, err, "reason", model.CodeRequired)
	if evs := w.AuditAfter(t, before); len(evs) != 0 {
		t.Fatalf("a refused decline wrote %+v", evs)
	}
	d, err := svc.Cases.DeclineHandover(ctx, mig, h.ID, "nicht zuständig", h.Version)
	if err != nil || d.Status != model.HandoverDeclined {
		t.Fatalf("decline %+v, %v", d, err)
	}
	if c, err := svc.Cases.Get(ctx, cw, cv.ID); err != nil || c.LeadOrgID != w.Housing.ID {
		t.Fatalf("after decline %+v, %v", c, err)
	}

	// Ask again; Migration accepts: the lead moves, the acceptor is responsible, Housing
	// loses the case, and both organisations are named in the audit event.
	h, err = svc.Cases.RequestHandover(ctx, cw, cv.ID, w.Migration.ID, "", cv.Version)
	if err != nil {
		t.Fatal(err)
	}
	last := w.LastAuditID(t)
	if h, err = svc.Cases.AcceptHandover(ctx, mig, h.ID, h.Version); err != nil || h.Status != model.HandoverAccepted {
		t.Fatalf("accept %+v, %v", h, err)
	}
	evs := w.AuditAfter(t, last)
	if len(evs) != 1 || evs[0].Action != "case.handover_accept" || evs[0].Details["from_org"] != w.Housing.ID.String() || evs[0].Details["to_org"] != w.Migration.ID.String() || *evs[0].CaseID != cv.ID {
		t.Fatalf("audit %+v", evs)
	}
	c, err := svc.Cases.Get(ctx, mig, cv.ID)
	if err != nil || c.LeadOrgID != w.Migration.ID || c.ResponsibleUserID == nil || *c.ResponsibleUserID != w.MigrationWorker.ID || !c.Access.Full {
		t.Fatalf("after accept %+v, %v", c, err)
	}
	for _, u := range []*world.User{w.HousingWorker, w.HousingLead} {
		_, err := svc.Cases.Get(ctx, w.Actor(t, u), cv.ID)
		wantErr(t, err, model.ErrNotFound)
	}
	// Accepting twice is refused.
	_, err = svc.Cases.AcceptHandover(ctx, mig, h.ID, h.Version)
	if !errors.As(err, &te) {
		t.Fatalf("accepting again: %v", err)
	}
}
