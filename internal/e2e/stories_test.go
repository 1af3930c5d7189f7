package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// The stories of the issue, played through the UI by the demo accounts:
//
//   - the housing caseworker opens a case, records a consent for the job center (work;
//     identity and languages) and refers the case there, the refer form by keyboard alone,
//     after the form refused a referral without cover;
//   - the job center's caseworker finds it in the inbox, accepts it and shares a note back;
//   - the housing caseworker sees the new status and the note;
//   - the housing department head sees an overdue task on the team dashboard and reassigns it;
//   - the partner (Caritas) never sees an unrelated case, not in any list and not by its URL.

const (
	housing   = "lena.schroeder"  // caseworker, Fachdienst Wohnen
	head      = "markus.hoffmann" // department head, Fachdienst Wohnen
	jobcenter = "jonas.wagner"    // caseworker, Jobcenter
	caritas   = "maria.kowalski"  // caseworker, Caritas (a partner)
)

// story is what the steps hand on to each other.
type story struct {
	caseID, caseRef string // the case the housing caseworker opens
	referralRef     string // its referral to the job center
	note            string // the note the job center shares back
}

var (
	uuidIn        = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	referralRefIn = regexp.MustCompile(`\bV-\d{4}-\d{5}\b`)
)

// stories runs the stories in order; a step that fails stops the ones that need it.
func stories(t *testing.T, srv *server, ss map[string]*session) {
	var st story
	ok := t.Run("open-case", func(t *testing.T) { openCase(t, ss[housing], &st) }) &&
		t.Run("record-consent", func(t *testing.T) { recordConsent(t, ss[housing], &st) }) &&
		t.Run("refer-by-keyboard", func(t *testing.T) { referByKeyboard(t, ss[housing], &st) }) &&
		t.Run("partner-accepts-and-shares-a-note", func(t *testing.T) { partnerAccepts(t, ss[jobcenter], &st) })
	if ok {
		t.Run("sender-sees-status-and-note", func(t *testing.T) { senderSees(t, ss[housing], &st) })
	}
	unrelated := srv.arrangeCase(t, housing, "Petrenko", "Vasyl")
	t.Run("head-reassigns-an-overdue-task", func(t *testing.T) {
		reassignOverdue(t, srv, ss[head], ss[housing], unrelated.ID)
	})
	t.Run("start-page", func(t *testing.T) { startPage(t, srv, ss) })
	t.Run("case-edit-and-handover", func(t *testing.T) { caseEdit(t, srv, ss[housing], ss[migration]) })
	t.Run("head-reassigns-a-referral-partner-sees-the-contact", func(t *testing.T) { reviewStory(t, srv, ss) })
	t.Run("tasks-from-the-case", func(t *testing.T) { tasksFromTheCase(t, srv, ss[housing]) })
	t.Run("access-ends-with-the-consent", func(t *testing.T) { accessEnded(t, srv, ss[housing], ss[caritas]) })
	t.Run("lists-sort-page-and-download", func(t *testing.T) { listsAndDownloads(t, srv, ss[housing], ss[jobcenter]) })
	t.Run("notifications", func(t *testing.T) { notificationsStory(t, srv, ss[housing]) })
	t.Run("follow-up-reaches-the-bell", func(t *testing.T) { followUpReachesTheBell(t, srv, ss[housing]) })
	t.Run("officer-pages", func(t *testing.T) { officerPages(t, srv, ss[officer]) })
	t.Run("emergency-access", func(t *testing.T) { emergencyAccess(t, srv, ss[migration]) })
	t.Run("partner-never-sees-an-unrelated-case", func(t *testing.T) {
		for _, subj := range []string{caritas, jobcenter} {
			neverSees(t, ss[subj], unrelated.ID.String(), unrelated.Reference, "Petrenko")
		}
		if st.caseID != "" { // referred to the job center only
			neverSees(t, ss[caritas], st.caseID, st.caseRef, "Hrytsenko")
		}
	})
}

