package api_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestCaseWorkRoutesAreAllInTheMatrix: every case-work operation of openapi.yaml is a row
// of the authorization matrix (or one of the two routes without a case, tested by role on
// their own), so that a new route cannot escape it.
func TestCaseWorkRoutesAreAllInTheMatrix(t *testing.T) {
	inMatrix := map[string]bool{}
	for _, rt := range matrixRoutes() {
		method, path, _ := strings.Cut(rt.name, " ")
		path = strings.NewReplacer("{referred area}", "{area}", "{area not referred}", "{area}").Replace(path)
		inMatrix[method+" "+api.EchoPath(path)] = true
	}
	directory := map[string]bool{"organisations": true, "members": true, "grants": true, "me": true,
		"notifications": true, "notification-settings": true} // the caller's own (notifications_test.go)
	outside := map[string]bool{"POST /api/v1/cases": true, "GET /api/v1/areas": true} // TestCaseCreationAndAreasByRole
	for _, op := range operations(t) {
		key := op.Method + " " + op.Path
		if directory[strings.Split(strings.TrimPrefix(op.Path, base+"/"), "/")[0]] || outside[key] {
			continue
		}
		if !inMatrix[key] {
			t.Errorf("operation %s (%s) is not in the authorization matrix", op.ID, key)
		}
	}
}

// allowedCaller is a caller who holds the route's permission and reaches the case of cw:
// the first of lead, partner and head who succeeds (or is told 400) in state st.
func allowedCaller(w *world.World, rt mroute, cw *world.CaseWork, st state) *world.User {
	for _, u := range []*world.User{cw.Setup.Lead, cw.Setup.Partner, w.HousingLead} {
		r := relOf(w, cw, u)
		if rt.ok.has(st, r) || rt.bad.has(st, r) {
			return u
		}
	}
	return nil
}

// TestCaseWorkForeignIDs: on every record route, and for nested ids too, an id that names
// nothing, a record of another kind, a record of a case out of the caller's reach, or a
// person of another case answers 404 like a missing record and changes nothing; a
// malformed id answers 400 naming the parameter. The caller is one who would succeed with
// the right id.
func TestCaseWorkForeignIDs(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	a := setup(t, w, stAccepted)  // the case the caller works on
	b := setup(t, w, stAccepted)  // another case of the same office, visible to the caller
	u := setup(t, w, stUnrelated) // a case out of reach
	kinds := map[string]struct {
		real               string
		wrongKind, outside []string
	}{
		"cases":     {a.Case.ID.String(), []string{a.Referral.ID.String(), a.OrgNote.ID.String(), a.Person.ID.String(), a.Task.ID.String(), a.Consent.ID.String()}, []string{u.Case.ID.String()}},
		"referrals": {a.Referral.ID.String(), []string{a.Case.ID.String(), a.Consent.ID.String(), a.Task.ID.String()}, []string{u.Referral.ID.String()}},
		"consents":  {a.Consent.ID.String(), []string{a.Case.ID.String(), a.Referral.ID.String()}, []string{u.Consent.ID.String()}},
		"tasks":     {a.Task.ID.String(), []string{a.Case.ID.String(), a.Referral.ID.String(), a.SharedNote.ID.String()}, []string{u.Task.ID.String()}},
	}
	var ss world.Scenarios
	for _, rt := range matrixRoutes() {
		if !strings.Contains(rt.name, "{id}") {
			continue
		}
		caller := allowedCaller(w, rt, a, stAccepted)
		if caller == nil {
			caller = w.JobcenterWorker // accept and decline: the addressee, whatever the state
		}
		genuine := rt.req(w, a, caller)
		collection := strings.Split(strings.TrimPrefix(genuine.URL, base+"/"), "/")[0]
		k, ok := kinds[collection]
		if !ok || !strings.Contains(genuine.URL, k.real) {
			t.Fatalf("%s: cannot find the id in %s", rt.name, genuine.URL)
		}
		with := func(old, id string) world.Request {
			r := genuine
			r.URL = strings.Replace(r.URL, old, id, 1)
			return r
		}
		add := func(what string, r world.Request, status int, fields ...string) {
			code := "not_found"
			if status == 400 {
				code = "invalid"
			}
			ss = append(ss, world.Scenario{Name: rt.name + ": " + what, Request: r, Status: status, ErrorCode: code, Fields: fields, NoChange: true,
				NotContains: caseData(a)[:3]})
		}
		add("an unknown id", with(k.real, uuid.NewString()), 404)
		for _, id := range k.wrongKind {
			add("the id of another kind of record", with(k.real, id), 404)
		}
		for _, id := range k.outside {
			add("a record of a case out of reach", with(k.real, id), 404)
		}
		add("a malformed id", with(k.real, "not-a-uuid"), 400, "id")
		if strings.Contains(rt.name, "{personId}") {
			add("a person of another case", with(a.Person.ID.String(), b.Person.ID.String()), 404)
			add("a person of a case out of reach", with(a.Person.ID.String(), u.Person.ID.String()), 404)
			add("an unknown person", with(a.Person.ID.String(), uuid.NewString()), 404)
			add("the case's id as a person", with(a.Person.ID.String(), a.Case.ID.String()), 404)
			add("a malformed person id", with(a.Person.ID.String(), "42"), 400, "personId")
			add("the person on the case out of reach", with(a.Case.ID.String(), u.Case.ID.String()), 404)
		}
		if strings.Contains(rt.name, "plan/{") {
			area := "/plan/" + a.Setup.Area
			if strings.Contains(rt.name, "not referred") {
				area = "/plan/" + a.Setup.Other
			}
			add("an area not in use", with(area, "/plan/magic"), 400, "area")
			add("a malformed area", with(area, "/plan/Work%21"), 400, "area")
		}
	}
	ss.Run(t, w)
}

