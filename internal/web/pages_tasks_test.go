package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The task pages (pages_tasks.go): a task created and assigned from the case page, the form
// refusing bad input with nothing created, the task page with its history and comments,
// editing with a stale version, closing, and who gets 404.

var newTaskLocation = regexp.MustCompile(`^/aufgaben/([0-9a-f-]{36})$`)

func TestTaskPages(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	caseID := cw.Case.ID.String()
	person := model.PersonName(cw.Person.FamilyName, cw.Person.GivenNames)
	due := berlinDay(7).Format("2006-01-02")
	tasks := func() int {
		return countRows(t, w, `SELECT count(*) FROM tasks WHERE case_id = $1`, cw.Case.ID)
	}

	t.Run("the case page offers a new task, the form the colleagues and the referred organisation's queue", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle/"+caseID, http.StatusOK)
		mustContain(t, "the case page", body, `href="/aufgaben/neu?fall=`+caseID+`"`, "Aufgabe anlegen")
		form := getPage(t, w, w.HousingWorker, "/aufgaben/neu?fall="+caseID, http.StatusOK)
		mustContain(t, "the form", form, "Neue Aufgabe", cw.Case.Reference, person, `name="fall" value="`+caseID+`"`,
			`value="user:`+w.HousingWorker2.ID.String()+`"`, "Willi Wohnen", "Wiebke Wohnen (Sie)",
			`value="org:`+w.Jobcenter.ID.String()+`"`, "Warteschlange: "+w.Jobcenter.Name, `novalidate`)
		mustNotContain(t, "the form", form, w.HousingAdmin.ID.String(), w.JobcenterWorker.ID.String(), w.Caritas.ID.String())
	})
	t.Run("bad input: the summary and the messages, nothing created", func(t *testing.T) {
		before := tasks()
		r := postForm(t, w, w.HousingWorker, "/aufgaben", url.Values{"fall": {caseID}, "title": {"  "}, "due_date": {"31.02.2026x"},
			"priority": {"normal"}, "assignee": {"user:" + w.JobcenterWorker.ID.String()}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		body := string(r.Body)
		checkCasePage(t, "the refused form", body)
		mustContain(t, "the refused form", body, `id="fehler"`, `href="#f-title"`, `id="f-title-error"`, `href="#f-due_date"`,
			`aria-invalid="true"`, `value="31.02.2026x"`)
		// A person of the organisation the case is referred to: its queue, never its people.
		r = postForm(t, w, w.HousingWorker, "/aufgaben", url.Values{"fall": {caseID}, "title": {"Termin"}, "assignee": {"user:" + w.JobcenterWorker.ID.String()}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		mustContain(t, "the refused assignee", string(r.Body), `href="#f-assignee"`, `id="f-assignee-error"`, "Bitte wählen Sie eine Person Ihrer Organisation.")
		if n := tasks(); n != before {
			t.Errorf("%d tasks after a refused form, %d before", n, before)
		}
	})

	var id string
	t.Run("create and assign from the case page", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben", url.Values{"fall": {caseID}, "title": {"Besichtigung vereinbaren"},
			"description": {"Mit Dolmetscher für Arabisch"}, "area": {"housing"}, "due_date": {due}, "priority": {"high"},
			"assignee": {"user:" + w.HousingWorker2.ID.String()}})
		m := newTaskLocation.FindStringSubmatch(r.Header.Get("Location"))
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("status %d to %q: %.2000s", r.Status, r.Header.Get("Location"), r.Body)
		}
		id = m[1]
		var assignee, area, prio string
		if err := w.DB.SQL.QueryRow(`SELECT assignee_id::text, area, priority FROM tasks WHERE id = $1 AND case_id = $2`, id, cw.Case.ID).Scan(&assignee, &area, &prio); err != nil {
			t.Fatal(err)
		}
		if assignee != w.HousingWorker2.ID.String() || area != "housing" || prio != "high" {
			t.Errorf("task: assignee %s area %s priority %s", assignee, area, prio)
		}
		body := getPage(t, w, w.HousingWorker, "/aufgaben/"+id, http.StatusOK)
		mustContain(t, "the task page", body, "Besichtigung vereinbaren", "Mit Dolmetscher für Arabisch", person, `href="/faelle/`+caseID+`"`,
			"Willi Wohnen", "Wohnen", "Hoch", "angelegt", "an Willi Wohnen", "Als erledigt markieren", `action="/aufgaben/`+id+`/kommentare"`)
		list := getPage(t, w, w.HousingWorker2, "/aufgaben", http.StatusOK)
		mustContain(t, "the colleague's task list", list, `href="/aufgaben/`+id+`"`, `href="/aufgaben/neu"`)
	})
	if id == "" {
		t.FailNow()
	}
	version := func() int {
		return countRows(t, w, `SELECT version FROM tasks WHERE id = $1`, id)
	}
	t.Run("a comment appears on the page", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker2, "/aufgaben/"+id+"/kommentare", url.Values{"body": {"Termin am Dienstag steht"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		body := getPage(t, w, w.HousingWorker, "/aufgaben/"+id, http.StatusOK)
		mustContain(t, "the task page", body, "Termin am Dienstag steht", "Kommentare (1)", "kommentiert")
		r = postForm(t, w, w.HousingWorker2, "/aufgaben/"+id+"/kommentare", url.Values{"body": {" "}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `id="f-body-error"`) {
			t.Errorf("an empty comment: status %d", r.Status)
		}
	})
	t.Run("an edit with a stale version is a conflict, nothing changed", func(t *testing.T) {
		v := version()
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+id, url.Values{"version": {fmt.Sprint(v - 1)}, "title": {"Veralteter Titel"},
			"priority": {"low"}, "area": {"housing"}, "due_date": {due}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "the conflict", string(r.Body), "Jemand anderes hat das inzwischen geändert", `value="Veralteter Titel"`,
			`name="version" value="`+fmt.Sprint(v)+`"`)
		if version() != v || countRows(t, w, `SELECT count(*) FROM tasks WHERE id = $1 AND title = 'Veralteter Titel'`, id) != 0 {
			t.Error("a stale edit changed the task")
		}
	})
	t.Run("an edit shows in the history", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+id, url.Values{"version": {fmt.Sprint(version())}, "title": {"Besichtigung Lotter Straße"},
			"description": {"Mit Dolmetscher für Arabisch"}, "priority": {"urgent"}, "area": {"housing"}, "due_date": {""}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		body := getPage(t, w, w.HousingWorker, "/aufgaben/"+id, http.StatusOK)
		mustContain(t, "the task page", body, "Besichtigung Lotter Straße", "Dringend", "geändert: Titel, Fällig am, Priorität")
	})
	t.Run("close and reopen", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker2, "/aufgaben/"+id, url.Values{"aktion": {"status"}, "status": {"done"}, "version": {fmt.Sprint(version())}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		body := getPage(t, w, w.HousingWorker, "/aufgaben/"+id, http.StatusOK)
		mustContain(t, "the closed task", body, "Status: Erledigt", "Wieder öffnen")
		mustNotContain(t, "the closed task", body, "Als erledigt markieren")
		r = postForm(t, w, w.HousingWorker2, "/aufgaben/"+id, url.Values{"aktion": {"status"}, "status": {"waiting"}, "version": {fmt.Sprint(version())}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("done to waiting: status %d", r.Status)
		}
	})
	t.Run("in English", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/aufgaben/"+id, http.StatusOK, "Cookie", "lang=en")
		mustContain(t, "the task page", body, "History", "Comments (1)", "Reopen", "Edit task")
		form := getPage(t, w, w.HousingWorker, "/aufgaben/neu", http.StatusOK, "Cookie", "lang=en")
		mustContain(t, "the form", form, "New task", "Assigned to", "Queue: "+w.Housing.Name)
	})
	t.Run("who may not read the task gets 404", func(t *testing.T) {
		for _, u := range []*world.User{w.Coordinator, w.Sysadmin, w.DPO, w.HousingAdmin, w.CaritasWorker, w.MigrationWorker, w.NorthWorker, w.JobcenterWorker} {
			getPage(t, w, u, "/aufgaben/"+id, http.StatusNotFound)
		}
		getPage(t, w, w.HousingWorker, "/aufgaben/"+cw.Case.ID.String(), http.StatusNotFound)
		getPage(t, w, w.HousingWorker, "/aufgaben/kein-id", http.StatusNotFound)
		// The head reads it, but does not work it.
		body := getPage(t, w, w.HousingLead, "/aufgaben/"+id, http.StatusOK)
		mustNotContain(t, "the head's view", body, `action="/aufgaben/`+id+`/kommentare"`, "Aufgabe bearbeiten")
		for _, u := range []*world.User{w.HousingLead, w.JobcenterWorker, w.Coordinator} {
			r := postForm(t, w, u, "/aufgaben/"+id+"/kommentare", url.Values{"body": {"x"}})
			if r.Status != http.StatusNotFound {
				t.Errorf("%s comments: status %d", u.Name, r.Status)
			}
		}
		r := postForm(t, w, w.JobcenterWorker, "/aufgaben/"+id, url.Values{"title": {"x"}, "version": {"1"}})
		if r.Status != http.StatusNotFound {
			t.Errorf("the job center edits: status %d", r.Status)
		}
	})
	t.Run("the new-task form is for who may create tasks", func(t *testing.T) {
		getPage(t, w, w.Coordinator, "/aufgaben/neu", http.StatusForbidden)
		getPage(t, w, w.HousingLead, "/aufgaben/neu", http.StatusForbidden)
		getPage(t, w, w.CaritasWorker, "/aufgaben/neu?fall="+caseID, http.StatusNotFound)
		list := getPage(t, w, w.JobcenterWorker, "/aufgaben", http.StatusOK)
		mustNotContain(t, "the partner's task list", list, `href="/aufgaben/neu"`)
		// The partner creates its own task on the referred case, for its own queue.
		form := getPage(t, w, w.JobcenterWorker, "/aufgaben/neu?fall="+caseID, http.StatusOK)
		mustContain(t, "the partner's form", form, "Warteschlange: "+w.Jobcenter.Name)
		mustNotContain(t, "the partner's form", form, w.Housing.ID.String())
	})
}