// openCase: the new-case form refuses an empty name with the message next to the field, then
// opens the case.
func openCase(t *testing.T, s *session, st *story) {
	s.visit(t, "faelle-neu", "/faelle/neu", http.StatusOK)
	submit := chromedp.CSS(`main form button.kern-btn--primary[type="submit"]`)
	if got := s.submit(t, "send the empty form", chromedp.Click(submit)); got != http.StatusUnprocessableEntity && got != http.StatusBadRequest {
		t.Errorf("an empty new case: %d, want 422", got)
	}
	if !s.present(t, `#fehler a[href="#f-family_name"]`) || !s.present(t, `#f-family_name[aria-invalid="true"][aria-describedby~="f-family_name-error"]`) {
		t.Errorf("the refused form shows no error summary linked to the family name, or the field does not point to its message")
	}
	s.check(t, "faelle-neu-fehler")

	s.do(t, "fill in the new case",
		chromedp.SendKeys(chromedp.CSS(`#f-family_name`), "Hrytsenko"),
		chromedp.SendKeys(chromedp.CSS(`#f-given_names`), "Daryna"),
		chromedp.SetValue(chromedp.CSS(`#f-birth_date`), "1990-03-14"),
		chromedp.Click(chromedp.CSS(`input[name="languages"][value="uk"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-district`), "Schinkel"),
	)
	if got := s.submit(t, "open the case", chromedp.Click(submit)); got != http.StatusOK {
		t.Fatalf("opening the case ended with %d at %s", got, s.path())
	}
	path := s.path()
	if !strings.HasPrefix(path, "/faelle/") || uuidIn.FindString(path) == "" {
		t.Fatalf("opening the case ended at %s, want the case page", path)
	}
	st.caseID = uuidIn.FindString(path)
	st.caseRef = s.textOf(t, `main h1`)
	if !strings.Contains(s.text(t), "Hrytsenko") {
		t.Errorf("the new case page does not show the person")
	}
	s.check(t, "fall-neu-angelegt")
}