// TestCaseWorkServerOwnedFields: what the server decides (ids, lead and sending
// organisation, status on create, versions, references, the consent behind a referral,
// authors and times) cannot be sent in a body: 400 naming the field, nothing changed.
func TestCaseWorkServerOwnedFields(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := setup(t, w, stSent)
	h := w.HousingWorker
	person := func(extra map[string]any) map[string]any {
		p := personBody("Neu")
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	with := func(b map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range b {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	newCase := map[string]any{"primary": person(nil)}
	newTask := map[string]any{"org_id": w.Housing.ID, "case_id": cw.Case.ID, "title": "Aufgabe"}
	newRef := map[string]any{"to_org_id": w.Jobcenter.ID, "areas": []string{"work"}, "consent_id": cw.Consent.ID}
	req := func(as *world.User, method, url string, body any, v int) world.Request {
		r := world.Request{As: as, Method: method, URL: url, Body: body}
		if v > 0 {
			r.Headers = version(v)
		}
		return r
	}
	var ss world.Scenarios
	owned := func(name string, r world.Request, field string) {
		ss = append(ss, world.Scenario{Name: name, Request: r, Status: 400, ErrorCode: "invalid", Fields: []string{field},
			Contains: []string{`"is not a known property"`}, NoChange: true})
	}
	for _, f := range []struct {
		field string
		value any
	}{{"id", uuid.New()}, {"lead_org_id", w.Jobcenter.ID}, {"status", "closed"}, {"version", 7}, {"reference", "F-2026-99999"}, {"opened_at", "2020-01-01T00:00:00Z"}} {
		owned("new case with "+f.field, req(h, "POST", base+"/cases", with(newCase, f.field, f.value), 0), f.field)
		if f.field != "status" {
			owned("case patch with "+f.field, req(h, "PATCH", caseURL(cw.Case.ID), map[string]any{"district": "Ost", f.field: f.value}, 1), f.field)
		}
	}
	owned("new case with a person id", req(h, "POST", base+"/cases", map[string]any{"primary": person(map[string]any{"id": uuid.New()})}, 0), "primary.id")
	owned("new case with a member's case", req(h, "POST", base+"/cases", map[string]any{"primary": person(nil), "members": []any{person(map[string]any{"case_id": uuid.New()})}}, 0), "members.0.case_id")
	owned("new person with a version", req(h, "POST", caseURL(cw.Case.ID)+"/persons", person(map[string]any{"version": 3}), 0), "version")
	owned("person patch with is_primary", req(h, "PATCH", caseURL(cw.Case.ID)+"/persons/"+cw.Person.ID.String(), map[string]any{"is_primary": false}, 1), "is_primary")
	owned("person patch with search text", req(h, "PATCH", caseURL(cw.Case.ID)+"/persons/"+cw.Person.ID.String(), map[string]any{"search_text": "x"}, 1), "search_text")
	owned("plan patch with changed_by", req(h, "PATCH", caseURL(cw.Case.ID)+"/plan/work", map[string]any{"status": "waiting", "changed_by": h.ID}, 1), "changed_by")
	owned("plan patch with version", req(h, "PATCH", caseURL(cw.Case.ID)+"/plan/work", map[string]any{"status": "waiting", "version": 9}, 1), "version")
	owned("note with org_id", req(h, "POST", caseURL(cw.Case.ID)+"/notes", map[string]any{"body": "x", "org_id": w.Jobcenter.ID}, 0), "org_id")
	owned("note with author_id", req(h, "POST", caseURL(cw.Case.ID)+"/notes", map[string]any{"body": "x", "author_id": w.JobcenterWorker.ID}, 0), "author_id")
	owned("consent with recorded_org_id", req(h, "POST", caseURL(cw.Case.ID)+"/consents", with(consentBody(w.Jobcenter, "work"), "recorded_org_id", w.Jobcenter.ID), 0), "recorded_org_id")
	owned("consent with revoked_at", req(h, "POST", caseURL(cw.Case.ID)+"/consents", with(consentBody(w.Jobcenter, "work"), "revoked_at", "2020-01-01T00:00:00Z"), 0), "revoked_at")
	owned("consent with case_id", req(h, "POST", caseURL(cw.Case.ID)+"/consents", with(consentBody(w.Jobcenter, "work"), "case_id", uuid.New()), 0), "case_id")
	for _, f := range []string{"status", "from_org_id", "reference", "version", "reply_due", "sent_by"} {
		owned("referral with "+f, req(h, "POST", caseURL(cw.Case.ID)+"/referrals", with(newRef, f, "x"), 0), f)
	}
	owned("decline with consent_id", req(w.JobcenterWorker, "POST", referralURL(cw.Referral.ID)+"/decline", map[string]any{"reason": "x", "consent_id": uuid.New()}, 1), "consent_id")
	owned("decline with status", req(w.JobcenterWorker, "POST", referralURL(cw.Referral.ID)+"/decline", map[string]any{"reason": "x", "status": "accepted"}, 1), "status")
	owned("complete with answered_by", req(w.JobcenterWorker, "POST", referralURL(cw.Referral.ID)+"/complete", map[string]any{"outcome": "x", "answered_by": h.ID}, 1), "answered_by")
	for _, f := range []string{"status", "version", "created_by", "done_at", "id"} {
		owned("task with "+f, req(h, "POST", base+"/tasks", with(newTask, f, "x"), 0), f)
	}
	for _, f := range []string{"org_id", "assignee_id", "case_id", "referral_id", "version"} {
		owned("task patch with "+f, req(h, "PATCH", taskURL(cw.Task.ID), map[string]any{"title": "x", f: uuid.New()}, 1), f)
	}
	owned("comment with author_id", req(h, "POST", taskURL(cw.Task.ID)+"/comments", map[string]any{"body": "x", "author_id": w.JobcenterWorker.ID}, 0), "author_id")
	owned("comment with org_id", req(h, "POST", taskURL(cw.Task.ID)+"/comments", map[string]any{"body": "x", "org_id": w.Jobcenter.ID}, 0), "org_id")
	inEnglish(ss).Run(t, w)

	// And what a body may set is set, but the server's own fields are the server's.
	res := call(t, w, 201, req(h, "POST", base+"/cases", newCase, 0))
	c := decode[api.Case](t, res)
	if c.LeadOrgId != w.Housing.ID || c.Status != api.CaseStatusOpen || c.Version != 1 || !strings.HasPrefix(c.Reference, "F-") {
		t.Errorf("server-owned fields of a new case: %s", res.Body)
	}
}
