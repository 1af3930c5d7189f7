package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

// accountEmail is the e-mail address of a world user, as the "add an account" form takes it.
func accountEmail(t *testing.T, w *world.World, u *world.User) string {
	t.Helper()
	var e string
	if err := w.DB.SQL.QueryRow(`SELECT email FROM users WHERE id = $1`, u.ID).Scan(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestAdministrationSeparationOfDuties: the administration pages refuse, in German and in
// English and next to the role field, every grant that would combine a role without case
// content with one that has it, and change nothing; the organisation's exception for its
// administrators is offered to the system administrator only, for partners only, and cannot
// be switched off while someone holds the combination.
func TestAdministrationSeparationOfDuties(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	c := w.Case(t, w.HousingWorker)
	sysadmin := &signedInClient{t: t, w: w, as: w.Sysadmin}
	housing, caritas := orgPage(w.Housing), orgPage(w.Caritas)

	before := w.Fingerprint(t)
	// The outside review's reproduction, through the form that adds an existing account.
	r := sysadmin.post(housing+"/konten", formOf("email", accountEmail(t, w, w.DPO), "role", "caseworker"))
	expectPage(t, "the officer made a caseworker", r, http.StatusUnprocessableEntity, []string{
		"Rollen nicht vereinbar (Funktionstrennung)", "Die Rolle „Fallmanagement“ (" + w.Housing.Name + ") ist nicht mit der Rolle „Datenschutzbeauftragte:r“ (" + w.City.Name + ") vereinbar.",
		`id="member-add-role-error"`, `href="#member-add-role"`,
	})
	r = sysadmin.post(housing+"/konten", formOf("email", accountEmail(t, w, w.DPO), "role", "lead"), "Accept-Language", "en")
	expectPage(t, "in English", r, http.StatusUnprocessableEntity, []string{
		"Roles cannot be combined (separation of duties)", "The role “Department head” (" + w.Housing.Name + ") cannot be combined with the role “Data protection officer” (" + w.City.Name + ").",
	})
	// The other order, through the grant form of a member: the caseworker made org_admin.
	r = sysadmin.post(housing+"/rollen", formOf("user_id", w.HousingWorker.ID.String(), "role", "org_admin"))
	expectPage(t, "the caseworker made org_admin", r, http.StatusUnprocessableEntity, []string{
		"Rollen nicht vereinbar", `id="grant-role-` + w.HousingWorker.ID.String() + `-error"`,
	})
	r = sysadmin.post(orgPage(w.City)+"/konten", formOf("email", accountEmail(t, w, w.HousingLead), "role", "sysadmin"))
	expectPage(t, "the lead made sysadmin", r, http.StatusUnprocessableEntity, []string{"Rollen nicht vereinbar", "Systemadministration"})
	if after := w.Fingerprint(t); after != before {
		t.Errorf("refused grants changed data:\n%s\n%s", before, after)
	}
	if r := w.Do(t, world.Request{As: w.DPO, Method: http.MethodGet, URL: "/faelle/" + c.ID.String()}); r.Status != http.StatusNotFound {
		t.Errorf("the officer opens the case: %d", r.Status)
	}

	// The exception: offered to the system administrator, for a partner only.
	expectPage(t, "Caritas for the sysadmin", sysadmin.get(caritas), 200, []string{
		`name="allow_admin_casework"`, "Administration darf in dieser Organisation auch Fälle bearbeiten",
		"Die Administration dieser Organisation bearbeitet keine Fälle.",
	})
	expectPage(t, "housing for the sysadmin", sysadmin.get(housing), 200, []string{"Die Administration dieser Organisation bearbeitet keine Fälle."}, `name="allow_admin_casework"`)
	orgAdmin := &signedInClient{t: t, w: w, as: w.CaritasAdmin}
	expectPage(t, "Caritas for its administrator", orgAdmin.get(caritas), 200, []string{"Funktionstrennung"}, `name="allow_admin_casework"`)
	edit := formOf("name", w.Caritas.Name, "short_name", w.Caritas.ShortName, "kind", string(w.Caritas.Kind), "active", "1", "version", "1",
		"admin_casework_offered", "1", "allow_admin_casework", "1")
	before = w.Fingerprint(t)
	if r := orgAdmin.post(caritas, edit); r.Status != http.StatusForbidden {
		t.Errorf("the organisation administrator switches the exception on: %d", r.Status)
	}
	if after := w.Fingerprint(t); after != before {
		t.Error("the refused switch changed data")
	}
	// Without the exception, its administrator cannot also counsel.
	expectPage(t, "counsellor made org_admin", orgAdmin.post(caritas+"/rollen", formOf("user_id", w.CaritasWorker.ID.String(), "role", "org_admin")),
		http.StatusUnprocessableEntity, []string{"Rollen nicht vereinbar"})

	edit.Del("_csrf") // the form values are shared: each client adds its own token
	if r := sysadmin.post(caritas, edit); r.Status != http.StatusSeeOther {
		t.Fatalf("the sysadmin switches the exception on: %d %s", r.Status, r.Body)
	}
	expectPage(t, "Caritas with the exception", orgAdmin.get(caritas), 200, []string{"Ausnahme: Die Administration dieser Organisation darf hier auch Fälle bearbeiten"})
	if evs := w.AuditEvents(t, "organisation.update", w.Caritas.ID.String()); len(evs) != 1 || evs[0].Details["allow_admin_casework"] != true {
		t.Errorf("audit events %+v", evs)
	}
	if r := orgAdmin.post(caritas+"/rollen", formOf("user_id", w.CaritasWorker.ID.String(), "role", "org_admin")); r.Status != http.StatusSeeOther {
		t.Fatalf("counsellor made org_admin with the exception: %d %s", r.Status, r.Body)
	}
	// Switching it off now is refused at the checkbox, naming the roles.
	edit.Set("version", "2")
	edit.Del("allow_admin_casework")
	edit.Del("_csrf")
	body := expectPage(t, "switching off", sysadmin.post(caritas, edit), http.StatusUnprocessableEntity, []string{
		"Rollen nicht vereinbar", "Administration der Organisation", `id="org-edit-admin-casework-error"`, `href="#org-edit-admin-casework"`,
	})
	if strings.Contains(body, "inzwischen von jemand anderem geändert") {
		t.Error("the refusal is shown as a stale version")
	}
	if n := dbCount(t, w, `SELECT count(*) FROM organisations WHERE id = $1 AND allow_admin_casework`, w.Caritas.ID); n != 1 {
		t.Error("the exception was switched off")
	}
}
