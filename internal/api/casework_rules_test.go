package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// race sends the requests at once and returns their answers in order.
func race(t *testing.T, w *world.World, reqs ...world.Request) []*world.Response {
	t.Helper()
	out := make([]*world.Response, len(reqs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = w.Do(t, r)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TestConcurrentWritersOnOneRecord: two writers with the same If-Match: one wins, the other
// is told 409, and the winner's change is what is stored; nothing is half-applied.
func TestConcurrentWritersOnOneRecord(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	for i := range 5 {
		t.Run(fmt.Sprintf("case patch %d", i), func(t *testing.T) {
			cw := setup(t, w, stOwn)
			patch := func(district string) world.Request {
				return world.Request{As: w.HousingWorker, Method: "PATCH", URL: caseURL(cw.Case.ID), Headers: version(1), Body: map[string]any{"district": district}}
			}
			res := race(t, w, patch("Westerberg"), patch("Dodesheide"))
			statuses := []int{res[0].Status, res[1].Status}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{200, 409}) {
				t.Fatalf("statuses %v: %s / %s", statuses, res[0].Body, res[1].Body)
			}
			winner := "Westerberg"
			if res[1].Status == 200 {
				winner = "Dodesheide"
			}
			got := decode[api.Case](t, call(t, w, 200, world.Request{As: w.HousingWorker, Method: "GET", URL: caseURL(cw.Case.ID)}))
			if got.District == nil || *got.District != winner || got.Version != 2 {
				t.Errorf("stored district %v version %d, want %s 2", got.District, got.Version, winner)
			}
			if n := len(w.AuditEvents(t, "case.update", cw.Case.ID.String())); n != 1 {
				t.Errorf("%d case.update events, want 1", n)
			}
		})
	}
	t.Run("accept against withdraw", func(t *testing.T) {
		cw := setup(t, w, stSent)
		res := race(t, w,
			world.Request{As: w.JobcenterWorker, Method: "POST", URL: referralURL(cw.Referral.ID) + "/accept", Headers: version(1)},
			world.Request{As: w.HousingWorker, Method: "POST", URL: referralURL(cw.Referral.ID) + "/withdraw", Headers: version(1)},
		)
		statuses := []int{res[0].Status, res[1].Status}
		slices.Sort(statuses)
		// The loser is told 409 (stale version); or, when the withdrawal won and the recipient
		// no longer sees the referral, 400 naming the final state ("accepting a withdrawn
		// referral"), as the late-answer rule says. Never both winning.
		lateAccept := res[0].Status == 400 && res[1].Status == 200 && strings.Contains(string(res[0].Body), "withdrawn")
		if !slices.Equal(statuses, []int{200, 409}) && !lateAccept {
			t.Fatalf("statuses %v: %s / %s", statuses, res[0].Body, res[1].Body)
		}
		want := api.ReferralStatusAccepted
		if res[1].Status == 200 {
			want = api.ReferralStatusWithdrawn
		}
		got := decode[api.Referral](t, call(t, w, 200, world.Request{As: w.HousingWorker, Method: "GET", URL: referralURL(cw.Referral.ID)}))
		if got.Status != want || got.Version != 2 {
			t.Errorf("stored %s version %d, want %s 2", got.Status, got.Version, want)
		}
	})
	t.Run("two plan rows of one case do not conflict", func(t *testing.T) {
		cw := setup(t, w, stOwn)
		row := func(area string) world.Request {
			return world.Request{As: w.HousingWorker, Method: "PATCH", URL: caseURL(cw.Case.ID) + "/plan/" + area, Headers: version(1), Body: map[string]any{"status": "waiting"}}
		}
		for _, r := range race(t, w, row("housing"), row("work")) {
			if r.Status != 200 {
				t.Errorf("status %d: %s", r.Status, r.Body)
			}
		}
	})
}

// TestCaseWorkBadInput: bad input answers a clear 4xx naming the field and the reason, and
// changes nothing.
func TestCaseWorkBadInput(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	sent := setup(t, w, stSent)
	withdrawn := setup(t, w, stWithdrawn)
	declined := setup(t, w, stDeclined)
	h, j := w.HousingWorker, w.JobcenterWorker
	post := func(as *world.User, url string, body any, hdr ...string) world.Request {
		return world.Request{As: as, Method: "POST", URL: url, Body: body, Headers: headers(hdr...)}
	}
	consent := func(k string, v any) map[string]any {
		b := consentBody(w.Jobcenter, "work")
		b[k] = v
		return b
	}
	huge := strings.Repeat("x", 1<<20+10)
	inEnglish(world.Scenarios{
		// Unknown areas.
		{Name: "consent for an unknown area", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("areas", []string{"magic"})),
			Status: 400, ErrorCode: "invalid", Fields: []string{"areas"}, Contains: []string{"unknown areas: magic"}, NoChange: true},
		{Name: "referral for an unknown area", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Jobcenter.ID, "areas": []string{"magic"}, "consent_id": sent.Consent.ID}),
			Status: 400, Fields: []string{"areas"}, NoChange: true},
		{Name: "plan row of an unknown area", Request: world.Request{As: h, Method: "PATCH", URL: caseURL(sent.Case.ID) + "/plan/magic", Headers: version(1), Body: map[string]any{"status": "waiting"}},
			Status: 400, Fields: []string{"area"}, Contains: []string{"is not an area in use"}, NoChange: true},
		{Name: "case list by an unknown area", Request: world.Request{As: h, Method: "GET", URL: base + "/cases?area=magic"}, Status: 400, Fields: []string{"area"}},
		{Name: "task for an unknown area", Request: post(h, base+"/tasks", map[string]any{"org_id": w.Housing.ID, "title": "x", "area": "magic"}), Status: 400, Fields: []string{"area"}, NoChange: true},
		{Name: "note for an unknown area", Request: post(h, caseURL(sent.Case.ID)+"/notes", map[string]any{"body": "x", "area": "magic"}), Status: 400, Fields: []string{"area"}, NoChange: true},
		{Name: "an unknown plan state", Request: world.Request{As: h, Method: "PATCH", URL: caseURL(sent.Case.ID) + "/plan/work", Headers: version(1), Body: map[string]any{"status": "done"}},
			Status: 400, Fields: []string{"status"}, Contains: []string{"must be one of not_started"}, NoChange: true},

		// Dates out of range, and dates that are none.
		{Name: "consent valid from two years ago", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("valid_from", day(-730))),
			Status: 400, Fields: []string{"valid_from"}, Contains: []string{"at most one year in the past"}, NoChange: true},
		{Name: "consent ending before it starts", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("valid_until", day(-1))),
			Status: 400, Fields: []string{"valid_until"}, NoChange: true},
		{Name: "consent for ten years", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("valid_until", day(3660))), Status: 400, Fields: []string{"valid_until"}, NoChange: true},
		{Name: "a day that does not exist", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("valid_from", "2026-02-30")), Status: 400, Fields: []string{"valid_from"}, NoChange: true},
		{Name: "a date that is no date", Request: post(h, caseURL(sent.Case.ID)+"/consents", consent("valid_from", "morgen")), Status: 400, Fields: []string{"valid_from"}, NoChange: true},
		{Name: "task due in six years", Request: post(h, base+"/tasks", map[string]any{"org_id": w.Housing.ID, "title": "x", "due_date": day(6 * 366)}),
			Status: 400, Fields: []string{"due_date"}, Contains: []string{"at most five years ahead"}, NoChange: true},
		{Name: "born tomorrow", Request: post(h, base+"/cases", map[string]any{"primary": map[string]any{"family_name": "X", "birth_date": day(1)}}),
			Status: 400, Fields: []string{"primary.birth_date"}, NoChange: true},
		{Name: "arrived before birth", Request: post(h, caseURL(sent.Case.ID)+"/persons", map[string]any{"family_name": "X", "birth_date": "2000-01-01", "arrival_date": "1999-01-01"}),
			Status: 400, Fields: []string{"arrival_date"}, NoChange: true},
		{Name: "tasks due before a day that does not exist", Request: world.Request{As: h, Method: "GET", URL: base + "/tasks?due_before=2026-02-30"}, Status: 400, Fields: []string{"due_before"}},
		{Name: "tasks due before a day that is none", Request: world.Request{As: h, Method: "GET", URL: base + "/tasks?due_before=2026-13-01"}, Status: 400, Fields: []string{"due_before"}},

		// Referrals without cover, and forbidden transitions.
		{Name: "referral without consent or legal basis", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Caritas.ID, "areas": []string{"work"}}),
			Status: 400, Fields: []string{"consent_id"}, NoChange: true},
		{Name: "referral with a consent for another organisation", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Caritas.ID, "areas": []string{"work"}, "consent_id": sent.Consent.ID}),
			Status: 400, Fields: []string{"consent_id"}, Contains: []string{"does not cover"}, NoChange: true},
		{Name: "referral with a consent for another area", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Jobcenter.ID, "areas": []string{"housing"}, "consent_id": sent.Consent.ID}),
			Status: 400, Fields: []string{"consent_id"}, NoChange: true},
		{Name: "referral with a consent of another case", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "consent_id": declined.Consent.ID}),
			Status: 400, Fields: []string{"consent_id"}, Contains: []string{"names no consent of this case"}, NoChange: true},
		{Name: "referral on an unknown legal basis", Request: post(h, caseURL(sent.Case.ID)+"/referrals", map[string]any{"to_org_id": w.Caritas.ID, "areas": []string{"work"}, "legal_basis": "weil"}),
			Status: 400, Fields: []string{"legal_basis"}, NoChange: true},
		{Name: "accepting a withdrawn referral", Request: post(j, referralURL(withdrawn.Referral.ID)+"/accept", nil, "If-Match", fmt.Sprintf(`"%d"`, withdrawn.Referral.Version)),
			Status: 409, ErrorCode: "transition_refused", Contains: []string{`"transition":{"object":"referral","from":"withdrawn","to":"accepted","allowed":[]}`,
				"cannot change from “Withdrawn” to “Accepted”"}, NoChange: true},
		{Name: "completing a declined referral", Request: post(j, referralURL(declined.Referral.ID)+"/complete", map[string]any{"outcome": "x"}, "If-Match", fmt.Sprintf(`"%d"`, declined.Referral.Version)),
			Status: 409, ErrorCode: "transition_refused", Contains: []string{`"from":"declined","to":"completed"`}, NoChange: true},
		{Name: "starting a referral not yet accepted", Request: post(j, referralURL(sent.Referral.ID)+"/start", nil, "If-Match", `"1"`),
			Status: 409, ErrorCode: "transition_refused", Contains: []string{`"from":"sent","to":"in_progress","allowed":["accepted","declined"`}, NoChange: true},
		{Name: "declining without a reason", Request: post(j, referralURL(sent.Referral.ID)+"/decline", map[string]any{"reason": ""}, "If-Match", `"1"`),
			Status: 400, Fields: []string{"reason"}, NoChange: true},
		{Name: "declining with blanks for a reason", Request: post(j, referralURL(sent.Referral.ID)+"/decline", map[string]any{"reason": "   "}, "If-Match", `"1"`),
			Status: 400, Fields: []string{"reason"}, NoChange: true},
		{Name: "accepting with a stale version", Request: post(j, referralURL(sent.Referral.ID)+"/accept", nil, "If-Match", `"7"`), Status: 409, ErrorCode: "conflict", NoChange: true},
		{Name: "accepting without If-Match", Request: post(j, referralURL(sent.Referral.ID)+"/accept", nil), Status: 400, Fields: []string{"If-Match"}, NoChange: true},
		{Name: "closing a case without a reason", Request: world.Request{As: h, Method: "PATCH", URL: caseURL(sent.Case.ID), Headers: version(1), Body: map[string]any{"status": "closed"}},
			Status: 400, Fields: []string{"status_reason"}, NoChange: true},
		{Name: "a task state that does not follow", Request: world.Request{As: h, Method: "PATCH", URL: taskURL(sent.Task.ID), Headers: version(1), Body: map[string]any{"status": "finished"}},
			Status: 400, Fields: []string{"status"}, NoChange: true},

		// Malformed and oversized bodies, and parameters.
		{Name: "malformed JSON", Request: post(h, base+"/cases", `{"primary": {"family_name": "X"`), Status: 400, ErrorCode: "invalid", Fields: []string{"body"},
			Contains: []string{"is not valid JSON"}, NoChange: true},
		{Name: "a JSON string for an object", Request: post(h, base+"/cases", `"Haddad"`), Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "wrong types", Request: post(h, base+"/cases", map[string]any{"primary": map[string]any{"family_name": 7, "languages": "ar"}}),
			Status: 400, Fields: []string{"primary.family_name", "primary.languages"}, NoChange: true},
		{Name: "a body over the limit", Request: post(h, caseURL(sent.Case.ID)+"/notes", map[string]any{"body": huge}), Status: 413, ErrorCode: "too_large", NoChange: true},
		{Name: "a note over its length", Request: post(h, caseURL(sent.Case.ID)+"/notes", map[string]any{"body": strings.Repeat("x", 8001)}),
			Status: 400, Fields: []string{"body"}, Contains: []string{"at most 8000 characters"}, NoChange: true},
		{Name: "no body", Request: world.Request{As: h, Method: "POST", URL: base + "/tasks"}, Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "an empty patch", Request: world.Request{As: h, Method: "PATCH", URL: caseURL(sent.Case.ID), Headers: version(1), Body: map[string]any{}},
			Status: 400, Fields: []string{"body"}, NoChange: true},
		{Name: "a page too large", Request: world.Request{As: h, Method: "GET", URL: base + "/cases?limit=101"}, Status: 400, Fields: []string{"limit"}},
		{Name: "a page of nothing", Request: world.Request{As: h, Method: "GET", URL: base + "/tasks?limit=0"}, Status: 400, Fields: []string{"limit"}},
		{Name: "a cursor that is none", Request: world.Request{As: h, Method: "GET", URL: base + "/referrals?cursor=abc"}, Status: 400, Fields: []string{"cursor"}},
		{Name: "a cursor of another list", Request: world.Request{As: h, Method: "GET", URL: base + "/tasks?cursor=" + cursorOf(t, w, base+"/referrals?limit=1")}, Status: 400, Fields: []string{"cursor"}},
		{Name: "an unknown referral state", Request: world.Request{As: h, Method: "GET", URL: base + "/referrals?status=lost"}, Status: 400, Fields: []string{"status"}},
		{Name: "an unknown direction", Request: world.Request{As: h, Method: "GET", URL: base + "/referrals?direction=sideways"}, Status: 400, Fields: []string{"direction"}},
		{Name: "a state filter without area", Request: world.Request{As: h, Method: "GET", URL: base + "/cases?area_status=waiting"}, Status: 400, Fields: []string{"area_status"}},
		{Name: "a malformed case filter", Request: world.Request{As: h, Method: "GET", URL: base + "/tasks?case_id=F-2026-1"}, Status: 400, Fields: []string{"case_id"}},
	}).Run(t, w)

	t.Run("rejected values are not logged", func(t *testing.T) {
		const secret = "Geheimname-Özdemir"
		res := w.Do(t, post(h, base+"/cases", map[string]any{"primary": map[string]any{"family_name": secret, "birth_date": "nie"}}))
		if res.Status != 400 || strings.Contains(string(res.Body), "Geheim") || strings.Contains(w.Log.String(), "Geheim") {
			t.Fatalf("status %d; a rejected value reached the response or the log: %s", res.Status, res.Body)
		}
	})
}

