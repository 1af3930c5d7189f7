package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// roleConflict checks the refusal of the separation of duties: the code, the roles in the
// params, and a message in the language asked for that names both roles.
func roleConflict(role, with string, words ...string) func(t *testing.T, r *world.Response) {
	return func(t *testing.T, r *world.Response) {
		t.Helper()
		var e struct {
			Error struct {
				Code    string            `json:"code"`
				Message string            `json:"message"`
				Params  map[string]string `json:"params"`
			} `json:"error"`
		}
		r.JSON(t, &e)
		if e.Error.Code != model.CodeRoleConflict || e.Error.Params["role"] != role || e.Error.Params["conflicts_with"] != with {
			t.Errorf("error %+v, want role_conflict %s with %s", e.Error, role, with)
		}
		for _, w := range words {
			if !strings.Contains(e.Error.Message, w) {
				t.Errorf("message %q lacks %q", e.Error.Message, w)
			}
		}
	}
}

var english = map[string]string{"Accept-Language": "en"}

// TestSeparationOfDutiesOnGrant is the outside review's reproduction and its variants: no
// person holds a role without case content (dpo, sysadmin, coordinator, org_admin) together
// with one that has it (caseworker, lead), in any organisation, whichever comes first.
func TestSeparationOfDutiesOnGrant(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	c := w.Case(t, w.HousingWorker)
	caseURL := base + "/cases/" + c.ID.String()
	post := func(as *world.User, u *world.User, o *model.Organisation, r model.Role) world.Request {
		return world.Request{As: as, Method: "POST", URL: base + "/grants", Body: grant(u, o, r)}
	}
	world.Scenarios{
		// The reproduction: the system administrator makes the data protection officer a
		// caseworker of the housing office.
		{Name: "dpo first, then caseworker", Request: post(w.Sysadmin, w.DPO, w.Housing, model.RoleCaseworker), Status: 409, ErrorCode: "role_conflict", NoChange: true,
			Check: roleConflict("caseworker", "dpo", "Fallmanagement", "Datenschutzbeauftragte:r", w.Housing.Name, w.City.Name)},
		{Name: "the refusal in English", Request: func() world.Request {
			r := post(w.Sysadmin, w.DPO, w.Housing, model.RoleCaseworker)
			r.Headers = english
			return r
		}(), Status: 409, ErrorCode: "role_conflict", NoChange: true,
			Check: roleConflict("caseworker", "dpo", "Case management", "Data protection officer", "separation of duties")},
		{Name: "the officer still reads nothing", Request: world.Request{As: w.DPO, Method: "GET", URL: caseURL}, Status: 404},
		{Name: "nor acting in the housing office", Request: world.Request{As: w.DPO, Org: w.Housing, Method: "GET", URL: caseURL}, Status: 403},
		{Name: "dpo first, then lead elsewhere", Request: post(w.Sysadmin, w.DPO, w.Caritas, model.RoleLead), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "caseworker first, then dpo", Request: post(w.Sysadmin, w.HousingWorker, w.City, model.RoleDPO), Status: 409, ErrorCode: "role_conflict", NoChange: true,
			Check: roleConflict("dpo", "caseworker")},
		{Name: "lead first, then dpo", Request: post(w.Sysadmin, w.HousingLead, w.Housing, model.RoleDPO), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "sysadmin first, then caseworker", Request: post(w.Sysadmin, w.DPO, w.City, model.RoleSysadmin), Status: 201},
		{Name: "the officer, now also sysadmin, makes the other sysadmin a caseworker", Request: post(w.DPO, w.Sysadmin, w.Housing, model.RoleCaseworker),
			Status: 409, ErrorCode: "role_conflict", NoChange: true, Check: roleConflict("caseworker", "sysadmin")},
		{Name: "sysadmin made a caseworker", Request: post(w.Sysadmin, w.DPO, w.Jobcenter, model.RoleCaseworker), Status: 409, ErrorCode: "role_conflict", NoChange: true,
			Check: roleConflict("caseworker", "dpo,sysadmin")},
		{Name: "caseworker first, then sysadmin", Request: post(w.Sysadmin, w.JobcenterWorker, w.City, model.RoleSysadmin), Status: 409, ErrorCode: "role_conflict", NoChange: true,
			Check: roleConflict("sysadmin", "caseworker")},
		{Name: "coordinator first, then caseworker", Request: post(w.Sysadmin, w.Coordinator, w.Migration, model.RoleCaseworker), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "lead first, then coordinator", Request: post(w.Sysadmin, w.HousingLead, w.Migration, model.RoleCoordinator), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "org_admin first, then caseworker", Request: post(w.Sysadmin, w.HousingAdmin, w.Housing, model.RoleCaseworker), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "caseworker first, then org_admin", Request: post(w.Sysadmin, w.NorthWorker, w.HousingNorth, model.RoleOrgAdmin), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "an org_admin makes its caseworker org_admin", Request: post(w.CaritasAdmin, w.CaritasWorker, w.Caritas, model.RoleOrgAdmin), Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "another org_admin makes its caseworker org_admin", Request: post(w.DiakonieAdmin, w.DiakonieWorker, w.Diakonie, model.RoleOrgAdmin),
			Status: 409, ErrorCode: "role_conflict", NoChange: true},
		// Roles on the same side combine as before.
		{Name: "caseworker and lead", Request: post(w.Sysadmin, w.HousingWorker, w.Housing, model.RoleLead), Status: 201},
		{Name: "org_admin and coordinator", Request: post(w.Sysadmin, w.HousingAdmin, w.Migration, model.RoleCoordinator), Status: 201},
	}.Run(t, w)
}

