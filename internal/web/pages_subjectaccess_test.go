package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestSubjectAccessPages: the officer finds a person (seeing the number of matches and the
// lead organisation, not the person's data), starts a request; the export before the
// confirmation is refused in German (422); the department head sees and confirms it, a
// caseworker gets no page; then the document (German, with the access history and the note
// naming a household member marked) and the JSON come out.
func TestSubjectAccessPages(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	svc := w.Services(t)
	in := w.NewPerson()
	in.GivenNames = "Zeynep"
	if _, err := svc.Cases.AddPerson(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Notes.Create(context.Background(), w.Actor(t, w.HousingWorker), cw.Case.ID, model.NoteCreate{Body: "Gespräch mit Zeynep"}); err != nil {
		t.Fatal(err)
	}
	other := w.Case(t, w.HousingWorker)
	dpo := &signedInClient{t: t, w: w, as: w.DPO}
	lead := &signedInClient{t: t, w: w, as: w.HousingLead}
	worker := &signedInClient{t: t, w: w, as: w.HousingWorker}

	q := url.Values{"family_name": {cw.Person.FamilyName}, "given_names": {cw.Person.GivenNames}, "birth_date": {cw.Person.BirthDate.Format("02.01.2006")}}
	page := expectPage(t, "search", dpo.get("/auskunft?"+q.Encode()), http.StatusOK,
		[]string{"Auskunftsersuchen (Art. 15 DSGVO)", "Ein passender Eintrag", "Fachbereich Wohnen", cw.Case.Reference},
		cw.Person.Phone, cw.Person.Email, other.Reference)
	m := regexp.MustCompile(`name="person" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no person to mark")
	}
	expectPage(t, "bad date", dpo.get("/auskunft?family_name=a&given_names=b&birth_date=gestern"), http.StatusUnprocessableEntity, []string{"sar-birth_date"})
	if r := dpo.post("/auskunft", url.Values{"person": {m[1]}, "reference": {"Schreiben vom 1.12."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	reqs, err := svc.SubjectAccess.List(context.Background(), w.Actor(t, w.DPO))
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests: %v %v", reqs, err)
	}
	id := reqs[0].ID.String()
	expectPage(t, "list", dpo.get("/auskunft"), http.StatusOK, []string{"Schreiben vom 1.12.", "Wartet auf Bestätigung"}, "/auskunft/"+id+"/dokument")
	expectPage(t, "export before the confirmation", dpo.get("/auskunft/"+id+"/dokument"), http.StatusUnprocessableEntity,
		[]string{"erst ausgegeben werden, wenn jede federführende Stelle"}, cw.Person.Phone)

	if r := worker.get("/auskunft/bestaetigen"); r.Status != http.StatusForbidden {
		t.Errorf("caseworker's confirmation page: %d", r.Status)
	}
	if r := worker.get("/auskunft"); r.Status != http.StatusForbidden {
		t.Errorf("caseworker's subject access page: %d", r.Status)
	}
	if r := worker.post("/auskunft/"+id+"/bestaetigen", nil); r.Status != http.StatusNotFound {
		t.Errorf("caseworker confirms: %d", r.Status)
	}
	expectPage(t, "lead's page", lead.get("/auskunft/bestaetigen"), http.StatusOK,
		[]string{"Auskunftsersuchen bestätigen", "Schreiben vom 1.12.", cw.Case.Reference}, cw.Person.FamilyName)
	if r := lead.post("/auskunft/"+id+"/bestaetigen", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("lead confirms: %d %s", r.Status, r.Body)
	}
	expectPage(t, "list after the confirmation", dpo.get("/auskunft"), http.StatusOK, []string{"/auskunft/" + id + "/dokument", "Bestätigt, kann ausgegeben werden"})
	expectPage(t, "document", dpo.get("/auskunft/"+id+"/dokument"), http.StatusOK, []string{
		`<html lang="de">`, "Auskunft nach Art. 15 DSGVO", "Angaben zur Person", "Familienname", cw.Person.FamilyName, cw.Person.Phone,
		"Integrationsplan", "Vermerke", "Verlauf der Zugriffe", "Fall angelegt", "Fachbereich Wohnen", "Fallmanagement",
		"Prüfen vor Herausgabe", "<mark>Zeynep</mark>", "14.03.1990",
	}, other.Reference, other.Persons[0].FamilyName, in.Phone)
	r := dpo.get("/auskunft/" + id + "/auskunft.json")
	var exp model.SubjectAccessExport
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &exp) != nil || len(exp.Sections) == 0 || len(exp.History) == 0 {
		t.Fatalf("json: %d %s", r.Status, r.Body)
	}
}
