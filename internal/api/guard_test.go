package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// operations lists every operation of openapi.yaml, so that a new one is guarded by the
// tests below without being listed here.
func operations(t *testing.T) []api.Operation {
	t.Helper()
	doc, err := api.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := api.Operations(doc)
	if len(ops) < 10 {
		t.Fatalf("only %d operations", len(ops))
	}
	return ops
}

// concrete fills an operation's :id with id and gives it a body that passes validation, so
// that what is tested is the guard, not the input.
func concrete(op api.Operation, id string, w *world.World) world.Request {
	r := world.Request{Method: op.Method, URL: strings.Replace(op.Path, ":id", id, 1)}
	switch op.ID {
	case "createOrganisation":
		r.Body = map[string]any{"kind": "welfare", "name": "AWO", "short_name": "AWO"}
	case "updateOrganisation":
		r.Body = map[string]any{"name": "Umbenannt"}
	case "createMember":
		r.Body = map[string]any{"display_name": "X", "email": "x@stadt.test", "org_id": w.Caritas.ID, "role": "caseworker"}
	case "updateMember":
		r.Body = map[string]any{"display_name": "Umbenannt"}
	case "createGrant":
		r.Body = grant(w.CaritasWorker, w.Caritas, model.RoleLead)
	}
	if op.Method == http.MethodPatch {
		r.Headers = version(1)
	}
	return r
}

// TestAnonymousCallersAreRefused: every API route needs a sign-in and answers 401 in the
// API's error shape; so do unknown and deactivated accounts. The probes stay public.
func TestAnonymousCallersAreRefused(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	stranger := &world.User{ID: uuid.New(), Name: "nobody"}
	var ss world.Scenarios
	for _, op := range operations(t) {
		for _, who := range []struct {
			name string
			as   *world.User
		}{{"anonymous", nil}, {"unknown account", stranger}, {"deactivated account", w.Inactive}} {
			r := concrete(op, w.Caritas.ID.String(), w)
			r.As = who.as
			ss = append(ss, world.Scenario{Name: who.name + " " + op.ID, Request: r, Status: 401, ErrorCode: "unauthenticated", NoChange: true})
		}
	}
	ss = append(ss,
		world.Scenario{Name: "healthz is public", Request: world.Request{Method: "GET", URL: "/healthz"}, Status: 200},
		world.Scenario{Name: "the API description is public", Request: world.Request{Method: "GET", URL: base + "/openapi.yaml"}, Status: 200,
			Contains: []string{"openapi: 3.0.3", "/organisations/{id}"}},
	)
	ss.Run(t, w)
}

// TestRecordRoutesHideWhatIsMissingOrForeign: on every record route of the directory an
// unknown id and a record out of the caller's reach answer 404 alike, a malformed id 400,
// and none changes anything. The case-work routes have their own test with their nested
// ids (TestCaseWorkForeignIDs), since only caseworkers reach them at all.
func TestRecordRoutesHideWhatIsMissingOrForeign(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	// The Caritas administrator's foreign record per collection: what exists but is not theirs.
	foreign := map[string]string{
		"organisations": w.Diakonie.ID.String(),
		"members":       w.JobcenterWorker.ID.String(),
		"grants":        w.JobcenterWorker.Grant(t, w.Jobcenter).ID.String(),
	}
	var ss world.Scenarios
	for _, op := range operations(t) {
		if !strings.Contains(op.Path, ":id") {
			continue
		}
		collection := strings.Split(strings.TrimPrefix(op.Path, base+"/"), "/")[0]
		if _, ok := foreign[collection]; !ok {
			continue
		}
		r := concrete(op, uuid.NewString(), w)
		r.As = w.Sysadmin
		ss = append(ss, world.Scenario{Name: "unknown id " + op.ID, Request: r, Status: 404, ErrorCode: "not_found", NoChange: true})

		r = concrete(op, "not-a-uuid", w)
		r.As = w.Sysadmin
		ss = append(ss, world.Scenario{Name: "malformed id " + op.ID, Request: r, Status: 400, ErrorCode: "invalid", Fields: []string{"id"}, NoChange: true})

		r = concrete(op, foreign[collection], w)
		r.As = w.CaritasAdmin
		status := 404
		if op.ID == "getOrganisation" {
			status = 200 // policy.csv: every organisation administrator may read every organisation
		}
		ss = append(ss, world.Scenario{Name: "foreign id " + op.ID, Request: r, Status: status, NoChange: true})
	}
	ss.Run(t, w)
}

