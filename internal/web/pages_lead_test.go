package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The team dashboard (pages_lead.go) through the whole stack: what the department head of
// Housing sees of the team (Housing and its unit North) and not of others, reassigning with
// its own page and its refusals, and the chart's table against the service's figures.

// createTask creates a task of u's organisation through the services.
func createTask(t *testing.T, w *world.World, u *world.User, in model.TaskCreate) *model.Task {
	t.Helper()
	in.OrgID = w.OrgOf(t, u).ID
	task, err := w.Services(t).Tasks.Create(context.Background(), w.Actor(t, u), in)
	if err != nil {
		t.Fatalf("task %q: %v", in.Title, err)
	}
	return task
}

// taskRowOf returns the table row of the task list for task id.
func taskRowOf(t *testing.T, body string, id uuid.UUID) string {
	t.Helper()
	i := strings.Index(body, `id="aufgabe-`+id.String()+`"`)
	if i < 0 {
		t.Fatalf("the list has no row for task %s", id)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</li>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

func TestLeadTeam(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	threeDaysAgo := model.CalendarDay(time.Now()).AddDate(0, 0, -3) // a due date is a calendar day in Berlin
	wiebke := w.HousingWorker.ID
	overdue := createTask(t, w, w.HousingWorker, model.TaskCreate{Title: "Mietvertrag prüfen", AssigneeID: &wiebke, DueDate: &threeDaysAgo, Area: ptr("housing")})
	open := createTask(t, w, w.NorthWorker, model.TaskCreate{Title: "Wohnungsangebot nachfassen", Area: ptr("work")})
	foreign := createTask(t, w, w.MigrationWorker, model.TaskCreate{Title: "Sprachkurs anmelden", DueDate: &threeDaysAgo})
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	page := "/team"

	t.Run("the team's figures and tasks", func(t *testing.T) {
		body := partnerGet(t, w, w.HousingLead, page, http.StatusOK)
		for _, want := range []string{
			"Team-Überblick", "Mietvertrag prüfen", "Wohnungsangebot nachfassen", "Unterlagen prüfen",
			"Wiebke Wohnen", "nicht zugewiesen", "seit 3 Tagen überfällig", `aria-current="page">Team`,
			"Offene und überfällige Aufgaben je Handlungsfeld, letzte 12 Wochen", `role="img"`, "Daten als Tabelle",
			`scope="colgroup"`, `<caption class="kern-title" id="aufgaben-personen">`, "Fachbereich Wohnen", "Wohnen, Team Nord",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the dashboard lacks %q", want)
			}
		}
		// People, not numbers: the team's own case names its person.
		if !strings.Contains(body, model.PersonName(cw.Person.FamilyName, cw.Person.GivenNames)) {
			t.Errorf("the dashboard does not name the person of %s", cw.Case.Reference)
		}
		for _, hidden := range []string{foreign.Title, "Mira Migration"} {
			if strings.Contains(body, hidden) {
				t.Errorf("the dashboard shows %q from outside the team", hidden)
			}
		}
		if row := taskRowOf(t, body, overdue.ID); !strings.Contains(row, "Wiebke Wohnen") || !strings.Contains(row, "Fachbereich Wohnen") {
			t.Errorf("the overdue task's row: %.500s", row)
		}
		// The overdue task is first in the list (most urgent first).
		if strings.Index(body, `id="aufgabe-`+overdue.ID.String()) > strings.Index(body, `id="aufgabe-`+open.ID.String()) {
			t.Error("the overdue task is not listed first")
		}
		// The outgoing referral to the jobcenter counts for its sender.
		if !strings.Contains(sectionOf(t, body, "vermittlungen"), "Wiebke Wohnen") {
			t.Error("the referral figures do not name the sender")
		}
		// Each task links to its reassignment page, named for the task; no row carries the
		// choice of the whole team (that made the page hundreds of KiB at city scale).
		list := body[strings.Index(body, `id="aufgaben-liste"`):]
		if strings.Contains(list, `name="target"`) || strings.Contains(list, "<optgroup") {
			t.Error("the task list carries a choice of reassignment targets")
		}
		for _, task := range []*model.Task{overdue, open, cw.Task} {
			row := taskRowOf(t, body, task.ID)
			link := `href="/team/aufgaben/` + task.ID.String() + `/neu-zuweisen"`
			label := `aria-label="Neu zuweisen: Aufgabe „` + task.Title + `“"`
			if !strings.Contains(row, link) || !strings.Contains(row, label) || !strings.Contains(row, ">Neu zuweisen<") {
				t.Errorf("the row of %q has no link to its reassignment page: %.1500s", task.Title, row)
			}
		}
		t.Logf("GET /team: %d bytes, %d tasks listed", len(body), strings.Count(body, `class="lotse-pl-task"`))
	})

	t.Run("filter", func(t *testing.T) {
		body := partnerGet(t, w, w.HousingLead, page+"?person=none", http.StatusOK)
		list := body[strings.Index(body, `id="aufgaben-liste"`):]
		if strings.Contains(list, "Mietvertrag prüfen") || !strings.Contains(list, "Wohnungsangebot nachfassen") {
			t.Error("the unassigned filter does not filter")
		}
		body = partnerGet(t, w, w.HousingLead, page+"?overdue=1&person=kaputt", http.StatusOK)
		list = body[strings.Index(body, `id="aufgaben-liste"`):]
		if !strings.Contains(list, "Mietvertrag prüfen") || strings.Contains(list, "Wohnungsangebot nachfassen") {
			t.Error("the overdue filter does not filter")
		}
	})

	t.Run("sort, page and keep the list's state", func(t *testing.T) {
		body := partnerGet(t, w, w.HousingLead, page+"?sort=changed&dir=desc", http.StatusOK)
		list := body[strings.Index(body, `id="aufgaben-liste"`):]
		// The newest change first: the task created last leads.
		if strings.Index(list, "Wohnungsangebot nachfassen") > strings.Index(list, "Mietvertrag prüfen") {
			t.Error("sorted by the last change, newest first, the newer task is not first")
		}
		for _, want := range []string{
			`href="/team?dir=asc&amp;sort=changed#aufgaben-liste" aria-current="true"`, // the chosen order, the click turns it
			`<input type="hidden" name="sort" value="changed">`,                        // the filter keeps it
			`href="/team/aufgaben.csv?dir=desc&amp;sort=changed"`,
			`href="/team/aufgaben/` + overdue.ID.String() + `/neu-zuweisen?dir=desc&amp;sort=changed"`, // and the reassignment link`
		} {
			if !strings.Contains(list, want) {
				t.Errorf("the sorted list lacks %s", want)
			}
		}
		// Pages of 25: the second page of a short list is empty, the count stays.
		body = partnerGet(t, w, w.HousingLead, page+"?seite=2", http.StatusOK)
		list = body[strings.Index(body, `id="aufgaben-liste"`):]
		if strings.Contains(list, "Mietvertrag prüfen") || !strings.Contains(list, "offene Aufgaben") {
			t.Error("the second page repeats the first")
		}
	})

	target := w.HousingNorth.ID.String() + ":" + w.NorthWorker.ID.String()
	action := "/team/aufgaben/" + overdue.ID.String() + "/neu-zuweisen"
	assigneeOf := func() (uuid.UUID, *uuid.UUID, int) {
		var org uuid.UUID
		var who *uuid.UUID
		var v int
		if err := w.DB.SQL.QueryRow(`SELECT org_id, assignee_id, version FROM tasks WHERE id = $1`, overdue.ID).Scan(&org, &who, &v); err != nil {
			t.Fatal(err)
		}
		return org, who, v
	}

	t.Run("reassignment page", func(t *testing.T) {
		// Reached from a sorted, filtered list: the way back and the form keep its state.
		body := partnerGet(t, w, w.HousingLead, action+"?overdue=1&sort=name&dir=desc", http.StatusOK)
		id := overdue.ID.String()
		for _, want := range []string{
			"<h1 class=\"kern-heading-large\">Aufgabe neu zuweisen</h1>", "Mietvertrag prüfen", "Wiebke Wohnen (Fachbereich Wohnen)", "seit 3 Tagen überfällig",
			`<form novalidate class="kern-stack-md lotse-measure" method="post" action="/team/aufgaben/` + id + `/neu-zuweisen">`,
			`<label class="kern-label" for="ziel-` + id + `">Zuweisen an</label>`,
			`<optgroup label="Fachbereich Wohnen">`, `<optgroup label="Wohnen, Team Nord">`,
			`<option value="` + w.Housing.ID.String() + `:` + wiebke.String() + `" selected>Wiebke Wohnen</option>`,
			`<option value="` + target + `">Nils Nord</option>`,
			`<input type="hidden" name="version" value="1">`,
			`<input type="hidden" name="dir" value="desc"><input type="hidden" name="overdue" value="1"><input type="hidden" name="sort" value="name">`,
			`href="/team?dir=desc&amp;overdue=1&amp;sort=name#aufgaben-liste"`, "Zurück zum Team-Überblick",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the reassignment page lacks %s", want)
			}
		}
		if n := strings.Count(body, `name="target"`); n != 1 {
			t.Errorf("%d choices of the target, want 1", n)
		}
		if strings.Contains(body, "Mira Migration") || strings.Contains(body, w.Migration.ID.String()) {
			t.Error("the reassignment page offers someone outside the team")
		}
		// A task on a case names the case's person, as its row on the dashboard does.
		body = partnerGet(t, w, w.HousingLead, "/team/aufgaben/"+cw.Task.ID.String()+"/neu-zuweisen", http.StatusOK)
		if !strings.Contains(body, model.PersonName(cw.Person.FamilyName, cw.Person.GivenNames)) || !strings.Contains(body, `href="/team#aufgaben-liste"`) {
			t.Error("the reassignment page of a case's task does not name its person, or has no way back")
		}
		// Not a department head, another team's task, no task.
		partnerGet(t, w, w.HousingWorker, action, http.StatusNotFound)
		partnerGet(t, w, w.HousingLead, "/team/aufgaben/"+foreign.ID.String()+"/neu-zuweisen", http.StatusNotFound)
		partnerGet(t, w, w.HousingLead, "/team/aufgaben/"+uuid.NewString()+"/neu-zuweisen", http.StatusNotFound)
	})

	t.Run("reassign refused", func(t *testing.T) {
		// Outside the team: the reassignment page again, the message beside the choice and
		// in the summary, the choice sent kept, the list's state kept; nothing changed.
		bad := w.Migration.ID.String() + ":" + w.MigrationWorker.ID.String()
		r := partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {bad}, "overdue": {"1"}}, http.StatusUnprocessableEntity)
		body := string(r.Body)
		for _, want := range []string{
			"<h1 class=\"kern-heading-large\">Aufgabe neu zuweisen</h1>", `id="fehlerliste"`,
			`id="ziel-` + overdue.ID.String() + `-fehler"`, "Bitte wählen Sie eine Organisation Ihres Teams", `href="#ziel-` + overdue.ID.String() + `"`,
			`aria-invalid="true"`, `aria-describedby="ziel-` + overdue.ID.String() + `-fehler"`,
			`<input type="hidden" name="overdue" value="1">`, `href="/team?overdue=1#aufgaben-liste"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused reassignment lacks %q", want)
			}
		}
		if strings.Contains(body, `id="aufgaben-liste"`) {
			t.Error("the refused reassignment shows the dashboard, not the task's page")
		}
		partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {"kaputt"}}, http.StatusUnprocessableEntity)
		// A person who is no member of the chosen organisation.
		r = partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {w.HousingNorth.ID.String() + ":" + w.HousingWorker.ID.String()}}, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), `id="ziel-`+overdue.ID.String()+`-fehler"`) {
			t.Error("a person outside the chosen organisation is refused without the message")
		}
		// A stale version: the task's page with its current state and a warning.
		r = partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"9"}, "target": {target}}, http.StatusConflict)
		body = string(r.Body)
		for _, want := range []string{"Die Aufgabe wurde inzwischen geändert", "<h1 class=\"kern-heading-large\">Aufgabe neu zuweisen</h1>", `<input type="hidden" name="version" value="1">`} {
			if !strings.Contains(body, want) {
				t.Errorf("the conflict lacks %q", want)
			}
		}
		// Not a department head, or another team's task.
		partnerPost(t, w, w.HousingWorker, action, url.Values{"version": {"1"}, "target": {target}}, http.StatusNotFound)
		partnerPost(t, w, w.HousingLead, "/team/aufgaben/"+foreign.ID.String()+"/neu-zuweisen", url.Values{"version": {"1"}, "target": {target}}, http.StatusNotFound)
		if org, who, v := assigneeOf(); org != w.Housing.ID || who == nil || *who != wiebke || v != 1 {
			t.Errorf("a refused reassignment changed the task: %s %v %d", org, who, v)
		}
	})

	t.Run("reassign", func(t *testing.T) {
		r := partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {target}, "overdue": {"1"}, "sort": {"name"}, "dir": {"desc"}}, http.StatusSeeOther)
		locationOf(t, r, "/team?dir=desc&overdue=1&sort=name#aufgaben-liste")
		if org, who, _ := assigneeOf(); org != w.HousingNorth.ID || who == nil || *who != w.NorthWorker.ID {
			t.Fatalf("task is with %s / %v after reassigning", org, who)
		}
		body := partnerGet(t, w, w.HousingLead, page, http.StatusOK)
		if row := taskRowOf(t, body, overdue.ID); !strings.Contains(row, "Nils Nord") || !strings.Contains(row, "Wohnen, Team Nord") {
			t.Errorf("the task is not shown with its new assignee: %.600s", row)
		}
		persons := sectionOf(t, body, "aufgaben-titel")
		if !strings.Contains(persons, "Nils Nord") {
			t.Error("the figures by person do not name the new assignee")
		}
	})

	t.Run("chart table equals the service's figures", func(t *testing.T) {
		body := partnerGet(t, w, w.HousingLead, page, http.StatusOK)
		team, err := w.Services(t).Dashboard.Team(context.Background(), w.Actor(t, w.HousingLead), service.TeamFilter{})
		if err != nil {
			t.Fatal(err)
		}
		cell := regexp.MustCompile(`data-area="([^"]+)" data-measure="(open|overdue)" data-week="(\d+)">(\d+)<`)
		got := map[string]string{}
		for _, m := range cell.FindAllStringSubmatch(body, -1) {
			got[m[1]+"/"+m[2]+"/"+m[3]] = m[4]
		}
		n := 0
		for _, s := range team.Series {
			key := s.Area
			if key == "" {
				key = "ohne"
			}
			for i := range team.Weeks {
				for measure, v := range map[string]int{"open": s.Open[i], "overdue": s.Overdue[i]} {
					k := fmt.Sprintf("%s/%s/%d", key, measure, i)
					if got[k] != strconv.Itoa(v) {
						t.Errorf("table %s = %q, service %d", k, got[k], v)
					}
					n++
				}
			}
		}
		if n == 0 || len(got) != n {
			t.Errorf("%d cells in the table, %d figures of the service", len(got), n)
		}
		// Now: housing has the overdue task (now North's, still housing), work the open one.
		last := strconv.Itoa(len(team.Weeks) - 1)
		if got["housing/open/"+last] != "1" || got["housing/overdue/"+last] != "1" || got["work/open/"+last] != "1" {
			t.Errorf("this week's figures: housing %s/%s, work %s", got["housing/open/"+last], got["housing/overdue/"+last], got["work/open/"+last])
		}
		if strings.Count(body, `<svg class="lotse-pl-chart__svg"`) != len(team.Series) {
			t.Error("not one chart per area")
		}
	})

	t.Run("only department heads", func(t *testing.T) {
		for _, u := range []*world.User{w.HousingWorker, w.JobcenterWorker, w.Coordinator, w.Sysadmin, w.DPO, w.HousingAdmin} {
			partnerGet(t, w, u, page, http.StatusForbidden)
			if strings.Contains(partnerGet(t, w, u, "/", http.StatusOK), `href="/team"`) {
				t.Errorf("%s is offered the team dashboard", u.Name)
			}
		}
		if !strings.Contains(partnerGet(t, w, w.HousingLead, "/", http.StatusOK), `href="/team"`) {
			t.Error("the department head is not offered the team dashboard")
		}
	})
}

func ptr[T any](v T) *T { return &v }
