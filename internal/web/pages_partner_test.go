package web_test

import (
	"cmp"
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

// The referral pages (pages_partner.go) through the whole stack as the world's users: the
// inbox with its groups, the referral page with every action of recipient and sender, the
// shared notes and tasks, the outgoing list, and the refusals. Names beginning with pl keep
// these helpers apart from the other parts' tests in this package.

var (
	styleTags  = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=|<style\b|<[^>]*\son[a-z]+\s*=|javascript:`)
	scriptTags = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	postTo     = regexp.MustCompile(`(?is)<form\b[^>]*method="post"[^>]*>(.*?)</form>`)
)

// partnerGet fetches a page as u and fails unless it answers want; a page is checked for what
// every page needs (language, skip link, CSP-safe markup, CSRF field in every posting form).
func partnerGet(t *testing.T, w *world.World, u *world.User, path string, want int) string {
	t.Helper()
	r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path})
	if r.Status != want {
		t.Fatalf("GET %s as %s: status %d, want %d: %.2000s", path, u.Name, r.Status, want, r.Body)
	}
	body := string(r.Body)
	if want == http.StatusOK {
		checkPartnerPage(t, path, body)
	}
	return body
}

// partnerPost sends a form as u and fails unless it answers want.
func partnerPost(t *testing.T, w *world.World, u *world.User, path string, form url.Values, want int) *world.Response {
	t.Helper()
	r := w.Do(t, world.Request{As: u, Method: http.MethodPost, URL: path, Body: form.Encode(),
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if r.Status != want {
		t.Fatalf("POST %s as %s: status %d, want %d: %.2000s", path, u.Name, r.Status, want, r.Body)
	}
	if r.Status < 300 || r.Status >= 400 {
		checkPartnerPage(t, path, string(r.Body))
	}
	return r
}

func checkPartnerPage(t *testing.T, name, body string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="de">`) && !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("%s: no <html lang>", name)
	}
	if !strings.Contains(body, `href="#inhalt"`) {
		t.Errorf("%s: no skip link", name)
	}
	if m := styleTags.FindString(body); m != "" {
		t.Errorf("%s: needs unsafe-inline: %.100s", name, m)
	}
	for _, m := range scriptTags.FindAllStringSubmatch(body, -1) {
		if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], "src=") {
			t.Errorf("%s: inline script %.100s", name, m[0])
		}
	}
	for _, m := range postTo.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[1], `name="_csrf"`) {
			t.Errorf("%s: a form posts without the CSRF field: %.200s", name, m[0])
		}
	}
}

// sectionOf returns the part of body from the element with id to the next <section (or the
// end), for assertions about what is in which group.
func sectionOf(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element with id %q", id)
	}
	rest := body[i:]
	if j := strings.Index(rest[1:], "<section"); j >= 0 {
		return rest[:j+1]
	}
	return rest
}

// referralOf reads a referral's status and version from the database.
func referralOf(t *testing.T, w *world.World, id uuid.UUID) (model.ReferralStatus, int) {
	t.Helper()
	var st string
	var v int
	if err := w.DB.SQL.QueryRow(`SELECT status, version FROM referrals WHERE id = $1`, id).Scan(&st, &v); err != nil {
		t.Fatal(err)
	}
	return model.ReferralStatus(st), v
}