// TestGrantChangesAreAudited: every grant change writes exactly one audit event with the
// actor, the acting organisation, the action, the request id and the client address.
func TestGrantChangesAreAudited(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	check := func(t *testing.T, action, objectID string, res *world.Response) {
		t.Helper()
		evs := w.AuditEvents(t, action, objectID)
		if len(evs) != 1 {
			t.Fatalf("%d %s events for %s, want 1", len(evs), action, objectID)
		}
		ev := evs[0]
		if ev.ActorID == nil || *ev.ActorID != w.CaritasAdmin.ID || ev.OrgID == nil || *ev.OrgID != w.Caritas.ID ||
			ev.Role != "org_admin" || ev.ActorName != w.CaritasAdmin.Name || ev.ObjectType != "grant" {
			t.Errorf("event does not name the actor: %+v", ev)
		}
		if ev.RequestID == "" || ev.RequestID != res.Header.Get("X-Request-Id") {
			t.Errorf("event request id %q, response %q", ev.RequestID, res.Header.Get("X-Request-Id"))
		}
		if ev.RemoteAddr != world.RemoteAddr {
			t.Errorf("event remote address %q, want %q", ev.RemoteAddr, world.RemoteAddr)
		}
	}
	var g struct {
		ID string `json:"id"`
	}

	res := w.Do(t, world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleLead)})
	if res.Status != 201 {
		t.Fatalf("grant: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &g)
	check(t, "grant.create", g.ID, res)

	res = w.Do(t, world.Request{As: w.CaritasAdmin, Method: "DELETE", URL: base + "/grants/" + g.ID})
	if res.Status != 204 {
		t.Fatalf("delete grant: %d %s", res.Status, res.Body)
	}
	check(t, "grant.delete", g.ID, res)

	// A new member comes with its first grant: one event for the account, one for the grant.
	res = w.Do(t, world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/members",
		Body: map[string]any{"display_name": "Nora Neu", "email": "nora@caritas.test", "org_id": w.Caritas.ID, "role": "caseworker"}})
	if res.Status != 201 {
		t.Fatalf("member: %d %s", res.Status, res.Body)
	}
	var m struct {
		ID     string `json:"id"`
		Grants []struct {
			ID string `json:"id"`
		} `json:"grants"`
	}
	res.JSON(t, &m)
	if len(m.Grants) != 1 {
		t.Fatalf("new member grants: %s", res.Body)
	}
	check(t, "grant.create", m.Grants[0].ID, res)
	if n := len(w.AuditEvents(t, "member.create", m.ID)); n != 1 {
		t.Errorf("%d member.create events, want 1", n)
	}
}

// TestSeparationOfDutiesAdministratorReadingACase: system administrators, the data
// protection officer and organisation administrators hold no permission on case content,
// in any organisation they act in. This asks the policy the services ask; the HTTP side is
// in the authorization matrix (TestCaseWorkAuthorizationMatrix).
func TestSeparationOfDutiesAdministratorReadingACase(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	en := w.Enforcer(t)
	content := map[string]bool{"case": true, "plan": true, "consent": true, "referral": true, "task": true, "note": true}
	actions := map[string]bool{}
	for _, r := range en.Rules() {
		if content[r[2]] {
			actions[r[3]] = true
		}
	}
	if !actions["read"] {
		t.Fatal("the policy grants nobody case content: the test would prove nothing")
	}
	for _, u := range []*world.User{w.Sysadmin, w.DPO, w.CaritasAdmin, w.HousingAdmin} {
		for _, g := range u.Grants {
			for obj := range content {
				for act := range actions {
					sc, err := en.Scope(u.ID, g.OrgID, obj, act)
					if err != nil {
						t.Fatal(err)
					}
					if sc.Allowed() {
						t.Errorf("%s (%s) may %s %s with scope %v", u.Name, g.Role, act, obj, sc.Kinds)
					}
				}
			}
		}
	}
	// The check is not vacuous: a caseworker of the housing office may read its cases.
	if sc, _ := en.Scope(w.HousingWorker.ID, w.Housing.ID, "case", "read"); !sc.Allowed() {
		t.Fatal("a housing caseworker cannot read cases: the enforcer is not answering")
	}
}
