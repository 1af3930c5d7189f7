package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The pages that edit a case (pages_case_edit.go): who reaches them (everybody else gets
// 404, like a missing case), bad input shown beside the fields with nothing changed, a lost
// race as the conflict message, and the lead organisation's handover end to end.

func TestCaseEditAuthorization(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	c := "/faelle/" + cw.Case.ID.String()
	p := c + "/personen/" + cw.Person.ID.String()
	edit := []string{c + "/personen/neu", p, p + "/entfernen", c + "/federfuehrung"}
	// The lead organisation's caseworker reaches every page.
	for _, path := range append(edit, c+"/zustaendigkeit") {
		getPage(t, w, w.HousingWorker, path, http.StatusOK)
	}
	// The head reads the case and may reassign it, but edits nothing.
	getPage(t, w, w.HousingLead, c+"/zustaendigkeit", http.StatusOK)
	for _, path := range edit {
		getPage(t, w, w.HousingLead, path, http.StatusNotFound)
	}
	// The partner (who reads the case through its referral), another office, the
	// administration: 404 on every page, GET and POST alike, with no trace of the case.
	for _, u := range []*world.User{w.JobcenterWorker, w.MigrationWorker, w.NorthWorker, w.DPO, w.Sysadmin, w.HousingAdmin} {
		for _, path := range append(edit, c+"/zustaendigkeit") {
			body := getPage(t, w, u, path, http.StatusNotFound)
			mustNotContain(t, path, body, cw.Case.Reference, cw.Person.FamilyName)
			if r := postForm(t, w, u, path, url.Values{"version": {"1"}, "family_name": {"X"}, "responsible": {u.ID.String()}, "org": {w.Migration.ID.String()}}); r.Status != http.StatusNotFound {
				t.Errorf("POST %s as %s: %d, want 404", path, u.Name, r.Status)
			}
		}
		if r := postForm(t, w, u, p+"/hauptperson", url.Values{"version": {"1"}}); r.Status != http.StatusNotFound {
			t.Errorf("POST main person as %s: %d", u.Name, r.Status)
		}
	}
	// The handover list is for who may answer handovers.
	getPage(t, w, w.MigrationWorker, "/uebergaben", http.StatusOK)
	getPage(t, w, w.HousingLead, "/uebergaben", http.StatusOK)
	for _, u := range []*world.User{w.JobcenterWorker, w.CaritasWorker, w.DPO, w.HousingAdmin} {
		getPage(t, w, u, "/uebergaben", http.StatusForbidden)
	}
}

func TestCaseEditPerson(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	c := "/faelle/" + cw.Case.ID.String()
	p := c + "/personen/" + cw.Person.ID.String()

	body := getPage(t, w, w.HousingWorker, c, http.StatusOK)
	mustContain(t, "case page", body, `href="`+p+`"`, `href="`+c+`/personen/neu"`, `href="`+c+`/zustaendigkeit"`, `href="`+c+`/federfuehrung"`)
	body = getPage(t, w, w.HousingWorker, p, http.StatusOK)
	mustContain(t, "person form", body, `value="`+cw.Person.FamilyName+`"`, `value="`+cw.Person.Email+`"`, "Person bearbeiten", `name="version" value="`+strconv.Itoa(cw.Person.Version)+`"`)
	mustNotContain(t, "main person's form", body, "/hauptperson", "/entfernen")

	form := url.Values{"version": {strconv.Itoa(cw.Person.Version)}, "family_name": {"Neu-Haddad"}, "email": {"kein-at"}, "birth_date": {"2026-13-40"}, "languages": {"ar"}}
	r := postForm(t, w, w.HousingWorker, p, form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", r.Status)
	}
	mustContain(t, "failed form", string(r.Body), "Bitte prüfen Sie Ihre Angaben", "Bitte geben Sie das Datum so ein", `value="Neu-Haddad"`, `aria-invalid="true"`)
	form.Set("birth_date", "")
	r = postForm(t, w, w.HousingWorker, p, form)
	mustContain(t, "failed form", string(r.Body), "Bitte geben Sie eine E-Mail-Adresse")
	if body := getPage(t, w, w.HousingWorker, c, http.StatusOK); strings.Contains(body, "Neu-Haddad") {
		t.Fatal("a refused form changed the person")
	}
	form.Set("email", "neu@example.test")
	if r := postForm(t, w, w.HousingWorker, p, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	mustContain(t, "case page", getPage(t, w, w.HousingWorker, c, http.StatusOK), "Neu-Haddad", "neu@example.test")
	// The old version again: the conflict message, nothing changed.
	form.Set("family_name", "Veraltet")
	r = postForm(t, w, w.HousingWorker, p, form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Jemand anderes hat das inzwischen geändert") {
		t.Fatalf("stale version: %d", r.Status)
	}

	// Add a member, mark them as main person, remove the former one.
	if r := postForm(t, w, w.HousingWorker, c+"/personen/neu", url.Values{"family_name": {""}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), "Bitte geben Sie den Familiennamen ein") {
		t.Fatalf("a member without name: %d %.2000s", r.Status, r.Body)
	}
	if r := postForm(t, w, w.HousingWorker, c+"/personen/neu", url.Values{"family_name": {"Kindname"}, "given_names": {"Karim"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	svc := w.Services(t)
	cv, err := svc.Cases.Get(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID)
	if err != nil || len(cv.Persons) != 2 {
		t.Fatalf("persons %+v %v", cv, err)
	}
	child := cv.Persons[1]
	cp := c + "/personen/" + child.ID.String()
	body = getPage(t, w, w.HousingWorker, cp, http.StatusOK)
	mustContain(t, "member's form", body, `action="`+cp+`/hauptperson"`, `href="`+cp+`/entfernen"`)
	// The main person cannot be removed: the confirmation says why.
	mustContain(t, "main person's removal", getPage(t, w, w.HousingWorker, p+"/entfernen", http.StatusOK), "Die Hauptperson kann nicht entfernt werden")
	if r := postForm(t, w, w.HousingWorker, cp+"/hauptperson", url.Values{"version": {strconv.Itoa(child.Version)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("main person: %d %s", r.Status, r.Body)
	}
	cv, _ = svc.Cases.Get(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID)
	if !cv.Persons[0].IsPrimary || cv.Persons[0].ID != child.ID || cv.Persons[1].IsPrimary {
		t.Fatalf("main person not moved: %+v", cv.Persons)
	}
	former := cv.Persons[1]
	body = getPage(t, w, w.HousingWorker, c+"/personen/"+former.ID.String()+"/entfernen", http.StatusOK)
	mustContain(t, "removal", body, "aus dem Haushalt entfernen?")
	if r := postForm(t, w, w.HousingWorker, c+"/personen/"+former.ID.String()+"/entfernen", url.Values{"version": {strconv.Itoa(former.Version)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	mustNotContain(t, "case page", getPage(t, w, w.HousingWorker, c, http.StatusOK), "Neu-Haddad")
}

func TestCaseEditHandovers(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	c := "/faelle/" + cw.Case.ID.String()

	// Responsibility to a colleague.
	body := getPage(t, w, w.HousingWorker, c+"/zustaendigkeit", http.StatusOK)
	mustContain(t, "responsible form", body, "Willi Wohnen", "Zurzeit verantwortlich")
	mustNotContain(t, "responsible form", body, "Lea Leitung", "Ina Inaktiv", "Nils Nord")
	v := strconv.Itoa(cw.Case.Version)
	if r := postForm(t, w, w.HousingWorker, c+"/zustaendigkeit", url.Values{"version": {v}, "responsible": {""}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), "Bitte wählen Sie eine Person aus der Liste") {
		t.Fatalf("no choice: %d", r.Status)
	}
	if r := postForm(t, w, w.HousingWorker, c+"/zustaendigkeit", url.Values{"version": {v}, "responsible": {w.HousingWorker2.ID.String()}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hand over: %d %s", r.Status, r.Body)
	}
	if cv, err := w.Services(t).Cases.Get(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID); err != nil || *cv.ResponsibleUserID != w.HousingWorker2.ID {
		t.Fatalf("responsible %v, %v", cv, err)
	}

	// The lead to the migration service.
	cv, err := w.Services(t).Cases.Get(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	v = strconv.Itoa(cv.Version)
	body = getPage(t, w, w.HousingWorker, c+"/federfuehrung", http.StatusOK)
	mustContain(t, "lead form", body, w.Migration.Name)
	mustNotContain(t, "lead form", body, w.Jobcenter.Name, w.Caritas.Name)
	if r := postForm(t, w, w.HousingWorker, c+"/federfuehrung", url.Values{"version": {v}, "org": {w.Jobcenter.ID.String()}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("to the job center: %d", r.Status)
	}
	if r := postForm(t, w, w.HousingWorker, c+"/federfuehrung", url.Values{"version": {v}, "org": {w.Migration.ID.String()}, "reason": {"Umzug"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", r.Status, r.Body)
	}
	mustContain(t, "pending", getPage(t, w, w.HousingWorker, c+"/federfuehrung", http.StatusOK), "Angefragt bei: "+w.Migration.Name, "Anfrage zurückziehen")

	// The receiver sees the reference and the reason, no person data.
	body = getPage(t, w, w.MigrationWorker, "/uebergaben", http.StatusOK)
	mustContain(t, "handovers", body, cw.Case.Reference, "Umzug", w.Housing.Name, "Fall übernehmen")
	mustNotContain(t, "handovers", body, cw.Person.FamilyName, cw.Person.GivenNames)
	var h model.CaseHandover
	if err := w.DB.Gorm.Where("case_id = ?", cw.Case.ID).Take(&h).Error; err != nil {
		t.Fatal(err)
	}
	u := "/uebergaben/" + h.ID.String()
	// A third office cannot accept; the sender cannot either.
	if r := postForm(t, w, w.NorthWorker, u+"/annehmen", url.Values{"version": {"1"}}); r.Status != http.StatusNotFound {
		t.Fatalf("third office accepts: %d", r.Status)
	}
	if r := postForm(t, w, w.HousingWorker, u+"/annehmen", url.Values{"version": {"1"}}); r.Status == http.StatusSeeOther {
		t.Fatal("the sender accepted its own handover")
	}
	// Declining without a reason: the message beside the field, nothing changed.
	r := postForm(t, w, w.MigrationWorker, u+"/ablehnen", url.Values{"version": {"1"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `id="f-reason-`+h.ID.String()+`-error"`) {
		t.Fatalf("decline without reason: %d", r.Status)
	}
	if r := postForm(t, w, w.MigrationWorker, u+"/annehmen", url.Values{"version": {"1"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != c {
		t.Fatalf("accept: %d %s", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, "taken-over case", getPage(t, w, w.MigrationWorker, c, http.StatusOK), cw.Person.FamilyName, w.Migration.Name)
	getPage(t, w, w.HousingWorker, c, http.StatusNotFound)
	events := w.AuditEvents(t, "case.handover_accept", h.ID.String())
	if len(events) != 1 {
		t.Fatalf("audit events %+v", events)
	}
	// The former lead's own task on the case ended with the lead.
	if cancelled := w.AuditEvents(t, "task.cancel", cw.Task.ID.String()); len(cancelled) != 1 {
		t.Fatalf("task.cancel events %+v", cancelled)
	}
}

// TestCaseEditPagesOneAuditEvent: each new page is one service call with one audit event.
func TestCaseEditPagesOneAuditEvent(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	c := "/faelle/" + cw.Case.ID.String()
	p := c + "/personen/" + cw.Person.ID.String()
	for _, x := range []struct {
		u            *world.User
		path, action string
	}{
		{w.HousingWorker, p, "case.read"},
		{w.HousingWorker, c + "/personen/neu", "case.read"},
		{w.HousingWorker, p + "/entfernen", "case.read"},
		{w.HousingWorker, c + "/zustaendigkeit", "case.read"},
		{w.HousingLead, c + "/zustaendigkeit", "case.read"},
		{w.HousingWorker, c + "/federfuehrung", "case.read"},
		{w.MigrationWorker, "/uebergaben", "case.handover_list"},
	} {
		last := w.LastAuditID(t)
		getPage(t, w, x.u, x.path, http.StatusOK)
		evs := w.AuditAfter(t, last)
		if len(evs) != 1 || evs[0].Action != x.action {
			t.Errorf("GET %s as %s wrote %+v, want one %s", x.path, x.u.Name, evs, x.action)
		}
	}
}
