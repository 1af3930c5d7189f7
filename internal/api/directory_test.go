package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

func TestSysadminManagesOrganisations(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	newOrg := map[string]any{"kind": "welfare", "name": "AWO Kreisverband Osnabrück", "short_name": "AWO", "parent_id": nil}
	delete(newOrg, "parent_id")
	world.Scenarios{
		{Name: "lists every organisation", Request: world.Request{As: w.Sysadmin, Method: "GET", URL: base + "/organisations"}, Status: 200,
			Check: func(t *testing.T, r *world.Response) {
				if got := listNames(t, r); len(got) != 7 {
					t.Errorf("organisations %v, want all 7", got)
				}
			}},
		{Name: "creates an organisation", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations", Body: newOrg},
			Status: 201, Contains: []string{`"short_name":"AWO"`, `"version":1`, `"parent_id":null`}, Check: etagIs(1)},
		{Name: "a taken short name is invalid", Request: world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations", Body: newOrg},
			Status: 400, ErrorCode: "invalid", Fields: []string{"short_name"}, NoChange: true},
		{Name: "reads one", Request: world.Request{As: w.Sysadmin, Method: "GET", URL: orgURL(w.Caritas)}, Status: 200,
			Contains: []string{`"short_name":"CARITAS"`}, Check: etagIs(1)},
		{Name: "patches with If-Match", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1),
			Body: map[string]any{"contact_phone": "0541 34978-0"}}, Status: 200, Contains: []string{`"contact_phone":"0541 34978-0"`, `"version":2`}, Check: etagIs(2)},
		{Name: "a stale If-Match is a conflict", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1),
			Body: map[string]any{"contact_phone": "0"}}, Status: 409, ErrorCode: "conflict", NoChange: true},
		{Name: "without If-Match", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas),
			Body: map[string]any{"contact_phone": "0"}}, Status: 400, ErrorCode: "invalid", Fields: []string{"If-Match"}, NoChange: true},
		{Name: "If-Match that is no version", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: map[string]string{"If-Match": "*"},
			Body: map[string]any{"contact_phone": "0"}}, Status: 400, ErrorCode: "invalid", Fields: []string{"If-Match"}, NoChange: true},
		{Name: "moves an organisation below another", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.HousingNorth), Headers: version(1),
			Body: map[string]any{"parent_id": w.Migration.ID}}, Status: 200, Contains: []string{w.Migration.ID.String()}, Check: etagIs(2)},
		{Name: "refuses a cycle", Request: world.Request{As: w.Sysadmin, Method: "PATCH", URL: orgURL(w.City), Headers: version(1),
			Body: map[string]any{"parent_id": w.Migration.ID}}, Status: 400, Fields: []string{"parent_id"}, NoChange: true},
	}.Run(t, w)
}

