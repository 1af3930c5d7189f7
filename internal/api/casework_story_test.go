package api_test

import (
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestCaseFromFirstContactToCompletedReferral is the story of issue 5 through the API only:
// the housing office opens a case, records a consent for the job center and refers the case
// for work; the job center sees exactly what the referral and the consent allow, accepts,
// works and completes it; the housing office follows every step; afterwards the job center
// sees nothing of the case; and the audit trail names every read and write with actor,
// organisation, case and purpose.
func TestCaseFromFirstContactToCompletedReferral(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	const housingPurpose, jobPurpose = "Erstberatung Wohnen", "Vermittlung Arbeit"
	asHousing := func(method, url string, body any, h ...string) world.Request {
		return world.Request{As: w.HousingWorker, Method: method, URL: url, Body: body, Headers: headers(append([]string{"X-Lotse-Purpose", housingPurpose}, h...)...)}
	}
	asJob := func(method, url string, body any, h ...string) world.Request {
		return world.Request{As: w.JobcenterWorker, Method: method, URL: url, Body: body, Headers: headers(append([]string{"X-Lotse-Purpose", jobPurpose}, h...)...)}
	}
	start := w.LastAuditID(t)

	// First contact: the housing office opens the case.
	res := call(t, w, 201, asHousing("POST", base+"/cases", map[string]any{"primary": personBody("Al-Khatib")}))
	c := decode[api.Case](t, res)
	if etagOf(t, res) != `"1"` || c.Status != api.CaseStatusOpen || c.LeadOrgId != w.Housing.ID || c.Access.Level != api.Full || len(c.Plan) != 6 {
		t.Fatalf("new case: %s", res.Body)
	}

	// The person consents to share names and languages with the job center, for work.
	res = call(t, w, 201, asHousing("POST", caseURL(c.Id)+"/consents", consentBody(w.Jobcenter, "work")))
	consent := decode[api.Consent](t, res)

	// The housing office refers the case to the job center for work.
	res = call(t, w, 201, asHousing("POST", caseURL(c.Id)+"/referrals", map[string]any{
		"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "message": "Sucht Arbeit als Elektriker", "consent_id": consent.Id,
	}))
	ref := decode[api.Referral](t, res)
	if ref.Status != api.ReferralStatusSent || ref.FromOrgId != w.Housing.ID || etagOf(t, res) != `"1"` {
		t.Fatalf("new referral: %s", res.Body)
	}

	// The job center finds it among its incoming referrals.
	res = call(t, w, 200, asJob("GET", base+"/referrals?direction=incoming", nil))
	in := decode[api.ReferralList](t, res)
	if in.Total != 1 || len(in.Items) != 1 || in.Items[0].Id != ref.Id {
		t.Fatalf("incoming: %s", res.Body)
	}

	// It reads the case: names and languages, the work row of the plan, no contact data,
	// nothing of the other areas.
	res = call(t, w, 200, asJob("GET", caseURL(c.Id), nil))
	seen := decode[api.Case](t, res)
	if seen.Access.Level != api.Referred || !slices.Equal(seen.Access.ReferredAreas, []string{"work"}) {
		t.Errorf("partner access: %+v", seen.Access)
	}
	if len(seen.Persons) != 1 || seen.Persons[0].FamilyName == nil || *seen.Persons[0].FamilyName != "Al-Khatib" ||
		seen.Persons[0].Languages == nil || !slices.Equal(*seen.Persons[0].Languages, []string{"ar"}) {
		t.Errorf("partner does not see names and languages: %s", res.Body)
	}
	for _, hidden := range []string{"phone", "email", "address", "residence_status", "Duldung", "0541", "Hauptstr", "arrival_date", "status_reason", "district", "Schinkel"} {
		if _, ok := containsAny(string(res.Body), []string{hidden}); ok {
			t.Errorf("partner sees %q: %s", hidden, res.Body)
		}
	}
	if len(seen.Plan) != 1 || seen.Plan[0].Area != "work" {
		t.Errorf("partner plan rows: %+v", seen.Plan)
	}
	res = call(t, w, 200, asJob("GET", caseURL(c.Id)+"/plan", nil))
	if p := decode[api.AreaStatusList](t, res); len(p.Items) != 1 || p.Items[0].Area != "work" {
		t.Errorf("partner plan: %s", res.Body)
	}
	call(t, w, 404, asJob("PATCH", caseURL(c.Id)+"/plan/housing", map[string]any{"status": "waiting"}, "If-Match", `"1"`))
	call(t, w, 404, asJob("GET", caseURL(c.Id)+"/consents", nil))

	// It accepts, starts, keeps the work row current, notes what it did and plans a task.
	res = call(t, w, 200, asJob("POST", referralURL(ref.Id)+"/accept", nil, "If-Match", `"1"`))
	res = call(t, w, 200, asJob("POST", referralURL(ref.Id)+"/start", nil, "If-Match", etagOf(t, res)))
	if r := decode[api.Referral](t, res); r.Status != api.ReferralStatusInProgress || r.AnsweredBy == nil || *r.AnsweredBy != w.JobcenterWorker.ID {
		t.Fatalf("started referral: %s", res.Body)
	}
	refETag := etagOf(t, res)
	call(t, w, 200, asJob("PATCH", caseURL(c.Id)+"/plan/work", map[string]any{"status": "in_progress", "note": "Profiling am 3.3."}, "If-Match", `"1"`))
	res = call(t, w, 201, asJob("POST", caseURL(c.Id)+"/notes", map[string]any{"area": "work", "visibility": "shared", "body": "Termin beim Arbeitgeberservice vereinbart"}))
	note := decode[api.Note](t, res)
	res = call(t, w, 201, asJob("POST", base+"/tasks", map[string]any{"org_id": w.Jobcenter.ID, "referral_id": ref.Id, "title": "Anerkennung des Abschlusses klären", "due_date": day(14)}))
	task := decode[api.Task](t, res)
	if task.CaseId == nil || *task.CaseId != c.Id {
		t.Errorf("the task is not linked to the case of the referral: %s", res.Body)
	}

	// The housing office sees the status, the job center's note and the work row.
	res = call(t, w, 200, asHousing("GET", referralURL(ref.Id), nil))
	if r := decode[api.Referral](t, res); r.Status != api.ReferralStatusInProgress {
		t.Errorf("sender sees status %s", r.Status)
	}
	res = call(t, w, 200, asHousing("GET", base+"/referrals?direction=outgoing&status=in_progress", nil))
	if l := decode[api.ReferralList](t, res); l.Total != 1 || l.Items[0].Id != ref.Id {
		t.Errorf("outgoing: %s", res.Body)
	}
	res = call(t, w, 200, asHousing("GET", caseURL(c.Id)+"/notes", nil))
	if l := decode[api.NoteList](t, res); !slices.ContainsFunc(l.Items, func(n api.Note) bool { return n.Id == note.Id }) {
		t.Errorf("the shared note is missing for the lead: %s", res.Body)
	}
	res = call(t, w, 200, asHousing("GET", caseURL(c.Id)+"/plan", nil))
	if l := decode[api.AreaStatusList](t, res); len(l.Items) != 6 || l.Items[1].Area != "work" || l.Items[1].Status != api.AreaStatusValueInProgress {
		t.Errorf("lead plan: %s", res.Body)
	}

	// The job center finishes its task and completes the referral with an outcome.
	call(t, w, 200, asJob("PATCH", taskURL(task.Id), map[string]any{"status": "done"}, "If-Match", `"1"`))
	res = call(t, w, 200, asJob("POST", referralURL(ref.Id)+"/complete", map[string]any{"outcome": "Arbeitsvertrag ab 1. Mai"}, "If-Match", refETag))
	if r := decode[api.Referral](t, res); r.Status != api.ReferralStatusCompleted {
		t.Fatalf("completed: %s", res.Body)
	}
	res = call(t, w, 200, asHousing("GET", referralURL(ref.Id), nil))
	if r := decode[api.Referral](t, res); r.Status != api.ReferralStatusCompleted || r.Outcome != "Arbeitsvertrag ab 1. Mai" {
		t.Errorf("sender sees: %s", res.Body)
	}

	// The job center's access has ended, everywhere.
	before := w.Fingerprint(t)
	for _, r := range []world.Request{
		asJob("GET", caseURL(c.Id), nil), asJob("GET", caseURL(c.Id)+"/plan", nil), asJob("GET", caseURL(c.Id)+"/notes", nil),
		asJob("GET", referralURL(ref.Id), nil),
		asJob("POST", caseURL(c.Id)+"/notes", map[string]any{"area": "work", "body": "Nachtrag"}),
	} {
		res := call(t, w, 404, r)
		if s, ok := containsAny(string(res.Body), []string{"Al-Khatib", c.Reference}); ok {
			t.Errorf("%s %s reveals %q", r.Method, r.URL, s)
		}
	}
	if after := w.Fingerprint(t); after != before {
		t.Errorf("refused requests changed data:\n%s\n%s", before, after)
	}
	res = call(t, w, 200, asJob("GET", base+"/cases", nil))
	if l := decode[api.CaseList](t, res); l.Total != 0 || len(l.Items) != 0 {
		t.Errorf("the partner still lists the case: %s", res.Body)
	}
	res = call(t, w, 200, asJob("GET", base+"/referrals", nil))
	if l := decode[api.ReferralList](t, res); l.Total != 0 {
		t.Errorf("the partner still lists the referral: %s", res.Body)
	}

	// The audit trail: every read and write of the case, in order, with who, where and why.
	type entry struct {
		action string
		who    *world.User
	}
	want := []entry{
		{"case.create", w.HousingWorker}, {"consent.create", w.HousingWorker}, {"referral.create", w.HousingWorker},
		{"case.read", w.JobcenterWorker}, {"plan.read", w.JobcenterWorker},
		{"referral.accept", w.JobcenterWorker}, {"referral.start", w.JobcenterWorker}, {"plan.update", w.JobcenterWorker},
		{"note.create", w.JobcenterWorker}, {"task.create", w.JobcenterWorker},
		{"referral.read", w.HousingWorker}, {"note.list", w.HousingWorker}, {"plan.read", w.HousingWorker},
		{"task.update", w.JobcenterWorker}, {"referral.complete", w.JobcenterWorker}, {"referral.read", w.HousingWorker},
	}
	var got []entry
	var lists []string
	for _, ev := range w.AuditAfter(t, start) {
		var who *world.User
		for _, u := range []*world.User{w.HousingWorker, w.JobcenterWorker} {
			if ev.ActorID != nil && *ev.ActorID == u.ID {
				who = u
			}
		}
		if who == nil {
			t.Errorf("event %s by an unexpected actor %v", ev.Action, ev.ActorID)
			continue
		}
		org, purpose := w.Housing.ID, housingPurpose
		if who == w.JobcenterWorker {
			org, purpose = w.Jobcenter.ID, jobPurpose
		}
		if ev.OrgID == nil || *ev.OrgID != org || ev.Purpose != purpose || ev.ActorName != who.Name || ev.RequestID == "" {
			t.Errorf("event %s does not name actor, organisation and purpose: %+v", ev.Action, ev)
		}
		if ev.CaseID == nil {
			lists = append(lists, ev.Action)
			continue
		}
		if *ev.CaseID != c.Id {
			t.Errorf("event %s of another case", ev.Action)
		}
		got = append(got, entry{ev.Action, who})
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit trail of the case:\n got %v\nwant %v", got, want)
	}
	// The list reads name the case among the records shown.
	if want := []string{"referral.list", "referral.list", "case.list", "referral.list"}; !slices.Equal(lists, want) {
		t.Errorf("list events %v, want %v", lists, want)
	}
	evs := w.AuditEvents(t, "case.read", c.Id.String())
	if len(evs) != 1 || evs[0].Details["access"] != "referred" {
		t.Errorf("the partner's read is not recorded with its access level: %+v", evs)
	}
}
