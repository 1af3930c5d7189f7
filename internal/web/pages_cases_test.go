package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
	"github.com/lotse-project/lotse/ui"
)

// The caseworker pages (pages_cases.go), through the whole stack as the world's users: each
// page for the roles that use it, with the data they may see and without what they may not,
// the forms with their messages and kept values, and the refusals.

// getPage fetches a page as u and fails unless it answers want.
func getPage(t *testing.T, w *world.World, u *world.User, path string, want int, hdr ...string) string {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h[hdr[i]] = hdr[i+1]
	}
	r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path, Headers: h})
	if r.Status != want {
		t.Fatalf("GET %s as %s: status %d, want %d: %.3000s", path, u.Name, r.Status, want, r.Body)
	}
	body := string(r.Body)
	if want == http.StatusOK && (strings.HasPrefix(body, "<!doctype") || strings.HasPrefix(body, "<!DOCTYPE")) {
		checkCasePage(t, path, body)
	}
	return body
}

// postForm sends a form as u.
func postForm(t *testing.T, w *world.World, u *world.User, path string, form url.Values, hdr ...string) *world.Response {
	t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for i := 0; i+1 < len(hdr); i += 2 {
		h[hdr[i]] = hdr[i+1]
	}
	return w.Do(t, world.Request{As: u, Method: http.MethodPost, URL: path, Body: form.Encode(), Headers: h})
}

var (
	inlineStyle = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=|<style\b|<[^>]*\son[a-z]+\s*=|javascript:`)
	inlineJS    = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	formTag     = regexp.MustCompile(`(?is)<form\b[^>]*method="post"[^>]*>`)
)

// checkCasePage checks what every page must have: language, skip link, nothing the strict CSP
// would block, the anti-forgery field in every form that posts, inputs with labels.
func checkCasePage(t *testing.T, name, body string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="de">`) && !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("%s: no <html lang>", name)
	}
	if !strings.Contains(body, `href="#inhalt"`) {
		t.Errorf("%s: no skip link", name)
	}
	if m := inlineStyle.FindString(body); m != "" {
		t.Errorf("%s: needs unsafe-inline: %.100s", name, m)
	}
	for _, m := range inlineJS.FindAllStringSubmatch(body, -1) {
		if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], "src=") {
			t.Errorf("%s: inline script %.100s", name, m[0])
		}
	}
	forms := formTag.FindAllStringIndex(body, -1)
	for _, f := range forms {
		rest := body[f[1]:]
		end := strings.Index(rest, "</form>")
		if end < 0 || !strings.Contains(rest[:end], `name="_csrf"`) {
			t.Errorf("%s: a form without the anti-forgery field: %.200s", name, body[f[0]:f[1]])
		}
	}
	for _, m := range regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("%s: input %s has no label", name, m[1])
		}
	}
}