func TestOrgAdminStaysInItsOrganisation(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	caritasMember := map[string]any{"display_name": "Nora Neu", "email": "nora.neu@caritas.test", "org_id": w.Caritas.ID, "role": "caseworker"}
	jobcenterMember := map[string]any{"display_name": "Jo Fremd", "email": "jo@jobcenter.test", "org_id": w.Jobcenter.ID, "role": "caseworker"}
	var leadGrant string
	world.Scenarios{
		{Name: "lists only the members of its organisation", Request: world.Request{As: w.CaritasAdmin, Method: "GET", URL: base + "/members"}, Status: 200,
			Check: func(t *testing.T, r *world.Response) {
				got := listNames(t, r)
				slices.Sort(got)
				if want := []string{w.CaritasAdmin.Name, w.CaritasWorker.Name}; !slices.Equal(got, want) {
					t.Errorf("members %v, want %v", got, want)
				}
			}},
		{Name: "filtering by another organisation shows nobody", Request: world.Request{As: w.CaritasAdmin, Method: "GET", URL: base + "/members?org_id=" + w.Jobcenter.ID.String()},
			Status: 200, Contains: []string{`"items":[]`}},
		{Name: "creates a caseworker in its organisation", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/members", Body: caritasMember},
			Status: 201, Contains: []string{`"display_name":"Nora Neu"`, `"role":"caseworker"`, w.Caritas.ID.String()}, Check: etagIs(1)},
		{Name: "cannot create a member in the job center", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/members", Body: jobcenterMember},
			Status: 404, ErrorCode: "not_found", NoChange: true},
		{Name: "cannot patch another organisation", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Diakonie), Headers: version(1),
			Body: map[string]any{"name": "Übernommen"}}, Status: 404, ErrorCode: "not_found", NoChange: true},
		{Name: "patches its own organisation", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1),
			Body: map[string]any{"contact_email": "info@caritas-os.test"}}, Status: 200, Check: etagIs(2)},
		{Name: "self-elevation to lead", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasAdmin, w.Caritas, model.RoleLead)},
			Status: 403, ErrorCode: "forbidden", NoChange: true},
		{Name: "self-elevation to org_admin elsewhere", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasAdmin, w.Diakonie, model.RoleOrgAdmin)},
			Status: 403, NoChange: true},
		{Name: "cannot grant sysadmin", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleSysadmin)},
			Status: 403, ErrorCode: "forbidden", NoChange: true},
		{Name: "cannot grant coordinator", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleCoordinator)},
			Status: 403, NoChange: true},
		{Name: "cannot grant dpo", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleDPO)},
			Status: 403, NoChange: true},
		{Name: "cross-organisation grant", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Jobcenter, model.RoleCaseworker)},
			Status: 404, ErrorCode: "not_found", NoChange: true},
		{Name: "cannot grant to an account out of reach", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.JobcenterWorker, w.Caritas, model.RoleCaseworker)},
			Status: 404, NoChange: true},
		{Name: "cannot delete a grant in the job center", Request: world.Request{As: w.CaritasAdmin, Method: "DELETE", URL: grantURL(w.JobcenterWorker.Grant(t, w.Jobcenter))},
			Status: 404, ErrorCode: "not_found", NoChange: true},
		{Name: "cannot delete its own grant", Request: world.Request{As: w.CaritasAdmin, Method: "DELETE", URL: grantURL(w.CaritasAdmin.Grant(t, w.Caritas))},
			Status: 403, NoChange: true},
		{Name: "grants lead in its organisation", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleLead)},
			Status: 201, Contains: []string{`"role":"lead"`}, Check: func(t *testing.T, r *world.Response) {
				var g struct {
					ID string `json:"id"`
				}
				r.JSON(t, &g)
				leadGrant = g.ID
			}},
		{Name: "the same grant twice is a conflict", Request: world.Request{As: w.CaritasAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleLead)},
			Status: 409, NoChange: true},
		{Name: "cannot read a member of the job center", Request: world.Request{As: w.CaritasAdmin, Method: "GET", URL: memberURL(w.JobcenterWorker)},
			Status: 404, NoChange: true},
		{Name: "cannot patch a member of the job center", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: memberURL(w.JobcenterWorker), Headers: version(1),
			Body: map[string]any{"active": false}}, Status: 404, NoChange: true},
		{Name: "cannot deactivate itself", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: memberURL(w.CaritasAdmin), Headers: version(1),
			Body: map[string]any{"active": false}}, Status: 403, NoChange: true},
		{Name: "renames a member of its organisation", Request: world.Request{As: w.CaritasAdmin, Method: "PATCH", URL: memberURL(w.CaritasWorker), Headers: version(1),
			Body: map[string]any{"display_name": "Christine Caritas"}}, Status: 200, Contains: []string{`"display_name":"Christine Caritas"`}, Check: etagIs(2)},
	}.Run(t, w)

	t.Run("deletes the lead grant again", func(t *testing.T) {
		res := w.Do(t, world.Request{As: w.CaritasAdmin, Method: "DELETE", URL: base + "/grants/" + leadGrant})
		if res.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
	})

	// An organisation administrator of a department does not reach its sub-units either:
	// org_admin works in its own organisation only.
	world.Scenarios{
		{Name: "housing admin cannot patch its sub-unit", Request: world.Request{As: w.HousingAdmin, Method: "PATCH", URL: orgURL(w.HousingNorth), Headers: version(1),
			Body: map[string]any{"name": "Nord"}}, Status: 404, NoChange: true},
		{Name: "housing admin cannot grant in its sub-unit", Request: world.Request{As: w.HousingAdmin, Method: "POST", URL: base + "/grants", Body: grant(w.HousingWorker, w.HousingNorth, model.RoleCaseworker)},
			Status: 404, NoChange: true},
	}.Run(t, w)
}

