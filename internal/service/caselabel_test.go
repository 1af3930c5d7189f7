package service_test

import (
	"context"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// Lists name the case of a task or referral through the case page's field mask: the lead
// organisation sees the main person and the household size, a partner the name only where a
// consent releases the identity, and "not released" otherwise.
func TestListsNameTheCaseThroughTheMask(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	ctx, svc := context.Background(), w.Services(t)
	lead := w.Actor(t, w.HousingWorker)

	named := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	if _, err := svc.Cases.AddPerson(ctx, lead, named.Case.ID, w.NewPerson()); err != nil {
		t.Fatal(err)
	}
	hidden := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent,
		Categories: []model.DataCategory{model.CategoryLanguages}})
	want := model.PersonName(named.Person.FamilyName, named.Person.GivenNames)

	// The lead organisation: every name, the whole household.
	housing := w.OrgOf(t, w.HousingWorker).ID
	tasks, err := svc.Tasks.List(ctx, lead, model.TaskFilter{OrgID: &housing, CaseID: &named.Case.ID})
	if err != nil || len(tasks.Items) != 1 {
		t.Fatalf("lead's tasks: %v, %+v", err, tasks)
	}
	if got := tasks.Items[0].Case; got == nil || got.Name != want || got.NameHidden || got.HouseholdSize != 2 || got.Reference != named.Case.Reference {
		t.Errorf("lead's task list names the case %+v, want %q with a household of 2", got, want)
	}
	one, err := svc.Tasks.Get(ctx, lead, named.Task.ID)
	if err != nil || one.Case == nil || one.Case.Name != want {
		t.Errorf("a single task names its case too: %v, %+v", err, one)
	}
	out, err := svc.Referrals.List(ctx, lead, model.ReferralFilter{Box: model.ReferralsOutgoing})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Items {
		if r.Case == nil || r.Case.NameHidden || r.Case.Name == "" {
			t.Errorf("the sender's outbox hides the person of %s: %+v", r.Reference, r.Case)
		}
	}

	// The partner: the name where the consent releases the identity, else "not released",
	// and never a household size the mask does not release person by person.
	partner := w.Actor(t, w.JobcenterWorker)
	in, err := svc.Referrals.List(ctx, partner, model.ReferralFilter{Box: model.ReferralsIncoming})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range in.Items {
		switch r.CaseID {
		case named.Case.ID:
			seen++
			if r.Case == nil || r.Case.Name != want || r.Case.NameHidden || r.Case.HouseholdSize != 2 {
				t.Errorf("partner with the identity released sees %+v, want %q and 2 persons", r.Case, want)
			}
		case hidden.Case.ID:
			seen++
			if r.Case == nil || r.Case.Name != "" || !r.Case.NameHidden || r.Case.HouseholdSize != 0 || r.Case.Reference != hidden.Case.Reference {
				t.Errorf("partner without the identity sees %+v, want the reference and \"not released\" only", r.Case)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("partner's inbox lists %d of the two referrals", seen)
	}
}