func execSQL(t *testing.T, w *world.World, q string, args ...any) {
	t.Helper()
	if _, err := w.DB.SQL.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func versionForm(v int, kv ...string) url.Values {
	f := url.Values{"version": {strconv.Itoa(v)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func locationOf(t *testing.T, r *world.Response, want string) {
	t.Helper()
	if got := r.Header.Get("Location"); got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
}

func TestPartnerInbox(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	ref := func(status model.ReferralStatus) *world.CaseWork {
		return w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: status})
	}
	overdue, soon, fresh, accepted := ref(model.ReferralSent), ref(model.ReferralSent), ref(model.ReferralSent), ref(model.ReferralAccepted)
	caritas := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})
	declined := ref(model.ReferralDeclined)
	// A consent without the identity: the inbox says the name is not released.
	nameless := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted,
		Categories: []model.DataCategory{model.CategoryLanguages}})

	loc, _ := time.LoadLocation("Europe/Berlin")
	y, m, d := time.Now().In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	execSQL(t, w, `UPDATE referrals SET reply_due = $1::date WHERE id = $2`, today.AddDate(0, 0, -2).Format(time.DateOnly), overdue.Referral.ID)
	execSQL(t, w, `UPDATE referrals SET reply_due = $1::date WHERE id = $2`, service.AddWorkingDays(today, 1).Format(time.DateOnly), soon.Referral.ID)

	body := partnerGet(t, w, w.JobcenterWorker, "/eingang", http.StatusOK)
	for _, tc := range []struct {
		group string
		in    *world.CaseWork
	}{
		{"gruppe-overdue", overdue}, {"gruppe-due_soon", soon}, {"gruppe-new", fresh}, {"gruppe-in_progress", accepted},
	} {
		sec := sectionOf(t, body, tc.group)
		if !strings.Contains(sec, tc.in.Referral.Reference) {
			t.Errorf("%s lacks %s", tc.group, tc.in.Referral.Reference)
		}
		if want := map[string]string{"gruppe-in_progress": "(2)"}[tc.group]; !strings.Contains(sec, cmp.Or(want, "(1)")) {
			t.Errorf("%s does not count %s: %.300s", tc.group, cmp.Or(want, "(1)"), sec)
		}
		for _, other := range []*world.CaseWork{overdue, soon, fresh, accepted} {
			if other != tc.in && strings.Contains(sec, other.Referral.Reference) {
				t.Errorf("%s also lists %s", tc.group, other.Referral.Reference)
			}
		}
	}
	// People, not numbers: the person of each referral as the consent releases them.
	if sec := sectionOf(t, body, "gruppe-overdue"); !strings.Contains(sec, `<span class="lotse-person">`+model.PersonName(overdue.Person.FamilyName, overdue.Person.GivenNames)+`</span>`) {
		t.Errorf("the inbox does not name the person of %s: %.600s", overdue.Referral.Reference, sec)
	}
	if sec := sectionOf(t, body, "gruppe-in_progress"); !strings.Contains(sec, "Name nicht freigegeben") {
		t.Errorf("the inbox does not say that the name of %s is not released", nameless.Referral.Reference)
	}
	for _, hidden := range []string{caritas.Referral.Reference, declined.Referral.Reference, declined.Person.FamilyName, nameless.Person.FamilyName, overdue.Case.Reference} {
		if strings.Contains(body, hidden) {
			t.Errorf("the jobcenter's inbox shows %q", hidden)
		}
	}
	if !strings.Contains(body, "Fachbereich Wohnen") || !strings.Contains(body, `href="/vermittlungen/`+fresh.Referral.ID.String()+`"`) {
		t.Error("the inbox does not name the sender or link the referral")
	}
	if !strings.Contains(body, `aria-current="page">Eingang`) {
		t.Error("the navigation does not mark the inbox")
	}

	// Caritas sees only its own referral; the English page speaks English.
	cb := partnerGet(t, w, w.CaritasWorker, "/eingang", http.StatusOK)
	if !strings.Contains(cb, caritas.Referral.Reference) || strings.Contains(cb, fresh.Referral.Reference) {
		t.Error("the Caritas inbox shows the wrong referrals")
	}
	en := w.Do(t, world.Request{As: w.CaritasWorker, Method: http.MethodGet, URL: "/eingang", Headers: map[string]string{"Accept-Language": "en"}})
	if !strings.Contains(string(en.Body), "Incoming referrals") {
		t.Error("no English inbox")
	}

	// Roles that answer no referrals have no inbox.
	for _, u := range []*world.User{w.HousingLead, w.Sysadmin, w.DPO, w.Coordinator} {
		partnerGet(t, w, u, "/eingang", http.StatusForbidden)
	}
}