func TestCaseworkersAndCoordinatorsReadOrganisationsOnly(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	newOrg := map[string]any{"kind": "welfare", "name": "AWO", "short_name": "AWO"}
	world.Scenarios{
		{Name: "caseworker cannot create an organisation", Request: world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/organisations", Body: newOrg},
			Status: 403, ErrorCode: "forbidden", NoChange: true},
		{Name: "caseworker cannot list members", Request: world.Request{As: w.HousingWorker, Method: "GET", URL: base + "/members"}, Status: 403, ErrorCode: "forbidden"},
		{Name: "caseworker cannot read a member", Request: world.Request{As: w.HousingWorker, Method: "GET", URL: memberURL(w.NorthWorker)}, Status: 404},
		{Name: "caseworker cannot create a member", Request: world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/members",
			Body: map[string]any{"display_name": "X", "email": "x@stadt.test", "org_id": w.Housing.ID, "role": "caseworker"}}, Status: 403, NoChange: true},
		{Name: "caseworker cannot grant", Request: world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/grants", Body: grant(w.NorthWorker, w.Housing, model.RoleCaseworker)},
			Status: 404, NoChange: true},
		// policy.csv: p, caseworker, *, organisation, read, all (who to refer a case to).
		{Name: "caseworker reads any organisation", Request: world.Request{As: w.HousingWorker, Method: "GET", URL: orgURL(w.Diakonie)}, Status: 200, Contains: []string{"DIAKONIE"}},
		{Name: "partner caseworker reads any organisation", Request: world.Request{As: w.CaritasWorker, Method: "GET", URL: orgURL(w.Housing)}, Status: 200, Contains: []string{"FB-WOHNEN"}},
		{Name: "caseworker lists organisations", Request: world.Request{As: w.JobcenterWorker, Method: "GET", URL: base + "/organisations"}, Status: 200, Contains: []string{"CARITAS", "STADT"}},
		{Name: "caseworker cannot patch its organisation", Request: world.Request{As: w.HousingWorker, Method: "PATCH", URL: orgURL(w.Housing), Headers: version(1),
			Body: map[string]any{"name": "X"}}, Status: 404, NoChange: true},
		{Name: "coordinator lists organisations", Request: world.Request{As: w.Coordinator, Method: "GET", URL: base + "/organisations"}, Status: 200},
		{Name: "coordinator cannot list members", Request: world.Request{As: w.Coordinator, Method: "GET", URL: base + "/members"}, Status: 403},
		{Name: "an account without roles sees nothing", Request: world.Request{As: w.NoRole, Method: "GET", URL: base + "/organisations"}, Status: 403},
	}.Run(t, w)
}

func TestLeadSeesMembersOfItsTree(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	world.Scenarios{
		{Name: "members of housing and its unit", Request: world.Request{As: w.HousingLead, Method: "GET", URL: base + "/members"}, Status: 200,
			Contains:    []string{w.HousingWorker.Name, w.NorthWorker.Name, w.HousingAdmin.Name},
			NotContains: []string{w.CaritasWorker.Name, w.MigrationWorker.Name, w.Sysadmin.Name}},
		{Name: "reads a member of the unit", Request: world.Request{As: w.HousingLead, Method: "GET", URL: memberURL(w.NorthWorker)}, Status: 200, Check: etagIs(1)},
		{Name: "not one of migration", Request: world.Request{As: w.HousingLead, Method: "GET", URL: memberURL(w.MigrationWorker)}, Status: 404},
		{Name: "cannot create members", Request: world.Request{As: w.HousingLead, Method: "POST", URL: base + "/members",
			Body: map[string]any{"display_name": "X", "email": "x@stadt.test", "org_id": w.Housing.ID, "role": "caseworker"}}, Status: 403, NoChange: true},
		{Name: "cannot grant", Request: world.Request{As: w.HousingLead, Method: "POST", URL: base + "/grants", Body: grant(w.HousingWorker, w.Housing, model.RoleLead)},
			Status: 403, NoChange: true},
	}.Run(t, w)
}

