package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The read models of the browser's pages over the API (handlers_overview.go): the case page
// and the referral form answer what the service's read models hold, for API clients as for
// the UI.

func TestCaseOverviewOverTheAPI(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	url := caseURL(cw.Case.ID) + "/overview"
	read := func(u *world.User) api.CaseOverview {
		t.Helper()
		r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: url})
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", u.Name, r.Status, r.Body)
		}
		var o api.CaseOverview
		r.JSON(t, &o)
		return o
	}

	lead := read(w.HousingWorker)
	if lead.Case.Id != cw.Case.ID || lead.Case.Access.Level != api.Full || len(lead.Case.Persons) != 1 || lead.Case.Persons[0].Phone == nil {
		t.Errorf("the lead's case %+v", lead.Case)
	}
	m := lead.May
	if !m.Update || !m.EditPlan || !m.AddNote || !m.ReadConsents || !m.RecordConsent || !m.RevokeConsent || !m.Refer ||
		!slices.Equal(m.StatusNext, []api.CaseStatus{"paused", "closed"}) {
		t.Errorf("the lead may %+v", m)
	}
	if len(lead.Consents) != 1 || lead.Consents[0].Consent.Id != cw.Consent.ID || !lead.Consents[0].MayRevoke || !lead.Consents[0].Valid {
		t.Errorf("consents %+v", lead.Consents)
	}
	if len(lead.Referrals) != 1 || lead.Referrals[0].Referral.Id != cw.Referral.ID || lead.Referrals[0].MayAnswer || !lead.Referrals[0].MayWithdraw {
		t.Errorf("referrals %+v", lead.Referrals)
	}
	if len(lead.Tasks) != 1 || len(lead.Notes) != 2 || len(lead.Areas) == 0 || len(lead.Organisations) == 0 || len(lead.People) != 1 || lead.People[0].DisplayName != "Wiebke Wohnen" {
		t.Errorf("%d tasks, %d notes, %d areas, %d organisations, people %v", len(lead.Tasks), len(lead.Notes), len(lead.Areas), len(lead.Organisations), lead.People)
	}
	last := lead.Timeline[len(lead.Timeline)-1]
	if last.Kind != api.TimelineEntryKindOpened || last.Id != nil {
		t.Errorf("the timeline ends with %+v", last)
	}
	for _, e := range lead.Timeline {
		if e.Kind == api.TimelineEntryKindNote && (e.Id == nil || !slices.ContainsFunc(lead.Notes, func(n api.Note) bool { return n.Id == *e.Id })) {
			t.Errorf("a note entry names no note of the page: %+v", e)
		}
	}

	head := read(w.HousingLead)
	if len(head.People) != 1 || head.People[0].Id != w.HousingWorker.ID || head.People[0].DisplayName != "Wiebke Wohnen" {
		t.Errorf("the head reads the names %+v", head.People)
	}
	if head.May.Update || head.May.Refer || head.May.EditPlan {
		t.Errorf("the head may %+v", head.May)
	}

	partner := read(w.JobcenterWorker)
	if partner.Case.Access.Level != api.Referred || len(partner.Consents) != 0 || partner.May.ReadConsents || partner.May.Refer ||
		!partner.May.NoteAreaRequired || !slices.Equal(partner.May.NoteAreas, []api.AreaCode{"work"}) {
		t.Errorf("the partner's page: access %+v, may %+v", partner.Case.Access, partner.May)
	}
	if len(partner.Referrals) != 1 || !partner.Referrals[0].MayAnswer {
		t.Errorf("the partner's referrals %+v", partner.Referrals)
	}

	for _, u := range []*world.User{w.CaritasWorker, w.Sysadmin, w.DPO} {
		if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: url}); r.Status != http.StatusNotFound {
			t.Errorf("%s: status %d", u.Name, r.Status)
		}
	}
}

func TestConsentCoveringOverTheAPI(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker})
	url := caseURL(cw.Case.ID) + "/consents/covering"
	read := func(query string) api.ConsentCovering {
		t.Helper()
		r := w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodGet, URL: url + query})
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", query, r.Status, r.Body)
		}
		var c api.ConsentCovering
		r.JSON(t, &c)
		return c
	}
	c := read("?org_id=" + w.Jobcenter.ID.String() + "&areas=work")
	if !c.Ready || c.Reference != cw.Case.Reference || len(c.Consents) != 1 || !c.Consents[0].Covers || c.Consents[0].Consent.Id != cw.Consent.ID ||
		c.OrgId == nil || *c.OrgId != w.Jobcenter.ID || !slices.Equal(c.AreasChosen, []string{"work"}) || len(c.LegalBases) == 0 {
		t.Errorf("covered: %+v", c)
	}
	for _, o := range c.Organisations {
		if o.Id == w.Housing.ID {
			t.Error("the form offers the own organisation")
		}
	}
	c = read("?org_id=" + w.Jobcenter.ID.String() + "&areas=work&areas=housing")
	if !c.Ready || len(c.Consents) != 1 || c.Consents[0].Covers {
		t.Errorf("not covered: %+v", c)
	}
	c = read("")
	if c.Ready || c.OrgId != nil || len(c.Consents) != 1 || c.Consents[0].Covers {
		t.Errorf("nothing chosen: %+v", c)
	}
	if r := w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodGet, URL: url + "?org_id=kein"}); r.Status != http.StatusBadRequest {
		t.Errorf("a malformed org_id: status %d", r.Status)
	}
	for _, u := range []*world.User{w.JobcenterWorker, w.CaritasWorker, w.HousingAdmin} {
		if r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: url}); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Errorf("%s: status %d", u.Name, r.Status)
		}
	}
}