func mustContain(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

func berlinDay(offset int) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	y, m, d := time.Now().In(loc).AddDate(0, 0, offset).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func countRows(t *testing.T, w *world.World, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaseworkerMyTasks(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	lead := w.Actor(t, w.HousingWorker)
	me := w.HousingWorker.ID
	yesterday, today := berlinDay(-1), berlinDay(0)
	area := "housing"
	overdue, err := svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.Housing.ID, AssigneeID: &me, CaseID: &cw.Case.ID, Area: &area,
		Title: "Mietvertrag prüfen", DueDate: &yesterday, Priority: model.PriorityUrgent})
	if err != nil {
		t.Fatal(err)
	}
	dueToday, err := svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.Housing.ID, AssigneeID: &me, Title: "Rückruf Vermieter", DueDate: &today})
	if err != nil {
		t.Fatal(err)
	}
	north := w.NorthWorker.ID
	_, err = svc.Tasks.Create(ctx, w.Actor(t, w.NorthWorker), model.TaskCreate{OrgID: w.HousingNorth.ID, AssigneeID: &north, Title: "Aufgabe von Nord"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the housing caseworker sees hers and the unassigned ones, by due date", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/aufgaben", http.StatusOK)
		mustContain(t, "my tasks", body, "<h1 class=\"kern-heading-large\">Meine Aufgaben</h1>", "Mietvertrag prüfen", "Rückruf Vermieter",
			cw.Task.Title, `href="/faelle/`+cw.Case.ID.String()+`"`, cw.Case.Reference, "Dringend", "Wohnen", "Noch nicht übernommen",
			// People, not numbers: the main person and the household beside the reference.
			`<span class="lotse-person">`+model.PersonName(cw.Person.FamilyName, cw.Person.GivenNames)+`</span>`, "1 Person</span>",
			`aria-current="page">Meine Aufgaben</a>`, `hx-post="/aufgaben/`+overdue.ID.String()+`/status"`)
		mustNotContain(t, "my tasks", body, "Aufgabe von Nord")
		iA, iB, iC := strings.Index(body, "Mietvertrag prüfen"), strings.Index(body, "Rückruf Vermieter"), strings.Index(body, cw.Task.Title)
		if !(iA < iB && iB < iC) {
			t.Errorf("tasks not by due date: %d %d %d", iA, iB, iC)
		}
		// The overdue one says so; the due-date header is the sorted one.
		mustContain(t, "my tasks", body, ">überfällig</span>", `aria-sort="ascending"><a class="kern-link lotse-sort__link" href="/aufgaben?dir=desc&amp;sort=due">Frist`)
		if d := today.Format("02.01.2006"); !strings.Contains(body, d) {
			t.Errorf("no German date %s", d)
		}
	})
	t.Run("in English", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/aufgaben", http.StatusOK, "Cookie", "lang=en")
		mustContain(t, "my tasks", body, "My tasks", ">overdue<", "Urgent", "Housing", today.Format("2006-01-02"))
	})
	t.Run("the job center sees none of the housing office's tasks", func(t *testing.T) {
		body := getPage(t, w, w.JobcenterWorker, "/aufgaben", http.StatusOK)
		mustNotContain(t, "job center's tasks", body, "Mietvertrag prüfen", "Rückruf Vermieter", cw.Task.Title)
	})
	t.Run("roles without tasks are refused", func(t *testing.T) {
		getPage(t, w, w.Coordinator, "/aufgaben", http.StatusForbidden)
		getPage(t, w, w.Sysadmin, "/aufgaben", http.StatusForbidden)
		body := getPage(t, w, w.DPO, "/", http.StatusOK)
		mustNotContain(t, "the DPO's navigation", body, `href="/aufgaben"`, `href="/faelle"`)
	})
	t.Run("quick status change without JavaScript", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+overdue.ID.String()+"/status",
			url.Values{"status": {"in_progress"}, "version": {fmt.Sprint(overdue.Version)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/aufgaben" {
			t.Fatalf("status %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		got, err := svc.Tasks.Get(ctx, lead, overdue.ID)
		if err != nil || got.Status != model.TaskInProgress {
			t.Fatalf("task %+v, %v", got, err)
		}
		// The flash of the redirect shows once, on the next page.
		var session string
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if ck.Name == "lotse_session" {
				session = ck.Name + "=" + ck.Value
			}
		}
		if session == "" {
			t.Fatal("no session cookie for the flash")
		}
		next := getPage(t, w, w.HousingWorker, "/aufgaben", http.StatusOK, "Cookie", session)
		mustContain(t, "the page after the change", next, `role="status"`, "Aufgabe „Mietvertrag prüfen“: In Arbeit.")
		again := getPage(t, w, w.HousingWorker, "/aufgaben", http.StatusOK, "Cookie", session)
		mustNotContain(t, "the page after that", again, "Aufgabe „Mietvertrag prüfen“: In Arbeit.")
	})
	t.Run("quick status change with htmx answers the row", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+dueToday.ID.String()+"/status",
			url.Values{"status": {"done"}, "version": {fmt.Sprint(dueToday.Version)}}, "HX-Request", "true")
		body := string(r.Body)
		if r.Status != http.StatusOK || strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), `<tr class="kern-table__row" id="task-`+dueToday.ID.String()+`"`) {
			t.Fatalf("status %d: %s", r.Status, body)
		}
		mustContain(t, "the row", body, "Gespeichert: Erledigt", `<option value="done" selected>Erledigt</option>`)
		got, err := svc.Tasks.Get(ctx, lead, dueToday.ID)
		if err != nil || got.Status != model.TaskDone {
			t.Fatalf("task %+v, %v", got, err)
		}
	})
	t.Run("a stale version is said beside the task", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/aufgaben/"+overdue.ID.String()+"/status", url.Values{"status": {"done"}, "version": {"1"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "the page", string(r.Body), `id="status-`+overdue.ID.String()+`-error"`, "Jemand anderes hat das inzwischen geändert")
		r = postForm(t, w, w.HousingWorker, "/aufgaben/"+overdue.ID.String()+"/status", url.Values{"status": {"done"}, "version": {"1"}}, "HX-Request", "true")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Jemand anderes") {
			t.Fatalf("htmx: status %d: %s", r.Status, r.Body)
		}
	})
	t.Run("another organisation's task does not exist", func(t *testing.T) {
		r := postForm(t, w, w.JobcenterWorker, "/aufgaben/"+overdue.ID.String()+"/status", url.Values{"status": {"done"}, "version": {"2"}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("status %d", r.Status)
		}
	})
}

