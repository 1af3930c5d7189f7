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
// its refusals, and the chart's table against the service's figures.

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
	threeDaysAgo := time.Now().AddDate(0, 0, -3)
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
			`<input type="hidden" name="sort" value="changed">`,                        // the filter and the reassign forms keep it
			`href="/team/aufgaben.csv?dir=desc&amp;sort=changed"`,
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

	t.Run("reassign refused", func(t *testing.T) {
		// Outside the team: the message beside the choice, nothing changed.
		bad := w.Migration.ID.String() + ":" + w.MigrationWorker.ID.String()
		r := partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {bad}}, http.StatusUnprocessableEntity)
		body := string(r.Body)
		for _, want := range []string{`id="ziel-` + overdue.ID.String() + `-fehler"`, "Bitte wählen Sie eine Organisation Ihres Teams", `href="#ziel-` + overdue.ID.String() + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused reassignment lacks %q", want)
			}
		}
		partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {"kaputt"}}, http.StatusUnprocessableEntity)
		// A person who is no member of the chosen organisation.
		partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"1"}, "target": {w.HousingNorth.ID.String() + ":" + w.HousingWorker.ID.String()}}, http.StatusUnprocessableEntity)
		// A stale version: the current state and a warning.
		r = partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"9"}, "target": {target}}, http.StatusConflict)
		if !strings.Contains(string(r.Body), "Die Aufgabe wurde inzwischen geändert") {
			t.Error("the conflict is not explained")
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