func TestDPOReadsButChangesNothing(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	world.Scenarios{
		{Name: "lists members", Request: world.Request{As: w.DPO, Method: "GET", URL: base + "/members"}, Status: 200,
			Contains: []string{w.CaritasWorker.Name, w.JobcenterWorker.Name, w.Sysadmin.Name}},
		{Name: "reads a member", Request: world.Request{As: w.DPO, Method: "GET", URL: memberURL(w.JobcenterWorker)}, Status: 200},
		{Name: "lists organisations", Request: world.Request{As: w.DPO, Method: "GET", URL: base + "/organisations"}, Status: 200},
		{Name: "reads an organisation", Request: world.Request{As: w.DPO, Method: "GET", URL: orgURL(w.Caritas)}, Status: 200},
		{Name: "cannot create an organisation", Request: world.Request{As: w.DPO, Method: "POST", URL: base + "/organisations",
			Body: map[string]any{"kind": "welfare", "name": "AWO", "short_name": "AWO"}}, Status: 403, NoChange: true},
		{Name: "cannot patch an organisation", Request: world.Request{As: w.DPO, Method: "PATCH", URL: orgURL(w.Caritas), Headers: version(1),
			Body: map[string]any{"name": "X"}}, Status: 404, NoChange: true},
		{Name: "cannot create a member", Request: world.Request{As: w.DPO, Method: "POST", URL: base + "/members",
			Body: map[string]any{"display_name": "X", "email": "x@stadt.test", "org_id": w.City.ID, "role": "dpo"}}, Status: 403, NoChange: true},
		{Name: "cannot patch a member", Request: world.Request{As: w.DPO, Method: "PATCH", URL: memberURL(w.CaritasWorker), Headers: version(1),
			Body: map[string]any{"active": false}}, Status: 404, NoChange: true},
		{Name: "cannot grant", Request: world.Request{As: w.DPO, Method: "POST", URL: base + "/grants", Body: grant(w.CaritasWorker, w.Caritas, model.RoleLead)},
			Status: 403, NoChange: true},
		{Name: "cannot take a grant away", Request: world.Request{As: w.DPO, Method: "DELETE", URL: grantURL(w.CaritasWorker.Grant(t, w.Caritas))},
			Status: 403, NoChange: true},
	}.Run(t, w)
}

// TestActingOrganisation: roles count in the organisation the caller acts in (X-Lotse-Org),
// and grants are shown only where the viewer's member scope reaches.
func TestActingOrganisation(t *testing.T) {
	t.Parallel()
	var multi *world.User
	w := world.New(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		sub := "multi"
		u := &model.User{Issuer: "https://idp.test", Subject: &sub, DisplayName: "Mia Mehrfach", Active: true}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		multi = &world.User{ID: u.ID, Name: u.DisplayName}
		for _, g := range []*model.Grant{{UserID: u.ID, OrgID: w.Caritas.ID, Role: model.RoleOrgAdmin}, {UserID: u.ID, OrgID: w.Jobcenter.ID, Role: model.RoleCaseworker}} {
			if err := tx.Grants().Create(ctx, g); err != nil {
				return err
			}
			multi.Grants = append(multi.Grants, *g)
		}
		return nil
	}))
	world.Scenarios{
		{Name: "as org_admin of Caritas", Request: world.Request{As: multi, Org: w.Caritas, Method: "GET", URL: base + "/members"}, Status: 200},
		{Name: "as caseworker of the job center", Request: world.Request{As: multi, Org: w.Jobcenter, Method: "GET", URL: base + "/members"}, Status: 403},
		{Name: "in an organisation without a role", Request: world.Request{As: multi, Org: w.Diakonie, Method: "GET", URL: base + "/organisations"}, Status: 403, ErrorCode: "forbidden"},
		{Name: "a malformed organisation header", Request: world.Request{As: multi, Method: "GET", URL: base + "/organisations", Headers: map[string]string{"X-Lotse-Org": "caritas"}},
			Status: 400, ErrorCode: "invalid", Fields: []string{"X-Lotse-Org"}},
		{Name: "grants outside the viewer's reach are not shown", Request: world.Request{As: w.CaritasAdmin, Method: "GET", URL: memberURL(multi)}, Status: 200,
			Contains: []string{w.Caritas.ID.String()}, NotContains: []string{w.Jobcenter.ID.String()}},
		{Name: "the sysadmin sees every grant", Request: world.Request{As: w.Sysadmin, Method: "GET", URL: memberURL(multi)}, Status: 200,
			Contains: []string{w.Caritas.ID.String(), w.Jobcenter.ID.String()}},
	}.Run(t, w)
}
