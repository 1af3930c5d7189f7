package api_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// accessSetup is a case of the housing office referred to the job center for work (and,
// with second, also for language by a second referral), with a task the job center made on
// the referral, a task the housing office gave the job center on the case, and a note of
// the job center.
type accessSetup struct {
	caseID, consentID, refID, secondID uuid.UUID
	partnerTask, leadTask              uuid.UUID
	consentETag, refETag               string
}

func setUpReferredCase(t *testing.T, w *world.World, family string, second bool) accessSetup {
	t.Helper()
	asHousing := func(method, url string, body any, h ...string) world.Request {
		return world.Request{As: w.HousingWorker, Method: method, URL: url, Body: body, Headers: headers(h...)}
	}
	asJob := func(method, url string, body any, h ...string) world.Request {
		return world.Request{As: w.JobcenterWorker, Method: method, URL: url, Body: body, Headers: headers(h...)}
	}
	var s accessSetup
	c := decode[api.Case](t, call(t, w, 201, asHousing("POST", base+"/cases", map[string]any{"primary": personBody(family)})))
	s.caseID = c.Id
	res := call(t, w, 201, asHousing("POST", caseURL(c.Id)+"/consents", consentBody(w.Jobcenter, "work", "language")))
	s.consentID, s.consentETag = decode[api.Consent](t, res).Id, etagOf(t, res)
	res = call(t, w, 201, asHousing("POST", caseURL(c.Id)+"/referrals", map[string]any{
		"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "consent_id": s.consentID}))
	s.refID, s.refETag = decode[api.Referral](t, res).Id, etagOf(t, res)
	s.partnerTask = decode[api.Task](t, call(t, w, 201, asJob("POST", base+"/tasks", map[string]any{
		"org_id": w.Jobcenter.ID, "referral_id": s.refID, "title": "Profiling vereinbaren", "area": "work"}))).Id
	// The housing office gives the job center a task on the case without naming the
	// referral: it hangs on the job center's referral all the same.
	lt := decode[api.Task](t, call(t, w, 201, asHousing("POST", base+"/tasks", map[string]any{
		"org_id": w.Jobcenter.ID, "case_id": c.Id, "title": "Termin bestätigen"})))
	if lt.ReferralId == nil || *lt.ReferralId != s.refID {
		t.Fatalf("the lead's task for the job center does not hang on its referral: %+v", lt)
	}
	s.leadTask = lt.Id
	call(t, w, 201, asJob("POST", caseURL(c.Id)+"/notes", map[string]any{"body": "Eigener Vermerk Jobcenter", "area": "work"}))
	if second {
		s.secondID = decode[api.Referral](t, call(t, w, 201, asHousing("POST", caseURL(c.Id)+"/referrals", map[string]any{
			"to_org_id": w.Jobcenter.ID, "areas": []string{"language"}, "consent_id": s.consentID}))).Id
	}
	return s
}

// TestEndOfRelationLeavesNothingBehind: when the referral that gave the job center access
// ends, in each of the ways a referral ends, the job center's open tasks that hung on it
// are cancelled with the reason "access ended" (which the housing office sees), and the
// case is gone for the job center from every read, list, count and search on the very next
// request. What the partner keeps of its own work is nothing readable: its reply and
// outcome stay on the sender's referral record.
func TestEndOfRelationLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	ends := []struct {
		name string
		end  func(t *testing.T, w *world.World, s accessSetup)
	}{
		{"consent revoked", func(t *testing.T, w *world.World, s accessSetup) {
			call(t, w, 200, world.Request{As: w.HousingWorker, Method: "POST", URL: consentURL(s.consentID) + "/revoke", Headers: headers("If-Match", s.consentETag)})
		}},
		{"referral withdrawn", func(t *testing.T, w *world.World, s accessSetup) {
			call(t, w, 200, world.Request{As: w.HousingWorker, Method: "POST", URL: referralURL(s.refID) + "/withdraw", Headers: headers("If-Match", s.refETag)})
		}},
		{"referral declined", func(t *testing.T, w *world.World, s accessSetup) {
			call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "POST", URL: referralURL(s.refID) + "/decline",
				Body: map[string]any{"reason": "Keine Kapazität"}, Headers: headers("If-Match", s.refETag)})
		}},
		{"referral completed", func(t *testing.T, w *world.World, s accessSetup) {
			res := call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "POST", URL: referralURL(s.refID) + "/accept", Headers: headers("If-Match", s.refETag)})
			call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "POST", URL: referralURL(s.refID) + "/complete",
				Body: map[string]any{"outcome": "In Arbeit vermittelt"}, Headers: headers("If-Match", etagOf(t, res))})
		}},
		{"referral expired", func(t *testing.T, w *world.World, s accessSetup) {
			svc := w.Services(t)
			svc.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 40) })
			if n, err := svc.Referrals.ExpireOverdue(context.Background()); err != nil || n != 1 {
				t.Fatalf("expire: %d, %v", n, err)
			}
		}},
	}
	for _, tc := range ends {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := world.New(t)
			s := setUpReferredCase(t, w, "Haddad", false)
			start := w.LastAuditID(t)
			tc.end(t, w, s)

			job := func(want int, method, url string) *world.Response {
				t.Helper()
				return call(t, w, want, world.Request{As: w.JobcenterWorker, Method: method, URL: url})
			}
			job(404, "GET", caseURL(s.caseID))
			job(404, "GET", caseURL(s.caseID)+"/notes")
			job(404, "GET", caseURL(s.caseID)+"/plan")
			job(404, "GET", referralURL(s.refID))
			job(404, "GET", taskURL(s.partnerTask))
			job(404, "GET", taskURL(s.leadTask))
			job(404, "GET", taskURL(s.partnerTask)+"/comments")
			for _, url := range []string{base + "/cases", base + "/cases?q=Haddad", base + "/cases?status=open"} {
				if l := decode[api.CaseList](t, job(200, "GET", url)); l.Total != 0 || len(l.Items) != 0 {
					t.Errorf("%s lists %d cases after the end: %+v", url, l.Total, l.Items)
				}
			}
			if l := decode[api.TaskList](t, job(200, "GET", base+"/tasks")); l.Total != 0 || len(l.Items) != 0 {
				t.Errorf("the job center still lists %d tasks: %+v", l.Total, l.Items)
			}
			for _, url := range []string{base + "/referrals", base + "/referrals?direction=incoming"} {
				if l := decode[api.ReferralList](t, job(200, "GET", url)); l.Total != 0 {
					t.Errorf("%s lists %d referrals after the end", url, l.Total)
				}
			}

			// The housing office sees both tasks cancelled, and why.
			for _, id := range []uuid.UUID{s.partnerTask, s.leadTask} {
				tk := decode[api.Task](t, call(t, w, 200, world.Request{As: w.HousingWorker, Method: "GET", URL: taskURL(id)}))
				if tk.Status != api.TaskStatusCancelled || tk.StatusReason != api.TaskStatusReasonAccessEnded {
					t.Errorf("task %s after the end: %s (%q), want cancelled (access_ended)", id, tk.Status, tk.StatusReason)
				}
			}
			var cancels int
			for _, ev := range w.AuditAfter(t, start) {
				if ev.Action == "task.cancel" && ev.Details["reason"] == "access_ended" && ev.CaseID != nil && *ev.CaseID == s.caseID {
					cancels++
				}
			}
			if cancels != 2 {
				t.Errorf("%d task.cancel audit events, want 2", cancels)
			}
		})
	}
}