// TestAdminCaseworkSetting: a partner organisation may let its administrators also work its
// cases, by a setting that only the system administrator switches, never for a municipal
// department, audited; it cannot be switched off while someone holds the combination.
func TestAdminCaseworkSetting(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	on := map[string]any{"allow_admin_casework": true}
	off := map[string]any{"allow_admin_casework": false}
	var combined string
	world.Scenarios{
		{Name: "an org_admin cannot switch it on for itself", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1), Body: on},
			Status: 403, ErrorCode: "forbidden", NoChange: true},
		{Name: "nor with other changes", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1),
			Body: map[string]any{"allow_admin_casework": true, "contact_phone": "1"}}, Status: 403, NoChange: true},
		{Name: "the dpo cannot", Request: world.Request{As: w.DPO, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1), Body: on},
			Status: 404, NoChange: true},
		{Name: "never for a municipal department", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Housing), Headers: version(1), Body: on},
			Status: 400, ErrorCode: "invalid", Fields: []string{"allow_admin_casework"}, NoChange: true},
		{Name: "without it, org_admin and caseworker are refused", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants",
			Body: grant(w.CaritasWorker, w.Caritas, model.RoleOrgAdmin)}, Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "the system administrator switches it on", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1), Body: on},
			Status: 200, Contains: []string{`"allow_admin_casework":true`, `"version":2`},
			Check: func(t *testing.T, _ *world.Response) {
				evs := w.AuditEvents(t, "organisation.update", w.Caritas.ID.String())
				if len(evs) != 1 || evs[0].Details["allow_admin_casework"] != true || evs[0].ActorID == nil || *evs[0].ActorID != w.Sysadmin.ID {
					t.Errorf("audit events %+v", evs)
				}
			}},
		{Name: "an org_admin can still not switch it off", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(2), Body: off},
			Status: 403, NoChange: true},
		{Name: "an org_admin may send it unchanged", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(2),
			Body: map[string]any{"allow_admin_casework": true, "contact_phone": "2"}}, Status: 200, Contains: []string{`"version":3`}},
		{Name: "now the counsellor may also administer", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants",
			Body: grant(w.CaritasWorker, w.Caritas, model.RoleOrgAdmin)}, Status: 201, Check: func(t *testing.T, r *world.Response) {
			var g struct {
				ID string `json:"id"`
			}
			r.JSON(t, &g)
			combined = g.ID
		}},
		{Name: "in that organisation only", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants",
			Body: grant(w.CaritasAdmin, w.Diakonie, model.RoleCaseworker)}, Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "not for the dpo there", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants",
			Body: grant(w.DPO, w.Caritas, model.RoleCaseworker)}, Status: 409, ErrorCode: "role_conflict", NoChange: true},
		{Name: "the combined administrator works the caseworker's side", Request: world.Request{As: w.CaritasWorker, Method: "GET", URL: base + "/members"},
			Status: 200},
		{Name: "switching it off is refused while the combination is held", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(3), Body: off},
			Status: 409, ErrorCode: "role_conflict", NoChange: true, Check: roleConflict("caseworker", "org_admin")},
		{Name: "so is making it municipal", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(3),
			Body: map[string]any{"kind": "municipal"}}, Status: 400, Fields: []string{"allow_admin_casework"}, NoChange: true},
	}.Run(t, w)

	t.Run("after the combination is taken apart, it switches off", func(t *testing.T) {
		if res := w.Do(t, world.Request{As: w.Sysadmin, Method: "DELETE", URL: base + "/grants/" + combined}); res.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		res := w.Do(t, world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(3), Body: off})
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"allow_admin_casework":false`) {
			t.Fatalf("switch off: %d %s", res.Status, res.Body)
		}
		if evs := w.AuditEvents(t, "organisation.update", w.Caritas.ID.String()); len(evs) != 3 || evs[2].Details["allow_admin_casework"] != false {
			t.Errorf("audit events %+v", evs)
		}
	})
}

// TestStoredConflictGivesNoCaseContent: a combination written before the rule existed (here
// straight into the database) does not give the data protection officer case content: the
// enforcer leaves the case-content grant out and logs a warning.
func TestStoredConflictGivesNoCaseContent(t *testing.T) {
	t.Parallel()
	w := world.New(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		return tx.Grants().Create(ctx, &model.Grant{UserID: w.DPO.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker})
	}))
	c := w.Case(t, w.HousingWorker)
	caseURL := base + "/cases/" + c.ID.String()
	world.Scenarios{
		{Name: "the housing caseworker reads the case", Request: world.Request{As: w.HousingWorker, Method: "GET", URL: caseURL}, Status: 200},
		{Name: "the officer does not, as officer", Request: world.Request{As: w.DPO, Method: "GET", URL: caseURL}, Status: 404},
		{Name: "nor acting in the housing office", Request: world.Request{As: w.DPO, Org: w.Housing, Method: "GET", URL: caseURL}, Status: 403},
		{Name: "nor in the case list", Request: world.Request{As: w.DPO, Method: "GET", URL: base + "/cases"}, Status: 403},
		{Name: "the officer keeps its own permissions", Request: world.Request{As: w.DPO, Method: "GET", URL: base + "/members"}, Status: 200},
	}.Run(t, w)
	if !strings.Contains(w.Log.String(), "grant withheld") || !strings.Contains(w.Log.String(), "conflicts_with=dpo") {
		t.Errorf("no warning in the log:\n%s", w.Log.String())
	}
}