// recordConsent: a consent for the job center, area work, identity and languages.
func recordConsent(t *testing.T, s *session, st *story) {
	s.open(t, "/faelle/"+st.caseID)
	if got := s.submit(t, "open the consent form", chromedp.Click(chromedp.CSS(`main a[href$="/einwilligungen/neu"]`))); got != http.StatusOK {
		t.Fatalf("the consent form: %d", got)
	}
	s.check(t, "einwilligung-neu")
	jc := s.checkboxLabelled(t, "recipients", "Jobcenter")
	s.do(t, "fill in the consent",
		chromedp.Click(chromedp.ID(jc)),
		chromedp.Click(chromedp.CSS(`input[name="areas"][value="work"]`)),
		chromedp.Click(chromedp.CSS(`input[name="categories"][value="languages"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-purpose`), "Vermittlung in Sprachkurs und Arbeit durch das Jobcenter"),
		chromedp.SendKeys(chromedp.CSS(`#f-evidence`), "Unterschriebener Vordruck vom Erstgespräch"),
		chromedp.SetValue(chromedp.CSS(`#f-language`), "uk"),
	)
	if !s.present(t, `input[name="categories"][value="identity"]:checked`) {
		t.Error("the consent form does not start with identity chosen")
	}
	if got := s.submit(t, "save the consent", chromedp.Click(chromedp.CSS(`main form button.kern-btn--primary[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("saving the consent: %d at %s", got, s.path())
	}
	if !strings.HasPrefix(s.path(), "/faelle/"+st.caseID) {
		t.Fatalf("saving the consent ended at %s", s.path())
	}
	if txt := s.textOf(t, `#einwilligungen-bereich`); !strings.Contains(txt, "Jobcenter") {
		t.Errorf("the case's consents do not list the job center: %q", txt)
	}
}

// referByKeyboard: the refer form, reached and filled with Tab, arrow keys, Space and Enter
// only. First it refuses Caritas, which no consent covers; then it sends to the job center.
func referByKeyboard(t *testing.T, s *session, st *story) {
	// Refused without cover.
	s.open(t, "/faelle/"+st.caseID+"/vermitteln")
	s.check(t, "vermitteln")
	s.tabTo(t, `#f-org`, 40)
	s.chooseByArrows(t, `#f-org`, "Caritas")
	s.tabTo(t, `input[name="areas"][value="work"]`, 10)
	s.do(t, "tick work", key(" "))
	s.waitFor(t, `#deckung .kern-alert--warning`)
	s.tabTo(t, `main form button.kern-btn--primary[type="submit"]`, 15)
	if got := s.submit(t, "send without cover", key(kb.Enter)); got != http.StatusUnprocessableEntity && got != http.StatusBadRequest {
		t.Errorf("a referral without cover: %d, want 422", got)
	}
	if !s.present(t, `#fehler`) {
		t.Error("the refused referral shows no error summary")
	}
	s.check(t, "vermitteln-ohne-deckung")

	// From the case page, by keyboard, to the job center.
	s.open(t, "/faelle/"+st.caseID)
	s.tabTo(t, `main a[href$="/vermitteln"]`, 40)
	if got := s.submit(t, "open the refer form", key(kb.Enter)); got != http.StatusOK {
		t.Fatalf("the refer form: %d", got)
	}
	s.tabTo(t, `#f-org`, 40)
	s.chooseByArrows(t, `#f-org`, "Jobcenter")
	s.tabTo(t, `input[name="areas"][value="work"]`, 10)
	s.do(t, "tick work", key(" "))
	s.waitFor(t, `#deckung input[name="consent_id"]:checked`)
	s.check(t, "vermitteln-gedeckt")
	s.tabTo(t, `#f-message`, 15)
	s.do(t, "write a message", chromedp.KeyEvent("Bitte um Beratung zu Arbeit und Sprachkurs."))
	s.tabTo(t, `main form button.kern-btn--primary[type="submit"]`, 10)
	if got := s.submit(t, "send the referral", key(kb.Enter)); got != http.StatusOK {
		t.Fatalf("sending the referral: %d at %s", got, s.path())
	}
	if !strings.HasPrefix(s.path(), "/faelle/"+st.caseID) {
		t.Fatalf("sending the referral ended at %s", s.path())
	}
	flash := s.textOf(t, `.lotse-flash`)
	st.referralRef = referralRefIn.FindString(flash)
	if st.referralRef == "" {
		t.Fatalf("the confirmation names no referral: %q", flash)
	}
	s.check(t, "fall-vermittelt")
}

// partnerAccepts: the job center finds the referral in its inbox, accepts it and shares a
// note for work back.
func partnerAccepts(t *testing.T, s *session, st *story) {
	s.visit(t, "eingang", "/eingang", http.StatusOK)
	link := s.linkWithText(t, st.referralRef)
	if got := s.submit(t, "open the referral", chromedp.Click(chromedp.CSS(`main a[href="`+link+`"]`))); got != http.StatusOK {
		t.Fatalf("the referral page: %d", got)
	}
	s.check(t, "vermittlung-neu")
	// A decline without a reason is refused by the application (not the browser's bubble):
	// its error summary names the field, the field says why, and the referral is still new.
	if got := s.submit(t, "decline without a reason", chromedp.Click(chromedp.CSS(`form[action$="/ablehnen"] button[type="submit"]`))); got != http.StatusUnprocessableEntity && got != http.StatusOK {
		t.Fatalf("declining without a reason: %d at %s", got, s.path())
	}
	if !s.present(t, `#fehlerliste a[href="#grund"]`) || !s.present(t, `#grund[aria-invalid="true"]`) {
		t.Errorf("a decline without a reason shows no error summary linked to the reason field")
	}
	if !s.present(t, `form[action$="/annehmen"]`) {
		t.Errorf("after the refused decline, the referral is no longer new")
	}
	s.check(t, "vermittlung-ablehnen-ohne-grund")
	if got := s.submit(t, "accept", chromedp.Click(chromedp.CSS(`form[action$="/annehmen"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("accepting: %d at %s", got, s.path())
	}
	if s.present(t, `form[action$="/annehmen"]`) || !s.present(t, `form[action$="/beginnen"]`) {
		t.Errorf("after accepting, the referral page does not offer the next step")
	}
	st.note = "Erstgespräch am Montag geführt; Anmeldung zum Sprachkurs B1 läuft."
	s.do(t, "write the note", chromedp.SendKeys(chromedp.CSS(`#vermerk`), st.note))
	if area := run(t, s, "read the note's area", chromedp.Evaluate[string](
		`(document.querySelector('form[action$="/vermerke"] [name="area"]') || {}).value || ''`)); area != "work" {
		t.Errorf("the note goes to area %q, want work", area)
	}
	if got := s.submit(t, "share the note", chromedp.Click(chromedp.CSS(`form[action$="/vermerke"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("sharing the note: %d at %s", got, s.path())
	}
	if !strings.Contains(s.text(t), st.note) {
		t.Error("the shared note is not on the referral page")
	}
	s.check(t, "vermittlung-angenommen")
}

// senderSees: the housing caseworker sees the accepted referral and the note on the case and
// on the referral's page.
func senderSees(t *testing.T, s *session, st *story) {
	s.visit(t, "fall", "/faelle/"+st.caseID, http.StatusOK)
	txt := s.text(t)
	if !strings.Contains(txt, st.note) {
		t.Error("the case page does not show the note the job center shared")
	}
	status := run(t, s, "read the referral's status", chromedp.Evaluate[string](`(() => {
		for (const h of document.querySelectorAll('main h3')) {
			if (h.textContent.includes(`+jsString(st.referralRef)+`)) {
				const b = h.parentElement.querySelector('.kern-badge');
				return b ? b.textContent.trim() : '';
			}
		}
		return '';
	})()`))
	if status != "Angenommen" {
		t.Errorf("the case page shows the referral %s as %q, want Angenommen", st.referralRef, status)
	}
	s.zoomed(t, "fall")
	s.confirmPages(t)

	s.visit(t, "vermittlungen", "/vermittlungen", http.StatusOK)
	link := s.linkWithText(t, st.referralRef)
	s.visit(t, "vermittlung", link, http.StatusOK)
	if !strings.Contains(s.text(t), st.note) || s.present(t, `form[action$="/annehmen"]`) {
		t.Error("the sender's referral page does not show the note, or offers to accept")
	}
	s.confirmPages(t)
}

// reassignOverdue: a task of the housing caseworker, due six days ago, shows on the head's
// dashboard as overdue; the head follows its link "Neu zuweisen" to the task's page, gives
// it to himself there, and it leaves the caseworker's tasks.
func reassignOverdue(t *testing.T, srv *server, s, from *session, caseID uuid.UUID) {
	title := "Wohnungsangebot der Familie Petrenko nachfassen"
	task := srv.arrangeOverdueTask(t, housing, title, 6, &caseID)
	from.visit(t, "aufgaben", "/aufgaben", http.StatusOK)
	if !strings.Contains(from.text(t), title) {
		t.Errorf("the caseworker's tasks do not show the overdue task")
	}

	s.visit(t, "team", "/team", http.StatusOK)
	row := `#aufgabe-` + task.ID.String()
	if !s.present(t, row) {
		// The dashboard lists the 50 most urgent; the filter finds the rest.
		s.do(t, "filter overdue", chromedp.Click(chromedp.CSS(`#filter-ueberfaellig`)))
		s.submit(t, "apply the filter", chromedp.Click(chromedp.CSS(`form.lotse-filter button[type="submit"]`)))
		if !s.present(t, row) {
			t.Fatalf("the team dashboard does not list the overdue task")
		}
	}
	if !s.present(t, row+` [class*="flag--danger"]`) {
		t.Errorf("the team dashboard does not mark the task as overdue: %s",
			s.htmlOf(t, row))
	}
	// The row links to the task's own reassignment page (the dashboard carries no choice
	// of the whole team per row); the link is named for the task.
	link := row + ` a[href*="/neu-zuweisen"]`
	if label := run(t, s, "read the reassignment link's name", chromedp.Evaluate[string](`(() => {
		const a = document.querySelector(`+jsString(link)+`);
		return a ? a.getAttribute('aria-label') : '';
	})()`)); !strings.Contains(label, title) {
		t.Errorf("the reassignment link is named %q, want the task's title", label)
	}
	if s.present(t, `.lotse-pl-task select`) {
		t.Error("the team dashboard still carries a choice of targets in the task list")
	}
	if got := s.submit(t, "open the reassignment page", chromedp.Click(chromedp.CSS(link))); got != http.StatusOK {
		t.Fatalf("the reassignment page: %d at %s", got, s.path())
	}
	if want := "/team/aufgaben/" + task.ID.String() + "/neu-zuweisen"; !strings.HasPrefix(s.path(), want) {
		t.Fatalf("the link led to %s, want %s", s.path(), want)
	}
	if !strings.Contains(s.textOf(t, "main"), title) || !strings.Contains(s.textOf(t, "main"), "Lena Schröder") {
		t.Errorf("the reassignment page does not show the task and who has it: %s", s.textOf(t, "main"))
	}
	s.check(t, "team-neu-zuweisen")
	target := run(t, s, "find the head among the targets", chromedp.Evaluate[string](`(() => {
		for (const o of document.querySelectorAll('main select[name="target"] option')) {
			if (o.textContent.includes('Markus Hoffmann')) return o.value;
		}
		return '';
	})()`))
	if target == "" {
		t.Fatal("the reassignment offers no Markus Hoffmann")
	}
	s.do(t, "choose the new assignee", chromedp.SetValue(chromedp.CSS(`main select[name="target"]`), target))
	if got := s.submit(t, "reassign", chromedp.Click(chromedp.CSS(`main form[action$="/neu-zuweisen"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("reassigning: %d at %s", got, s.path())
	}
	if !strings.HasPrefix(s.path(), "/team") || strings.Contains(s.path(), "/neu-zuweisen") {
		t.Errorf("after reassigning the head is at %s, want the team dashboard", s.path())
	}
	if !s.present(t, `.lotse-flash`) {
		t.Error("no confirmation after reassigning")
	}
	// The row says who has the task now.
	holder := run(t, s, "read who has the task", chromedp.Evaluate[string](`(() => {
		const r = document.querySelector(`+jsString(row)+`);
		return r ? r.textContent : '';
	})()`))
	if holder != "" && (!strings.Contains(holder, "Markus Hoffmann") || strings.Contains(holder, "Lena Schröder")) {
		t.Errorf("after reassigning, the task's row says %q, want Markus Hoffmann", strings.Join(strings.Fields(holder), " "))
	}
	s.check(t, "team-neu-zugewiesen")

	from.open(t, "/aufgaben")
	if strings.Contains(from.text(t), title) {
		t.Error("the reassigned task is still among the caseworker's tasks")
	}
}

// neverSees: the case is in no list of the partner, not found by its name, and its URL gives
// the 404 page.
func neverSees(t *testing.T, s *session, id, ref, name string) {
	for _, path := range []string{"/faelle", "/faelle?q=" + name, "/eingang", "/aufgaben", "/"} {
		if got := s.open(t, path); got != http.StatusOK {
			t.Errorf("%s: %s = %d", s.role, path, got)
			continue
		}
		if txt := s.text(t); strings.Contains(txt, ref) || strings.Contains(txt, name) {
			t.Errorf("%s: %s shows the unrelated case %s (%s)", s.role, path, ref, name)
		}
		if s.present(t, `a[href*="`+id+`"]`) {
			t.Errorf("%s: %s links to the unrelated case", s.role, path)
		}
	}
	if got := s.open(t, "/faelle/"+id); got != http.StatusNotFound {
		t.Errorf("%s: typing the URL of the unrelated case gave %d, want 404", s.role, got)
	}
	if txt := s.text(t); strings.Contains(txt, ref) || strings.Contains(txt, name) {
		t.Errorf("%s: the 404 page tells about the case", s.role)
	}
	s.check(t, "fremder-fall-404")
	for _, path := range []string{"/faelle/" + id + "/vermitteln", "/faelle/" + id + "/einwilligungen/neu"} {
		if got := s.open(t, path); got != http.StatusNotFound {
			t.Errorf("%s: %s = %d, want 404", s.role, path, got)
		}
	}
}

// textOf is the text of the first element matching the CSS selector ("" when there is none).
// Reading goes through the page's own DOM, which never waits.
func (s *session) textOf(t *testing.T, selector string) string {
	t.Helper()
	return run(t, s, "read "+selector, chromedp.Evaluate[string](
		`(() => { const el = document.querySelector(`+jsString(selector)+`); return el ? el.innerText.trim() : ''; })()`))
}

// htmlOf is the markup of the first element matching the CSS selector, for messages.
func (s *session) htmlOf(t *testing.T, selector string) string {
	t.Helper()
	return run(t, s, "read "+selector, chromedp.Evaluate[string](
		`(() => { const el = document.querySelector(`+jsString(selector)+`); return el ? el.outerHTML : ''; })()`))
}

// present reports whether the page has an element matching the CSS selector.
func (s *session) present(t *testing.T, selector string) bool {
	t.Helper()
	return run(t, s, "look for "+selector, chromedp.Evaluate[bool](`!!document.querySelector(`+jsString(selector)+`)`))
}

// waitFor waits until an element matching the selector is in the page (e.g. after htmx).
func (s *session) waitFor(t *testing.T, selector string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !s.present(t, selector) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s did not appear on %s", s.role, selector, s.path())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// chooseByArrows presses the down arrow on the focused select until the chosen option's label
// contains label.
func (s *session) chooseByArrows(t *testing.T, selector, label string) {
	t.Helper()
	read := chromedp.Evaluate[string](`(() => { const s = document.querySelector(` + jsString(selector) + `); return s.options[s.selectedIndex].textContent; })()`)
	for range 40 {
		if strings.Contains(run(t, s, "read the choice", read), label) {
			return
		}
		s.do(t, "press the down arrow", key(kb.ArrowDown))
	}
	t.Fatalf("%s: %s offers no %q by the arrow keys (at %q)", s.role, selector, label, run(t, s, "read the choice", read))
}

// checkboxLabelled is the id of the checkbox named name whose label contains text.
func (s *session) checkboxLabelled(t *testing.T, name, text string) string {
	t.Helper()
	id := run(t, s, "find the checkbox "+text, chromedp.Evaluate[string](`(() => {
		for (const i of document.querySelectorAll('input[name=`+jsString(name)+`]')) {
			const l = document.querySelector('label[for="' + i.id + '"]');
			if (l && l.textContent.includes(`+jsString(text)+`)) return i.id;
		}
		return '';
	})()`))
	if id == "" {
		t.Fatalf("%s: no checkbox %s labelled %q on %s", s.role, name, text, s.path())
	}
	return id
}

// linkWithText is the href of the main region's link whose text is text.
func (s *session) linkWithText(t *testing.T, text string) string {
	t.Helper()
	href := run(t, s, "find the link "+text, chromedp.Evaluate[string](`(() => {
		for (const a of document.querySelectorAll('main a')) {
			if (a.textContent.trim() === `+jsString(text)+`) return a.getAttribute('href');
		}
		return '';
	})()`))
	if href == "" {
		t.Fatalf("%s: no link %q on %s", s.role, text, s.path())
	}
	return href
}

// accessEnded: in the demo, Caritas had started work on a referral whose consent the housing
// office then revoked. The housing office's case page shows Caritas's task ended with
// "Zugang beendet"; Caritas finds neither the case nor the task any more.
func accessEnded(t *testing.T, srv *server, lead, partner *session) {
	page, err := srv.Svc.Tasks.List(context.Background(), srv.actor(t, housing), model.TaskFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ended *model.Task
	for i, tk := range page.Items {
		if tk.StatusReason == model.TaskReasonAccessEnded && tk.CaseID != nil {
			ended = &page.Items[i]
			break
		}
	}
	if ended == nil {
		t.Fatal("the demo has no task that ended with its access")
	}
	casePath := "/faelle/" + ended.CaseID.String()
	lead.visit(t, "fall-zugang-beendet", casePath, http.StatusOK)
	if text := lead.text(t); !strings.Contains(text, ended.Title) || !strings.Contains(text, "Zugang beendet") {
		t.Errorf("the lead's case page does not show %q as ended with its access", ended.Title)
	}
	partner.visit(t, "fall-zugang-beendet-404", casePath, http.StatusNotFound)
	partner.visit(t, "aufgaben-nach-widerruf", "/aufgaben", http.StatusOK)
	if strings.Contains(partner.text(t), ended.Title) {
		t.Errorf("Caritas still lists %q after the consent was revoked", ended.Title)
	}
}