// cursorOf returns the next cursor of a list (as the housing caseworker), failing if none.
func cursorOf(t *testing.T, w *world.World, url string) string {
	t.Helper()
	res := call(t, w, 200, world.Request{As: w.HousingWorker, Method: "GET", URL: url})
	var l struct {
		NextCursor *string `json:"next_cursor"`
	}
	res.JSON(t, &l)
	if l.NextCursor == nil {
		t.Fatalf("no next cursor: %s", res.Body)
	}
	return *l.NextCursor
}

// TestCaseWorkLists: the lists page with a stable order (every record exactly once, across
// pages), count what the caller may see, and filter as documented: cases by name (fuzzy,
// across umlauts and transliterations), reference, area and status; referrals by direction
// and status; tasks by assignee, organisation (with subtree), status, due date and overdue.
func TestCaseWorkLists(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	svc := w.Services(t)
	ctx := context.Background()
	h := w.Actor(t, w.HousingWorker)
	var cws []*world.CaseWork
	for range 4 {
		cws = append(cws, setup(t, w, stSent))
	}
	cws = append(cws, setup(t, w, stAccepted), setup(t, w, stCompleted))
	müller, err := svc.Cases.Create(ctx, h, model.CaseCreate{Primary: model.PersonInput{FamilyName: "Müller", GivenNames: "Jürgen"}})
	if err != nil {
		t.Fatal(err)
	}
	mohammed, err := svc.Cases.Create(ctx, h, model.CaseCreate{Primary: model.PersonInput{FamilyName: "Mohammed", GivenNames: "Ali", NameVariants: []string{"Muhammad"}}})
	if err != nil {
		t.Fatal(err)
	}
	northTask, err := svc.Tasks.Create(ctx, w.Actor(t, w.NorthWorker), model.TaskCreate{OrgID: w.HousingNorth.ID, AssigneeID: &w.NorthWorker.ID, Title: "Nord"})
	if err != nil {
		t.Fatal(err)
	}
	yesterday := mustDay(t, day(-1))
	overdue, err := svc.Tasks.Create(ctx, h, model.TaskCreate{OrgID: w.Housing.ID, AssigneeID: &w.HousingWorker.ID, Title: "Überfällig", DueDate: &yesterday})
	if err != nil {
		t.Fatal(err)
	}

	// all pages of a list, following next_cursor
	pages := func(t *testing.T, as *world.User, url string) (ids []string, total int64) {
		t.Helper()
		cursor := ""
		for range 50 {
			u := url + "&limit=2"
			if cursor != "" {
				u += "&cursor=" + cursor
			}
			var l struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				Total      int64   `json:"total"`
				NextCursor *string `json:"next_cursor"`
			}
			call(t, w, 200, world.Request{As: as, Method: "GET", URL: u}).JSON(t, &l)
			for _, it := range l.Items {
				if slices.Contains(ids, it.ID) {
					t.Fatalf("%s listed twice", it.ID)
				}
				ids = append(ids, it.ID)
			}
			total = l.Total
			if l.NextCursor == nil {
				return ids, total
			}
			cursor = *l.NextCursor
		}
		t.Fatal("more than 50 pages")
		return nil, 0
	}
	expect := func(t *testing.T, as *world.User, url string, want ...string) {
		t.Helper()
		got, total := pages(t, as, url)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || total != int64(len(want)) {
			t.Errorf("%s as %s: %d listed (total %d), want %d:\n got %v\nwant %v", url, as.Name, len(got), total, len(want), got, want)
		}
	}
	caseIDs := func(cs ...*world.CaseWork) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Case.ID.String())
		}
		return out
	}
	all := append(caseIDs(cws...), müller.ID.String(), mohammed.ID.String())

	t.Run("cases", func(t *testing.T) {
		expect(t, w.HousingWorker, base+"/cases?", all...)
		expect(t, w.HousingLead, base+"/cases?", all...)
		expect(t, w.JobcenterWorker, base+"/cases?", caseIDs(cws[:5]...)...) // the active referrals
		expect(t, w.NorthWorker, base+"/cases?")
		expect(t, w.HousingWorker, base+"/cases?q=Mueller", müller.ID.String())
		expect(t, w.HousingWorker, base+"/cases?q=muller", müller.ID.String())
		expect(t, w.HousingWorker, base+"/cases?q=J%C3%BCrgen%20M%C3%BCller", müller.ID.String())
		expect(t, w.HousingWorker, base+"/cases?q=Muhammad", mohammed.ID.String())
		expect(t, w.HousingWorker, base+"/cases?reference="+cws[2].Case.Reference, cws[2].Case.ID.String())
		expect(t, w.HousingWorker, base+"/cases?status=open", all...)
		expect(t, w.HousingWorker, base+"/cases?status=closed")
		expect(t, w.HousingWorker, base+"/cases?area=work&area_status=not_started", all...)
		expect(t, w.HousingWorker, base+"/cases?area=work&area_status=waiting")
		// A partner finds by name only what it may see by name: the names of the cases
		// referred to it (fuzzily, so similar made-up names match as well), never the
		// completed referral's or the others'.
		got, _ := pages(t, w.JobcenterWorker, base+"/cases?q="+cws[0].Person.FamilyName)
		if !slices.Contains(got, cws[0].Case.ID.String()) {
			t.Errorf("the partner does not find its case by name: %v", got)
		}
		for _, id := range got {
			if !slices.Contains(caseIDs(cws[:5]...), id) {
				t.Errorf("the partner finds a case by name that is not referred to it: %s", id)
			}
		}
		expect(t, w.JobcenterWorker, base+"/cases?q="+cws[5].Person.FamilyName+"&reference="+cws[5].Case.Reference)
		expect(t, w.JobcenterWorker, base+"/cases?q=Mueller")
	})
	t.Run("referrals", func(t *testing.T) {
		var refs []string
		for _, c := range cws {
			refs = append(refs, c.Referral.ID.String())
		}
		expect(t, w.HousingWorker, base+"/referrals?direction=outgoing", refs...)
		expect(t, w.HousingWorker, base+"/referrals?direction=incoming")
		expect(t, w.JobcenterWorker, base+"/referrals?direction=incoming", refs[:5]...)
		expect(t, w.JobcenterWorker, base+"/referrals?direction=incoming&status=accepted", refs[4])
		expect(t, w.HousingWorker, base+"/referrals?status=sent&status=completed", append(refs[:4:4], refs[5])...)
		expect(t, w.CaritasWorker, base+"/referrals?")
	})
	t.Run("tasks", func(t *testing.T) {
		var housingTasks []string
		for _, c := range cws {
			housingTasks = append(housingTasks, c.Task.ID.String())
		}
		housingTasks = append(housingTasks, overdue.ID.String())
		expect(t, w.HousingWorker, base+"/tasks?", housingTasks...)
		expect(t, w.HousingWorker, base+"/tasks?mine=true", overdue.ID.String())
		expect(t, w.HousingWorker, base+"/tasks?overdue=true", overdue.ID.String())
		expect(t, w.HousingWorker, base+"/tasks?due_before="+day(0), overdue.ID.String())
		expect(t, w.HousingWorker, base+"/tasks?status=done")
		expect(t, w.HousingLead, base+"/tasks?org_id="+w.Housing.ID.String()+"&subtree=true", append(housingTasks, northTask.ID.String())...)
		expect(t, w.HousingLead, base+"/tasks?org_id="+w.HousingNorth.ID.String(), northTask.ID.String())
		expect(t, w.HousingLead, base+"/tasks?assignee_id="+w.NorthWorker.ID.String(), northTask.ID.String())
		expect(t, w.HousingWorker, base+"/tasks?org_id="+w.HousingNorth.ID.String()) // not the caseworker's to see
		expect(t, w.JobcenterWorker, base+"/tasks?")
	})
}

func mustDay(t *testing.T, s string) model.Date {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCaseWorkIdempotency: a retried creating POST of case work creates nothing twice.
func TestCaseWorkIdempotency(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := setup(t, w, stOwn)
	post := func() *world.Response {
		return w.Do(t, world.Request{As: w.HousingWorker, Method: "POST", URL: caseURL(cw.Case.ID) + "/notes", Headers: headers("Idempotency-Key", "note-1"),
			Body: map[string]any{"body": "Einmal"}})
	}
	first, again := post(), post()
	if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	res := call(t, w, 200, world.Request{As: w.HousingWorker, Method: "GET", URL: caseURL(cw.Case.ID) + "/notes"})
	if n := strings.Count(string(res.Body), `"body":"Einmal"`); n != 1 {
		t.Errorf("%d notes, want 1", n)
	}
}