func TestCaseworkerCaseList(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	referred := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted,
		Categories: []model.DataCategory{model.CategoryLanguages}})
	other := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	migration := w.CaseWorkFor(t, world.CaseSetup{Lead: w.MigrationWorker})
	named := w.NewPerson()
	named.FamilyName, named.GivenNames, named.NameVariants = "Mohammed", "Yusuf", nil
	muhammad, err := w.Services(t).Cases.Create(context.Background(), w.Actor(t, w.HousingWorker), model.CaseCreate{Primary: named})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the housing caseworker sees her organisation's cases", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle", http.StatusOK)
		mustContain(t, "case list", body, referred.Case.Reference, other.Case.Reference, other.Person.FamilyName, "3 Fälle gefunden",
			"Fachbereich Wohnen", `href="/faelle/neu"`, `<a class="kern-link lotse-sort__link" href="/faelle?dir=asc&amp;sort=reference">Aktenzeichen`)
		mustNotContain(t, "case list", body, migration.Case.Reference, migration.Person.FamilyName)
	})
	t.Run("search by name and by reference", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle?q=Mohamed", http.StatusOK)
		mustContain(t, "search", body, muhammad.Reference, "Mohammed, Yusuf", "1 Fall gefunden", `value="Mohamed"`)
		mustNotContain(t, "search", body, referred.Case.Reference, other.Case.Reference)
		body = getPage(t, w, w.HousingWorker, "/faelle?q="+url.QueryEscape(referred.Case.Reference), http.StatusOK)
		mustContain(t, "reference search", body, referred.Case.Reference)
		mustNotContain(t, "reference search", body, other.Case.Reference)
		body = getPage(t, w, w.HousingWorker, "/faelle?status=closed", http.StatusOK)
		mustContain(t, "status filter", body, "0 Fälle gefunden")
	})
	t.Run("a bad filter is said beside it", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle?area_status=waiting", http.StatusBadRequest)
		mustContain(t, "bad filter", body, `id="f-area_status-error"`, "Bitte wählen Sie dazu auch ein Handlungsfeld.")
	})
	t.Run("pages are numbered", func(t *testing.T) {
		for i := 0; i < 26; i++ {
			w.Case(t, w.NorthWorker)
		}
		body := getPage(t, w, w.NorthWorker, "/faelle", http.StatusOK)
		mustContain(t, "first page", body, "26 Fälle gefunden · Seite 1 von 2")
		m := regexp.MustCompile(`href="(/faelle\?seite=2)" rel="next"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no next link: %s", body)
		}
		next := getPage(t, w, w.NorthWorker, strings.ReplaceAll(m[1], "&amp;", "&"), http.StatusOK)
		if n := strings.Count(next, `<th class="kern-table__header" scope="row">`); n != 1 {
			t.Errorf("the second page has %d cases, want 1", n)
		}
	})
	t.Run("the job center sees the referred case only, without the name", func(t *testing.T) {
		body := getPage(t, w, w.JobcenterWorker, "/faelle", http.StatusOK)
		mustContain(t, "partner's list", body, referred.Case.Reference, "1 Fall gefunden", "Name für Ihre Organisation nicht freigegeben")
		mustNotContain(t, "partner's list", body, referred.Person.FamilyName, referred.Person.GivenNames, other.Case.Reference,
			migration.Case.Reference, `href="/faelle/neu"`)
		body = getPage(t, w, w.JobcenterWorker, "/faelle?q="+url.QueryEscape(other.Case.Reference), http.StatusOK)
		mustContain(t, "partner's search", body, "0 Fälle gefunden")
	})
	t.Run("administration and data protection have no case list", func(t *testing.T) {
		getPage(t, w, w.Sysadmin, "/faelle", http.StatusForbidden)
		getPage(t, w, w.DPO, "/faelle", http.StatusForbidden)
	})
}

func TestCaseworkerNewCase(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	t.Run("the form", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle/neu", http.StatusOK)
		mustContain(t, "new case form", body, `<form class="kern-stack-lg" method="post" action="/faelle"`, `name="family_name"`,
			`<legend class="kern-label">Sprachen</legend>`, `name="languages" value="uk"`, "Ukrainisch", `list="stadtteil-liste"`,
			`<option value="Schinkel">`, "Sie selbst")
	})
	t.Run("partners and others may not open cases", func(t *testing.T) {
		getPage(t, w, w.JobcenterWorker, "/faelle/neu", http.StatusForbidden)
		getPage(t, w, w.HousingLead, "/faelle/neu", http.StatusForbidden)
		r := postForm(t, w, w.JobcenterWorker, "/faelle", url.Values{"family_name": {"Nie"}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("errors beside the fields, values kept", func(t *testing.T) {
		before := countRows(t, w, `SELECT count(*) FROM cases`)
		future := berlinDay(30).Format("2006-01-02")
		r := postForm(t, w, w.HousingWorker, "/faelle", url.Values{
			"family_name": {"Al-Rashid"}, "given_names": {"Samira"}, "birth_date": {future}, "email": {"kein-mail"},
			"languages": {"ar", "de"}, "languages_other": {"p1"}, "district": {"Schinkel"},
		})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		body := string(r.Body)
		checkCasePage(t, "failed new case", body)
		mustContain(t, "failed form", body,
			"<title>Fehler: Neuer Fall – Lotse</title>", `role="alert"`, `href="#f-birth_date"`,
			`id="f-birth_date-error"`, "Das Geburtsdatum muss zwischen dem 01.01.1900 und heute liegen.",
			`aria-describedby="f-birth_date-hint f-birth_date-error"`, `aria-invalid="true"`,
			`id="f-email-error"`, "Bitte geben Sie eine E-Mail-Adresse", `id="f-languages_other-error"`,
			`value="Al-Rashid"`, `value="Samira"`, `value="`+future+`"`, `value="kein-mail"`, `value="p1"`, `value="Schinkel"`,
			`name="languages" value="ar" checked`, `name="languages" value="de" checked`)
		if after := countRows(t, w, `SELECT count(*) FROM cases`); after != before {
			t.Errorf("a case was created: %d -> %d", before, after)
		}
		r = postForm(t, w, w.HousingWorker, "/faelle", url.Values{"family_name": {" "}, "birth_date": {"31.02.2020"}})
		mustContain(t, "unreadable date", string(r.Body), "Bitte geben Sie das Datum so ein: 14.03.2026.")
	})
	t.Run("success opens the case page", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, "/faelle", url.Values{
			"family_name": {"Kovalenko"}, "given_names": {"Olena"}, "name_variants": {"Kowalenko\r\nKovalenco"},
			"birth_date": {"14.03.1985"}, "languages": {"uk", "ru"}, "languages_other": {"de"}, "phone": {"0541 999"},
			"district": {"Haste"}, "residence_status": {"Aufenthaltserlaubnis"},
		})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		loc := r.Header.Get("Location")
		id, err := uuid.Parse(strings.TrimPrefix(loc, "/faelle/"))
		if err != nil {
			t.Fatalf("Location %q", loc)
		}
		cv, err := w.Services(t).Cases.Get(context.Background(), w.Actor(t, w.HousingWorker), id)
		if err != nil {
			t.Fatal(err)
		}
		p := cv.Persons[0]
		if p.FamilyName != "Kovalenko" || len(p.NameVariants) != 2 || len(p.Languages) != 3 || p.BirthDate.Format("2006-01-02") != "1985-03-14" ||
			cv.ResponsibleUserID == nil || *cv.ResponsibleUserID != w.HousingWorker.ID || cv.District != "Haste" {
			t.Errorf("case %+v, person %+v", cv, p)
		}
		body := getPage(t, w, w.HousingWorker, loc, http.StatusOK)
		mustContain(t, "new case page", body, "Kovalenko", "Ukrainisch, Russisch, Deutsch", "14.03.1985", "Kowalenko, Kovalenco")
	})
}

func TestCaseworkerCasePage(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	unrelated := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	page := "/faelle/" + cw.Case.ID.String()
	p := cw.Person

	t.Run("the lead organisation sees everything", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "case page", body, "<h1 class=\"kern-heading-large\">"+cw.Case.Reference+"</h1>", p.FamilyName, p.GivenNames,
			p.Phone, p.Email, p.Address, "Arabisch, Deutsch", `id="plan-housing"`, `id="plan-work"`, `id="plan-language"`,
			cw.OrgNote.Body, cw.SharedNote.Body, cw.Referral.Reference, "Angenommen", cw.Task.Title, cw.Consent.Evidence,
			`href="/faelle/`+cw.Case.ID.String()+`/vermitteln"`, `href="/einwilligungen/`+cw.Consent.ID.String()+`/widerrufen"`,
			`href="/faelle/`+cw.Case.ID.String()+`?plan=housing#plan-housing"`, `action="/faelle/`+cw.Case.ID.String()+`/vermerke"`,
			`action="/faelle/`+cw.Case.ID.String()+`/status"`, "Fachbereich Wohnen", "Jobcenter Stadt Osnabrück",
			`<caption class="kern-sr-only">Integrationsplan des Falls`, `scope="row">Wohnen</th>`, "Verantwortlich</dt>")
		mustNotContain(t, "case page", body, "Weitere Angaben sind für Ihre Organisation nicht freigegeben",
			`/plan/housing"`, `name="resp_org"`)
	})
	t.Run("plan row: one edit form, asked for by its link", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page+"?plan=housing", http.StatusOK)
		mustContain(t, "plan row asked for", body, `action="/faelle/`+cw.Case.ID.String()+`/plan/housing"`, `id="plan-org-housing"`,
			`<option value="`+w.Caritas.ID.String()+`">Caritasverband Osnabrück`, `href="/faelle/`+cw.Case.ID.String()+`?plan=work#plan-work"`)
		if n := strings.Count(body, `name="resp_org"`); n != 1 {
			t.Errorf("%d lists of organisations on the page, want the one of the row asked for", n)
		}
		mustNotContain(t, "plan row asked for", body, `/plan/work"`, `/plan/language"`, `?plan=housing#plan-housing"`)
		body = getPage(t, w, w.HousingWorker, page+"?plan=magic", http.StatusOK)
		mustNotContain(t, "an area the plan does not have", body, `name="resp_org"`)
		body = getPage(t, w, w.HousingLead, page+"?plan=housing", http.StatusOK)
		mustNotContain(t, "the head, who may not edit the plan", body, `/plan/housing"`, `name="resp_org"`)
	})
	t.Run("the department head reads it too, without the caseworker's forms", func(t *testing.T) {
		body := getPage(t, w, w.HousingLead, page, http.StatusOK)
		mustContain(t, "lead's case page", body, p.FamilyName, cw.OrgNote.Body, "Wiebke Wohnen")
		mustNotContain(t, "lead's case page", body, `/vermitteln"`, `/plan/housing"`, `/einwilligungen/neu"`)
	})
	t.Run("the job center sees the referred area and the released data only", func(t *testing.T) {
		body := getPage(t, w, w.JobcenterWorker, page, http.StatusOK)
		mustContain(t, "partner's case page", body, cw.Case.Reference, p.FamilyName, "Arabisch", `id="plan-work"`,
			cw.SharedNote.Body, "Weitere Angaben sind für Ihre Organisation nicht freigegeben", `name="note_area"`,
			"Von Wiebke Wohnen (") // the sender is the contact person the partner may name (docs/sharing.md)
		mustNotContain(t, "partner's case page", body, "Von eine andere Person", p.Phone, p.Email, p.Address, p.ResidenceStatus, `id="plan-housing"`,
			`id="plan-language"`, cw.OrgNote.Body, cw.Task.Title, cw.Consent.Evidence, `id="einwilligungen"`, "/vermitteln",
			`/status"`, "/widerrufen", unrelated.Case.Reference)
	})
	t.Run("an unrelated case does not exist for the job center", func(t *testing.T) {
		body := getPage(t, w, w.JobcenterWorker, "/faelle/"+unrelated.Case.ID.String(), http.StatusNotFound)
		mustNotContain(t, "404 page", body, unrelated.Case.Reference, unrelated.Person.FamilyName)
		getPage(t, w, w.CaritasWorker, page, http.StatusNotFound)
		getPage(t, w, w.JobcenterWorker, "/faelle/"+uuid.NewString(), http.StatusNotFound)
		getPage(t, w, w.JobcenterWorker, "/faelle/kein-fall", http.StatusNotFound)
	})
	t.Run("administration and data protection get 404", func(t *testing.T) {
		for _, u := range []*world.User{w.Sysadmin, w.DPO, w.Coordinator} {
			body := getPage(t, w, u, page, http.StatusNotFound)
			mustNotContain(t, "404 page", body, cw.Case.Reference, p.FamilyName)
		}
	})
	t.Run("the holder of a task sees a summary only", func(t *testing.T) {
		// The head of the housing office hands a task on a case of the office to its unit
		// in the north: the unit sees the case through the task, as a summary.
		cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
		svc := w.Services(t)
		tk, err := svc.Tasks.Create(ctx, w.Actor(t, w.HousingWorker), model.TaskCreate{OrgID: w.Housing.ID, CaseID: &cw.Case.ID, Title: "Bescheid nachreichen"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tasks.Reassign(ctx, w.Actor(t, w.HousingLead), tk.ID, tk.Version, model.TaskReassign{OrgID: w.HousingNorth.ID}); err != nil {
			t.Fatal(err)
		}
		body := getPage(t, w, w.NorthWorker, "/faelle/"+cw.Case.ID.String(), http.StatusOK)
		mustContain(t, "summary", body, cw.Case.Reference, "Sie sehen diesen Fall nur wegen einer Aufgabe Ihrer Organisation", "Bescheid nachreichen")
		mustNotContain(t, "summary", body, cw.Person.FamilyName, cw.Person.Phone, `id="plan-work"`, cw.SharedNote.Body, cw.OrgNote.Body,
			`name="note_area"`)
		tasks := getPage(t, w, w.NorthWorker, "/aufgaben", http.StatusOK)
		mustContain(t, "the unit's tasks", tasks, "Bescheid nachreichen", `href="/faelle/`+cw.Case.ID.String()+`"`, cw.Case.Reference, "Name nicht freigegeben")
		mustNotContain(t, "the unit's tasks", tasks, cw.Person.FamilyName, cw.Person.GivenNames)
	})
	t.Run("a task that hung on an ended referral leaves nothing behind", func(t *testing.T) {
		done := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
		svc := w.Services(t)
		if _, err := svc.Tasks.Create(ctx, w.Actor(t, w.HousingWorker), model.TaskCreate{OrgID: w.Jobcenter.ID, CaseID: &done.Case.ID, Title: "Bescheid nachreichen"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Referrals.Complete(ctx, w.Actor(t, w.JobcenterWorker), done.Referral.ID, done.Referral.Version, "Vermittelt"); err != nil {
			t.Fatal(err)
		}
		body := getPage(t, w, w.JobcenterWorker, "/faelle/"+done.Case.ID.String(), http.StatusNotFound)
		mustNotContain(t, "404 page", body, done.Case.Reference, done.Person.FamilyName)
		tasks := getPage(t, w, w.JobcenterWorker, "/aufgaben", http.StatusOK)
		mustNotContain(t, "the job center's tasks", tasks, "Bescheid nachreichen", done.Case.Reference)
		lead := getPage(t, w, w.HousingWorker, "/faelle/"+done.Case.ID.String(), http.StatusOK)
		mustContain(t, "the lead's timeline", lead, "Bescheid nachreichen", "Zugang beendet")
	})
	t.Run("in English", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK, "Accept-Language", "en")
		mustContain(t, "English case page", body, `<html lang="en">`, "Integration plan", "Household", "Timeline", "Work and training", "Refer")
	})
	t.Run("plan row: error beside the field, then saved", func(t *testing.T) {
		row := cw.Case.Plan[0] // housing
		long := strings.Repeat("x", 501)
		r := postForm(t, w, w.HousingWorker, page+"/plan/housing", url.Values{"status": {"waiting"}, "resp_org": {""}, "note": {long}, "version": {fmt.Sprint(row.Version)}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "failed plan row", string(r.Body), `<details class="lotse-details" open>`, `id="plan-note-housing-error"`,
			"höchstens 500 Zeichen", `value="`+long+`"`, `<option value="waiting" selected>`)
		r = postForm(t, w, w.HousingWorker, page+"/plan/housing", url.Values{"status": {"waiting"}, "resp_org": {w.Caritas.ID.String()},
			"note": {"Wartet auf Besichtigung"}, "version": {fmt.Sprint(row.Version)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != page+"#plan-housing" {
			t.Fatalf("status %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "saved plan", body, "Wartet auf Besichtigung", "Caritasverband Osnabrück", "Wohnen: Wartet")
		// The partner may not touch a row that was not referred to it.
		r = postForm(t, w, w.JobcenterWorker, page+"/plan/housing", url.Values{"status": {"achieved"}, "version": {fmt.Sprint(row.Version + 1)}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("partner on a hidden row: status %d", r.Status)
		}
	})
	t.Run("notes", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermerke", url.Values{"note_area": {""}, "visibility": {"shared"}, "body": {"Nur geteilt ohne Feld"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "failed note", string(r.Body), `id="f-note_area-error"`, "Ein geteilter Vermerk braucht ein Handlungsfeld.",
			"Nur geteilt ohne Feld", `value="shared" checked`)
		r = postForm(t, w, w.JobcenterWorker, page+"/vermerke", url.Values{"note_area": {"work"}, "visibility": {"shared"}, "body": {"Termin im Jobcenter am Montag"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("partner's note: status %d: %s", r.Status, r.Body)
		}
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "the lead reads the shared note", body, "Termin im Jobcenter am Montag", "Vermerk zu Arbeit und Ausbildung")
	})
	t.Run("case status: closing needs a reason", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/status", url.Values{"status": {"closed"}, "reason": {""}, "version": {fmt.Sprint(cw.Case.Version)}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "failed status", string(r.Body), `id="f-reason-error"`, "Bitte geben Sie einen Grund an")
		cv, err := w.Services(t).Cases.Get(ctx, w.Actor(t, w.HousingWorker), cw.Case.ID)
		if err != nil {
			t.Fatal(err)
		}
		r = postForm(t, w, w.HousingWorker, page+"/status", url.Values{"status": {"paused"}, "reason": {"Krankenhausaufenthalt"}, "version": {fmt.Sprint(cv.Version)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "paused case", body, "Pausiert", "Krankenhausaufenthalt", "Fall wieder öffnen")
		r = postForm(t, w, w.JobcenterWorker, page+"/status", url.Values{"status": {"open"}, "version": {fmt.Sprint(cv.Version + 1)}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("partner closes: status %d", r.Status)
		}
	})
}

func TestCaseworkerConsents(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ctx := context.Background()
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	page := "/faelle/" + cw.Case.ID.String()
	lead := w.Actor(t, w.HousingWorker)

	t.Run("record: errors beside the fields", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page+"/einwilligungen/neu", http.StatusOK)
		mustContain(t, "consent form", body, `name="recipients" value="`+w.Caritas.ID.String()+`"`, `name="areas" value="housing"`,
			`name="categories" value="identity" checked`, `name="valid_from" type="date" value="`+berlinDay(0).Format("2006-01-02")+`"`)
		mustNotContain(t, "consent form", body, `name="recipients" value="`+w.Housing.ID.String()+`"`)
		r := postForm(t, w, w.HousingWorker, page+"/einwilligungen", url.Values{"areas": {"housing"}, "purpose": {"Wohnungssuche"},
			"valid_from": {berlinDay(0).Format("2006-01-02")}, "valid_until": {berlinDay(-5).Format("2006-01-02")}, "language": {"ar"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "failed consent", string(r.Body), `id="f-recipients-error"`, "Bitte wählen Sie mindestens einen Empfänger.",
			`id="f-evidence-error"`, `id="f-valid_until-error"`, "Das Ende darf nicht vor dem Beginn liegen.", "Wohnungssuche",
			`name="areas" value="housing" checked`, `<option value="ar" selected>`)
	})
	t.Run("record", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/einwilligungen", url.Values{"recipients": {w.Caritas.ID.String()}, "areas": {"housing"},
			"categories": {"identity", "contact"}, "purpose": {"Wohnungssuche"}, "valid_from": {berlinDay(0).Format("02.01.2006")},
			"valid_until": {berlinDay(180).Format("2006-01-02")}, "evidence": {"Ordner 7, Blatt 3"}, "language": {"fa"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != page+"#einwilligungen" {
			t.Fatalf("status %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		cs, err := w.Services(t).Consents.List(ctx, lead, cw.Case.ID)
		if err != nil || len(cs) != 2 {
			t.Fatalf("consents %v, %v", cs, err)
		}
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "consents on the case page", body, "Ordner 7, Blatt 3", "Erklärt auf Persisch (Farsi, Dari)", "Name und Geburtsdatum, Kontaktdaten")
	})
	t.Run("the job center may neither record nor revoke", func(t *testing.T) {
		getPage(t, w, w.JobcenterWorker, page+"/einwilligungen/neu", http.StatusNotFound)
		getPage(t, w, w.JobcenterWorker, "/einwilligungen/"+cw.Consent.ID.String()+"/widerrufen", http.StatusNotFound)
		r := postForm(t, w, w.JobcenterWorker, "/einwilligungen/"+cw.Consent.ID.String()+"/widerrufen", url.Values{"version": {fmt.Sprint(cw.Consent.Version)}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("revoking needs the confirmation post", func(t *testing.T) {
		confirm := "/einwilligungen/" + cw.Consent.ID.String() + "/widerrufen"
		body := getPage(t, w, w.HousingWorker, confirm, http.StatusOK)
		mustContain(t, "confirmation page", body, cw.Referral.Reference, "Jobcenter Stadt Osnabrück", "Diese laufenden Vermittlungen werden beendet (1)",
			`<form novalidate method="post" action="`+confirm+`">`, `name="version" value="`+fmt.Sprint(cw.Consent.Version)+`"`, "Einwilligung jetzt widerrufen")
		co, err := w.Services(t).Consents.Get(ctx, lead, cw.Consent.ID)
		if err != nil || co.RevokedAt != nil {
			t.Fatalf("the confirmation page revoked: %+v, %v", co, err)
		}
		getPage(t, w, w.JobcenterWorker, page, http.StatusOK)
		r := postForm(t, w, w.HousingWorker, confirm, url.Values{"version": {fmt.Sprint(cw.Consent.Version)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != page+"#einwilligungen" {
			t.Fatalf("status %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		ref, err := w.Services(t).Referrals.Get(ctx, lead, cw.Referral.ID)
		if err != nil || ref.Status != model.ReferralRevoked {
			t.Fatalf("referral %+v, %v", ref, err)
		}
		getPage(t, w, w.JobcenterWorker, page, http.StatusNotFound)
		again := postForm(t, w, w.HousingWorker, confirm, url.Values{"version": {fmt.Sprint(cw.Consent.Version + 1)}})
		if again.Status != http.StatusUnprocessableEntity || !strings.Contains(string(again.Body), "bereits widerrufen") {
			t.Fatalf("second revocation: %d: %s", again.Status, again.Body)
		}
	})
}

func TestCaseworkerRefer(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker}) // consent for the job center, work; no referral yet
	page := "/faelle/" + cw.Case.ID.String()
	referrals := func() int {
		return countRows(t, w, `SELECT count(*) FROM referrals WHERE case_id = $1`, cw.Case.ID)
	}

	t.Run("the form", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page+"/vermitteln", http.StatusOK)
		mustContain(t, "refer form", body, `<option value="`+w.Jobcenter.ID.String()+`">Jobcenter Stadt Osnabrück</option>`,
			`hx-get="`+page+`/vermitteln/deckung"`, `id="deckung"`, `name="action" value="check"`, `name="reply_days" type="number" value="10"`,
			`<option value="SGB II § 50">`, "Wählen Sie die Stelle und die Handlungsfelder")
		mustNotContain(t, "refer form", body, `<option value="`+w.Housing.ID.String()+`"`)
	})
	t.Run("the cover is shown at once", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, page+"/vermitteln/deckung?org="+w.Jobcenter.ID.String()+"&areas=work", http.StatusOK)
		if strings.Contains(body, "<html") {
			t.Fatal("the cover answer is a whole page")
		}
		mustContain(t, "covered", body, "deckt diese Vermittlung an Jobcenter Stadt Osnabrück für Arbeit und Ausbildung",
			`name="consent_id" value="`+cw.Consent.ID.String()+`" checked`)
		body = getPage(t, w, w.HousingWorker, page+"/vermitteln/deckung?org="+w.Jobcenter.ID.String()+"&areas=housing&areas=work", http.StatusOK)
		mustContain(t, "not covered", body, "Keine Einwilligung deckt die Vermittlung an Jobcenter Stadt Osnabrück für Wohnen, Arbeit und Ausbildung")
		body = getPage(t, w, w.HousingWorker, page+"/vermitteln/deckung?org="+w.Caritas.ID.String()+"&areas=work", http.StatusOK)
		mustContain(t, "not covered", body, "Keine Einwilligung deckt")
		mustNotContain(t, "not covered", body, `name="consent_id"`)
	})
	t.Run("without JavaScript, Prüfen shows the cover", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermitteln", url.Values{"action": {"check"}, "org": {w.Jobcenter.ID.String()}, "areas": {"work"},
			"message": {"Bitte Termin"}, "reply_days": {"10"}})
		if r.Status != http.StatusOK {
			t.Fatalf("status %d", r.Status)
		}
		mustContain(t, "checked form", string(r.Body), "deckt diese Vermittlung", "Bitte Termin", `name="areas" value="work" checked`)
		if referrals() != 0 {
			t.Fatal("checking sent a referral")
		}
	})
	t.Run("without cover the form refuses to send", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermitteln", url.Values{"org": {w.Caritas.ID.String()}, "areas": {"work"},
			"message": {"Bitte um Beratung"}, "reply_days": {"10"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		body := string(r.Body)
		mustContain(t, "refused referral", body, `id="f-consent_id-error"`, "Ohne Einwilligung oder gesetzliche Grundlage kann der Fall nicht vermittelt werden.",
			`aria-describedby="f-consent_id-error"`, `href="#f-consent_id"`, "Keine Einwilligung deckt", "Bitte um Beratung",
			`<option value="`+w.Caritas.ID.String()+`" selected>`)
		// A consent for another organisation does not help either.
		r = postForm(t, w, w.HousingWorker, page+"/vermitteln", url.Values{"org": {w.Caritas.ID.String()}, "areas": {"work"},
			"consent_id": {cw.Consent.ID.String()}, "reply_days": {"10"}})
		mustContain(t, "refused referral", string(r.Body), "Diese Einwilligung deckt die Vermittlung nicht")
		if referrals() != 0 {
			t.Fatal("a referral without cover was created")
		}
	})
	t.Run("with cover it is sent", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermitteln", url.Values{"org": {w.Jobcenter.ID.String()}, "areas": {"work"},
			"consent_id": {cw.Consent.ID.String()}, "message": {"Bitte Sprachkurs prüfen"}, "reply_days": {"5"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != page {
			t.Fatalf("status %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if referrals() != 1 {
			t.Fatal("no referral")
		}
		body := getPage(t, w, w.HousingWorker, page, http.StatusOK)
		mustContain(t, "case page after referring", body, "Bitte Sprachkurs prüfen", "Gesendet")
		getPage(t, w, w.JobcenterWorker, page, http.StatusOK)
	})
	t.Run("with a legal basis it is sent too", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermitteln", url.Values{"org": {w.Caritas.ID.String()}, "areas": {"housing"},
			"legal_basis": {"SGB X § 69"}, "reply_days": {"10"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	})
	t.Run("partners may not refer", func(t *testing.T) {
		getPage(t, w, w.JobcenterWorker, page+"/vermitteln", http.StatusNotFound)
		r := postForm(t, w, w.JobcenterWorker, page+"/vermitteln", url.Values{"org": {w.Caritas.ID.String()}, "areas": {"work"}, "legal_basis": {"SGB X § 69"}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("status %d", r.Status)
		}
	})
}

// TestCaseworkerMessageFamilies: the messages named at run time (statuses, priorities,
// categories, languages, kinds of timeline entries) exist in every language.
func TestCaseworkerMessageFamilies(t *testing.T) {
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	add := func(prefix string, vals ...string) {
		for _, v := range vals {
			keys = append(keys, prefix+v)
		}
	}
	for _, s := range model.TaskStatuses {
		add("cases.task_status.", string(s))
	}
	for _, s := range model.TaskPriorities {
		add("cases.priority.", string(s))
	}
	for _, s := range model.ReferralStatuses {
		add("cases.referral_status.", string(s))
	}
	for _, s := range model.AreaStatusValues {
		add("cases.area_status.", string(s))
	}
	for _, s := range []model.CaseStatus{model.CaseOpen, model.CasePaused, model.CaseClosed} {
		add("cases.case_status.", string(s))
		add("cases.status.action.", string(s))
	}
	for _, c := range model.DataCategories {
		add("cases.category.", string(c))
		add("cases.category_long.", string(c))
	}
	add("cases.lang.", "ar", "uk", "ru", "fa", "ps", "ku", "tr", "ti", "so", "ro", "en", "fr", "de")
	for _, k := range model.TimelineKinds {
		add("cases.timeline.kind.", string(k))
	}
	add("cases.note.visibility.", string(model.NoteOrg), string(model.NoteShared))
	for _, tag := range []language.Tag{language.German, language.English} {
		have := map[string]bool{}
		for _, k := range cat.Keys(tag) {
			have[k] = true
		}
		for _, k := range keys {
			if !have[k] {
				t.Errorf("message %q missing in ui/locales/cases.%s.toml", k, tag)
			}
		}
	}
}

// TestCasePageOneAuditEvent: the case page, the referral form and its cover answer are one
// service call each, so each view writes exactly one audit event, the case page's listing
// what it showed.
func TestCasePageOneAuditEvent(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted})
	page := "/faelle/" + cw.Case.ID.String()
	events := func(u *world.User) int {
		return countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1`, u.ID)
	}
	for _, c := range []struct {
		u      *world.User
		path   string
		action string
	}{
		{w.HousingWorker, page, "case.read"},
		{w.HousingLead, page, "case.read"},
		{w.JobcenterWorker, page, "case.read"},
		{w.HousingWorker, page + "/vermitteln", "consent.list"},
		{w.HousingWorker, page + "/vermitteln/deckung?org=" + w.Jobcenter.ID.String() + "&areas=work", "consent.list"},
	} {
		before := events(c.u)
		getPage(t, w, c.u, c.path, http.StatusOK)
		if n := events(c.u) - before; n != 1 {
			t.Errorf("GET %s as %s wrote %d audit events, want 1", c.path, c.u.Name, n)
		}
		last := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = $2
			AND id = (SELECT max(id) FROM audit_events WHERE actor_id = $1)`, c.u.ID, c.action)
		if last != 1 {
			t.Errorf("GET %s as %s: the event is not %s", c.path, c.u.Name, c.action)
		}
	}
	shown := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'case.read'
		AND details->'shown'->'notes' ? $2 AND details->'shown'->'tasks' ? $3`, w.HousingWorker.ID, cw.OrgNote.ID.String(), cw.Task.ID.String())
	if shown != 1 {
		t.Errorf("%d case page events list the note and the task shown, want 1", shown)
	}
}