func TestPartnerReferralWork(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	id := cw.Referral.ID
	page := "/vermittlungen/" + id.String()

	t.Run("who sees the page", func(t *testing.T) {
		body := partnerGet(t, w, w.JobcenterWorker, page, http.StatusOK)
		for _, want := range []string{cw.Referral.Reference, "Bitte um Unterstützung", "Vermittlung annehmen", "Vermittlung ablehnen", `name="reason"`, "Geteilter Vermerk " + cw.Case.Reference} {
			if !strings.Contains(body, want) {
				t.Errorf("recipient's page lacks %q", want)
			}
		}
		for _, hidden := range []string{"Interner Vermerk", cw.Person.Phone, "zurueckziehen"} {
			if strings.Contains(body, hidden) {
				t.Errorf("recipient's page shows %q", hidden)
			}
		}
		sender := partnerGet(t, w, w.HousingWorker, page, http.StatusOK)
		if !strings.Contains(sender, "/vermittlungen/"+id.String()+"/zurueckziehen") || strings.Contains(sender, "Vermittlung annehmen") {
			t.Error("the sender's page offers the wrong actions")
		}
		partnerGet(t, w, w.HousingLead, page, http.StatusOK)
		for _, u := range []*world.User{w.CaritasWorker, w.DiakonieWorker, w.Sysadmin, w.DPO, w.Coordinator} {
			partnerGet(t, w, u, page, http.StatusNotFound)
		}
		partnerGet(t, w, w.JobcenterWorker, "/vermittlungen/"+uuid.NewString(), http.StatusNotFound)
		partnerGet(t, w, w.JobcenterWorker, "/vermittlungen/kein-id", http.StatusNotFound)
	})

	t.Run("decline needs a reason", func(t *testing.T) {
		r := partnerPost(t, w, w.JobcenterWorker, page+"/ablehnen", versionForm(1, "reason", "  "), http.StatusUnprocessableEntity)
		body := string(r.Body)
		for _, want := range []string{
			`id="grund-fehler"`, "Bitte geben Sie einen Grund für die Ablehnung an.", `aria-describedby="grund-hinweis grund-fehler"`,
			`aria-invalid="true"`, `href="#grund"`, `role="alert"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the failed form lacks %q", want)
			}
		}
		long := strings.Repeat("x", 4001)
		r = partnerPost(t, w, w.JobcenterWorker, page+"/ablehnen", versionForm(1, "reason", long), http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "höchstens 4000 Zeichen") || !strings.Contains(string(r.Body), ">"+long+"</textarea>") {
			t.Error("a too long reason is not named, or not kept")
		}
		if st, v := referralOf(t, w, id); st != model.ReferralSent || v != 1 {
			t.Errorf("the failed decline changed the referral: %s, version %d", st, v)
		}
	})

	t.Run("stale version", func(t *testing.T) {
		r := partnerPost(t, w, w.JobcenterWorker, page+"/annehmen", versionForm(7), http.StatusConflict)
		if !strings.Contains(string(r.Body), "Die Vermittlung wurde inzwischen geändert") || !strings.Contains(string(r.Body), "Vermittlung annehmen") {
			t.Error("the conflict is not explained with the current state")
		}
		if st, _ := referralOf(t, w, id); st != model.ReferralSent {
			t.Errorf("a stale accept changed the status to %s", st)
		}
	})

	t.Run("accept, share back, add a task, start, complete", func(t *testing.T) {
		r := partnerPost(t, w, w.JobcenterWorker, page+"/annehmen", versionForm(1), http.StatusSeeOther)
		locationOf(t, r, page)
		if st, _ := referralOf(t, w, id); st != model.ReferralAccepted {
			t.Fatalf("status %s after accepting", st)
		}

		// A note shared back for the referred area.
		r = partnerPost(t, w, w.JobcenterWorker, page+"/vermerke", url.Values{"area": {"work"}, "body": {""}}, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), `id="vermerk-fehler"`) {
			t.Error("an empty note is not refused next to its field")
		}
		r = partnerPost(t, w, w.JobcenterWorker, page+"/vermerke", url.Values{"area": {"work"}, "body": {"Termin beim Arbeitsvermittler am Montag"}}, http.StatusSeeOther)
		locationOf(t, r, page+"#vermerke")
		sender := partnerGet(t, w, w.HousingWorker, page, http.StatusOK)
		if !strings.Contains(sender, "Termin beim Arbeitsvermittler am Montag") || !strings.Contains(sender, "Jobcenter Stadt Osnabrück") {
			t.Error("the sender does not see the note shared back")
		}

		// A task linked to the referral: errors next to the fields, values kept; then made.
		r = partnerPost(t, w, w.JobcenterWorker, page+"/aufgaben", url.Values{"title": {""}, "due_date": {"2026-13-45"}, "priority": {"high"}}, http.StatusUnprocessableEntity)
		body := string(r.Body)
		for _, want := range []string{`id="aufgabe-titel-fehler"`, `id="aufgabe-frist-fehler"`, `value="2026-13-45"`, `<option value="high" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the failed task form lacks %q", want)
			}
		}
		due := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
		r = partnerPost(t, w, w.JobcenterWorker, page+"/aufgaben", url.Values{"title": {"Beratungstermin vereinbaren"}, "due_date": {due}, "priority": {"high"}}, http.StatusSeeOther)
		locationOf(t, r, page+"#aufgaben")
		body = partnerGet(t, w, w.JobcenterWorker, page, http.StatusOK)
		if !strings.Contains(body, "Beratungstermin vereinbaren") || !strings.Contains(body, "Hoch") {
			t.Error("the task is not listed on the referral page")
		}
		var org uuid.UUID
		var area *string
		if err := w.DB.SQL.QueryRow(`SELECT org_id, area FROM tasks WHERE referral_id = $1`, id).Scan(&org, &area); err != nil {
			t.Fatal(err)
		}
		if org != w.Jobcenter.ID || area == nil || *area != "work" {
			t.Errorf("task of %v for area %v, want the jobcenter's, for work", org, area)
		}

		r = partnerPost(t, w, w.JobcenterWorker, page+"/beginnen", versionForm(2), http.StatusSeeOther)
		locationOf(t, r, page)
		r = partnerPost(t, w, w.JobcenterWorker, page+"/abschliessen", versionForm(3, "outcome", ""), http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), `id="ergebnis-fehler"`) || !strings.Contains(string(r.Body), "Bitte geben Sie das Ergebnis an.") {
			t.Error("completing without an outcome is not refused next to the field")
		}
		if st, _ := referralOf(t, w, id); st != model.ReferralInProgress {
			t.Fatalf("status %s, want in progress", st)
		}
		r = partnerPost(t, w, w.JobcenterWorker, page+"/abschliessen", versionForm(3, "outcome", "Vermittelt in Sprachkurs B1"), http.StatusSeeOther)
		locationOf(t, r, "/eingang")
		if st, _ := referralOf(t, w, id); st != model.ReferralCompleted {
			t.Fatalf("status %s, want completed", st)
		}
		// The recipient's access ends; the sender sees the outcome and the history.
		partnerGet(t, w, w.JobcenterWorker, page, http.StatusNotFound)
		sender = partnerGet(t, w, w.HousingWorker, page, http.StatusOK)
		for _, want := range []string{"Vermittelt in Sprachkurs B1", "Abgeschlossen", "angenommen von Jobcenter Stadt Osnabrück"} {
			if !strings.Contains(sender, want) {
				t.Errorf("the sender's page lacks %q", want)
			}
		}
		if strings.Contains(sender, "/zurueckziehen") {
			t.Error("a completed referral can still be withdrawn")
		}
	})

	t.Run("decline with a reason", func(t *testing.T) {
		other := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
		p := "/vermittlungen/" + other.Referral.ID.String()
		r := partnerPost(t, w, w.JobcenterWorker, p+"/ablehnen", versionForm(1, "reason", "Keine freien Plätze bis März"), http.StatusSeeOther)
		locationOf(t, r, "/eingang")
		if st, _ := referralOf(t, w, other.Referral.ID); st != model.ReferralDeclined {
			t.Fatalf("status %s, want declined", st)
		}
		if !strings.Contains(partnerGet(t, w, w.HousingWorker, p, http.StatusOK), "Keine freien Plätze bis März") {
			t.Error("the sender does not see the reason")
		}
		// Answering again, with the page of before: not possible any more.
		partnerPost(t, w, w.JobcenterWorker, p+"/annehmen", versionForm(1), http.StatusConflict)
	})

	t.Run("withdraw after confirmation", func(t *testing.T) {
		other := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralAccepted})
		p := "/vermittlungen/" + other.Referral.ID.String()
		confirm := partnerGet(t, w, w.HousingWorker, p+"/zurueckziehen", http.StatusOK)
		for _, want := range []string{"Ja, Vermittlung zurückziehen", "Caritasverband Osnabrück kann danach über diese Vermittlung nicht mehr auf den Fall zugreifen", `name="version" value="2"`} {
			if !strings.Contains(confirm, want) {
				t.Errorf("the confirmation lacks %q", want)
			}
		}
		// Neither the recipient nor another partner may withdraw.
		partnerGet(t, w, w.CaritasWorker, p+"/zurueckziehen", http.StatusNotFound)
		partnerPost(t, w, w.CaritasWorker, p+"/zurueckziehen", versionForm(2), http.StatusNotFound)
		partnerPost(t, w, w.JobcenterWorker, p+"/annehmen", versionForm(2), http.StatusNotFound)
		if st, _ := referralOf(t, w, other.Referral.ID); st != model.ReferralAccepted {
			t.Fatalf("status %s after refused requests", st)
		}
		r := partnerPost(t, w, w.HousingWorker, p+"/zurueckziehen", versionForm(2), http.StatusSeeOther)
		locationOf(t, r, p)
		if st, _ := referralOf(t, w, other.Referral.ID); st != model.ReferralWithdrawn {
			t.Fatalf("status %s, want withdrawn", st)
		}
		partnerGet(t, w, w.CaritasWorker, p, http.StatusNotFound)
		if !strings.Contains(partnerGet(t, w, w.HousingWorker, p, http.StatusOK), "Zurückgezogen") {
			t.Error("the sender's page does not say withdrawn")
		}
	})
}

func TestPartnerOutbox(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	sent := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	declined := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralDeclined})
	foreign := w.CaseWorkFor(t, world.CaseSetup{Lead: w.MigrationWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})

	body := partnerGet(t, w, w.HousingWorker, "/vermittlungen", http.StatusOK)
	for _, want := range []string{sent.Referral.Reference, declined.Referral.Reference, "Keine Kapazität", "Jobcenter Stadt Osnabrück", "2 Vermittlungen"} {
		if !strings.Contains(body, want) {
			t.Errorf("the outbox lacks %q", want)
		}
	}
	if strings.Contains(body, foreign.Referral.Reference) {
		t.Error("the outbox shows another organisation's referral")
	}
	filtered := partnerGet(t, w, w.HousingWorker, "/vermittlungen?status=declined", http.StatusOK)
	if strings.Contains(filtered, sent.Referral.Reference) || !strings.Contains(filtered, declined.Referral.Reference) {
		t.Error("the status filter does not filter")
	}
	// Partners send no referrals, department heads neither.
	for _, u := range []*world.User{w.JobcenterWorker, w.HousingLead, w.Sysadmin} {
		partnerGet(t, w, u, "/vermittlungen", http.StatusForbidden)
	}
}
