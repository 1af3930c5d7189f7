package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestEveryCaseWorkRouteWritesOneAuditEvent: a successful call of every case-work route,
// read or write, writes exactly one audit event, named for the action, with the caller, the
// acting organisation, the role, the case, the purpose given and the request id. Revoking a
// consent writes, as Consents.Revoke documents, one more event per referral it revoked.
// Reading the areas (configuration, no case content) writes none.
func TestEveryCaseWorkRouteWritesOneAuditEvent(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	const purpose = "Prüfung Zugriffsprotokoll"
	actions := map[string][]string{
		"GET /cases/{id}":                            {"case.read"},
		"GET /cases/{id}/overview":                   {"case.read"}, // one event for the whole page, listing what it showed
		"PATCH /cases/{id}":                          {"case.update"},
		"POST /cases/{id}/persons":                   {"person.create"},
		"PATCH /cases/{id}/persons/{personId}":       {"person.update"},
		"GET /cases/{id}/plan":                       {"plan.read"},
		"PATCH /cases/{id}/plan/{referred area}":     {"plan.update"},
		"PATCH /cases/{id}/plan/{area not referred}": {"plan.update"},
		"GET /cases/{id}/notes":                      {"note.list"},
		"POST /cases/{id}/notes":                     {"note.create"},
		"GET /cases/{id}/consents":                   {"consent.list"},
		"GET /cases/{id}/consents/covering":          {"consent.list"},
		"POST /cases/{id}/consents":                  {"consent.create"},
		"GET /consents/{id}":                         {"consent.read"},
		"POST /consents/{id}/revoke":                 {"consent.revoke", "referral.revoke"}, // the accepted referral it covered
		"POST /cases/{id}/referrals":                 {"referral.create"},
		"GET /referrals/{id}":                        {"referral.read"},
		"POST /referrals/{id}/accept":                {"referral.accept"},
		"POST /referrals/{id}/decline":               {"referral.decline"},
		"POST /referrals/{id}/start":                 {"referral.start"},
		"POST /referrals/{id}/complete":              {"referral.complete"},
		"POST /referrals/{id}/withdraw":              {"referral.withdraw"},
		"GET /tasks/{id}":                            {"task.read"},
		"PATCH /tasks/{id}":                          {"task.update"},
		"POST /tasks/{id}/reassign":                  {"task.reassign"},
		"GET /tasks/{id}/comments":                   {"task.read"},
		"POST /tasks/{id}/comments":                  {"task.comment"},
		"GET /cases":                                 {"case.list"},
		"GET /referrals":                             {"referral.list"},
		"GET /tasks":                                 {"task.list"},
		"POST /tasks":                                {"task.create"},
	}
	for _, rt := range matrixRoutes() {
		want, ok := actions[rt.name]
		if !ok {
			t.Errorf("%s: no expected audit action", rt.name)
			continue
		}
		t.Run(rt.name, func(t *testing.T) {
			st := stAccepted
			if rt.ok[st] == nil {
				st = stSent // accept and decline
			}
			cw := setup(t, w, st)
			caller := allowedCaller(w, rt, cw, st)
			req := rt.req(w, cw, caller)
			if req.Headers == nil {
				req.Headers = map[string]string{}
			}
			req.Headers["X-Lotse-Purpose"] = purpose
			last := w.LastAuditID(t)
			res := call(t, w, rt.status, req)
			evs := w.AuditAfter(t, last)
			var got []string
			for _, ev := range evs {
				got = append(got, ev.Action)
				if ev.ActorID == nil || *ev.ActorID != caller.ID || ev.OrgID == nil || *ev.OrgID != caller.Grants[0].OrgID ||
					ev.Role != string(caller.Grants[0].Role) || ev.ActorName != caller.Name {
					t.Errorf("%s does not name the caller: %+v", ev.Action, ev)
				}
				if ev.Purpose != purpose || ev.RequestID != res.Header.Get("X-Request-Id") || ev.RemoteAddr != world.RemoteAddr {
					t.Errorf("%s: purpose %q, request id %q (response %q), address %q", ev.Action, ev.Purpose, ev.RequestID, res.Header.Get("X-Request-Id"), ev.RemoteAddr)
				}
				isList := ev.Action == "case.list" || ev.Action == "referral.list" || ev.Action == "task.list"
				if !isList && (ev.CaseID == nil || *ev.CaseID != cw.Case.ID) {
					t.Errorf("%s does not name the case: %v", ev.Action, ev.CaseID)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("audit events %v, want %v", got, want)
			}
		})
	}

	t.Run("revoking a consent without referrals", func(t *testing.T) {
		cw := setup(t, w, stOwn)
		last := w.LastAuditID(t)
		call(t, w, 200, world.Request{As: w.HousingWorker, Method: "POST", URL: consentURL(cw.Consent.ID) + "/revoke", Headers: version(cw.Consent.Version)})
		if evs := w.AuditAfter(t, last); len(evs) != 1 || evs[0].Action != "consent.revoke" || evs[0].Details["referrals_revoked"] != float64(0) {
			t.Errorf("events: %+v", evs)
		}
	})
	t.Run("creating a case and reading the areas", func(t *testing.T) {
		last := w.LastAuditID(t)
		res := call(t, w, 201, world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/cases", Body: map[string]any{"primary": personBody("Audit")}})
		if evs := w.AuditAfter(t, last); len(evs) != 1 || evs[0].Action != "case.create" || evs[0].Purpose != "case work" {
			t.Errorf("events: %+v (%s)", evs, res.Body)
		}
		last = w.LastAuditID(t)
		call(t, w, 200, world.Request{As: w.JobcenterWorker, Method: "GET", URL: base + "/areas"})
		if evs := w.AuditAfter(t, last); len(evs) != 0 {
			t.Errorf("reading the areas wrote %+v", evs)
		}
	})
	t.Run("a purpose that is too long", func(t *testing.T) {
		cw := setup(t, w, stOwn)
		world.Scenarios{{Name: "refused", Request: world.Request{As: w.HousingWorker, Method: "GET", URL: caseURL(cw.Case.ID),
			Headers: map[string]string{"X-Lotse-Purpose": strings.Repeat("Prüfung ", 13)}}, Status: 400, ErrorCode: "invalid", Fields: []string{"X-Lotse-Purpose"}, NoChange: true}}.Run(t, w)
	})
}