// TestEndOfOneReferralKeepsWhatAnotherGives: the job center holds two referrals of the
// case; when the one for work is withdrawn, the case stays visible through the one for
// language, but the tasks that hung on the withdrawn referral are cancelled and gone for
// the job center, and the plan shows only the language row.
func TestEndOfOneReferralKeepsWhatAnotherGives(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	s := setUpReferredCase(t, w, "Nasser", true)
	call(t, w, 200, world.Request{As: w.HousingWorker, Method: "POST", URL: referralURL(s.refID) + "/withdraw", Headers: headers("If-Match", s.refETag)})
	job := func(want int, url string) *world.Response {
		t.Helper()
		return call(t, w, want, world.Request{As: w.JobcenterWorker, Method: "GET", URL: url})
	}
	c := decode[api.Case](t, job(200, caseURL(s.caseID)))
	if c.Access.Level != api.Referred || !slices.Equal(c.Access.ReferredAreas, []string{"language"}) {
		t.Errorf("access through the remaining referral: %+v", c.Access)
	}
	job(404, taskURL(s.partnerTask))
	job(404, taskURL(s.leadTask))
	job(404, referralURL(s.refID))
	job(200, referralURL(s.secondID))
	if l := decode[api.TaskList](t, job(200, base+"/tasks")); l.Total != 0 {
		t.Errorf("tasks of the withdrawn referral are still listed: %+v", l.Items)
	}
	if p := decode[api.AreaStatusList](t, job(200, caseURL(s.caseID)+"/plan")); len(p.Items) != 1 || p.Items[0].Area != "language" {
		t.Errorf("plan after the withdrawal: %+v", p.Items)
	}
}

// TestLegalBasisReleasesOnlyItsCategories: a referral on a legal basis shows the recipient
// exactly the person data categories configured for that basis (identity only by default),
// and only the referred areas of the plan and notes.
func TestLegalBasisReleasesOnlyItsCategories(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "legal-bases.yaml")
	if err := os.WriteFile(file, []byte("legal_bases:\n  - name: \"SGB II § 50\"\n  - name: \"SGB X § 69\"\n    categories: [contact]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := world.New(t, world.WithConfig(func(c *config.Config) { c.LegalBasesFile = file }))
	asHousing := func(want int, method, url string, body any) *world.Response {
		t.Helper()
		return call(t, w, want, world.Request{As: w.HousingWorker, Method: method, URL: url, Body: body})
	}
	for _, tc := range []struct {
		basis, family string
		shown, hide   []string
	}{
		{"SGB II § 50", "Rahimi", []string{`"family_name":"Rahimi"`, `"birth_date":"1988-05-01"`},
			[]string{"0541 123456", "omar@example.test", "Hauptstr", "Duldung", "Schinkel", `"languages"`, "Interner Vermerk", "Wohnen geteilt"}},
		{"SGB X § 69", "Sadeghi", []string{"0541 123456", "omar@example.test", "Hauptstr"},
			[]string{"Sadeghi", "1988-05-01", "Duldung", "Schinkel", `"languages"`, "Interner Vermerk", "Wohnen geteilt"}},
	} {
		t.Run(tc.basis, func(t *testing.T) {
			c := decode[api.Case](t, asHousing(201, "POST", base+"/cases", map[string]any{"primary": personBody(tc.family)}))
			asHousing(201, "POST", caseURL(c.Id)+"/notes", map[string]any{"body": "Interner Vermerk"})
			asHousing(201, "POST", caseURL(c.Id)+"/notes", map[string]any{"body": "Wohnen geteilt", "area": "housing", "visibility": "shared"})
			asHousing(201, "POST", caseURL(c.Id)+"/notes", map[string]any{"body": "Arbeit geteilt", "area": "work", "visibility": "shared"})
			ref := decode[api.Referral](t, asHousing(201, "POST", caseURL(c.Id)+"/referrals", map[string]any{
				"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "legal_basis": tc.basis}))
			if tc.basis == "SGB X § 69" && !slices.Equal(ref.LegalBasisCategories, []api.DataCategory{"contact"}) {
				t.Errorf("recorded categories: %v", ref.LegalBasisCategories)
			}
			var seen strings.Builder
			for _, url := range []string{caseURL(c.Id), caseURL(c.Id) + "/plan", caseURL(c.Id) + "/notes", referralURL(ref.Id)} {
				seen.Write(call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "GET", URL: url}).Body)
			}
			body := seen.String()
			for _, s := range tc.shown {
				if !strings.Contains(body, s) {
					t.Errorf("the job center does not see %q under %s", s, tc.basis)
				}
			}
			if !strings.Contains(body, "Arbeit geteilt") || !strings.Contains(body, `"area":"work"`) {
				t.Errorf("the job center does not see the work area under %s", tc.basis)
			}
			if s, ok := containsAny(body, tc.hide); ok {
				t.Errorf("the job center sees %q under %s", s, tc.basis)
			}
			if p := decode[api.AreaStatusList](t, call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "GET", URL: caseURL(c.Id) + "/plan"})); len(p.Items) != 1 {
				t.Errorf("plan rows under %s: %+v", tc.basis, p.Items)
			}
			// A name search finds the case only where the basis releases names.
			l := decode[api.CaseList](t, call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "GET", URL: base + "/cases?q=" + tc.family}))
			if want := tc.family == "Rahimi"; (l.Total > 0) != want {
				t.Errorf("name search under %s finds %d cases", tc.basis, l.Total)
			}
		})
	}
	// An unconfigured basis is refused, naming the field.
	c := decode[api.Case](t, asHousing(201, "POST", base+"/cases", map[string]any{"primary": personBody("Karimi")}))
	res := asHousing(400, "POST", caseURL(c.Id)+"/referrals", map[string]any{"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "legal_basis": "SGB VIII § 65"})
	if !strings.Contains(string(res.Body), "legal_basis") {
		t.Errorf("refusal of an unconfigured basis: %s", res.Body)
	}
}
