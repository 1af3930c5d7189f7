package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// The head's review and the contact persons (issue 11, items 5 and 6), in the browser: the
// department head of Fachbereich Wohnen names who handles a referral the Migration service
// sent to the department, and sees the confirmation in the list where the change was made;
// the job center's caseworker sees who sent a referral, with the sending organisation's
// contact data. Axe runs on every new state, in German and in English.

// reviewStory runs both: the head's reassignment and the partner's contact person.
func reviewStory(t *testing.T, srv *server, ss map[string]*session) {
	t.Run("head-reassigns-a-referral", func(t *testing.T) { headReassignsReferral(t, srv, ss[head]) })
	t.Run("partner-sees-the-senders-contact", func(t *testing.T) { partnerSeesContact(t, srv, ss[jobcenter]) })
}

// arrangeReferral opens a case as from (led by its organisation), records a consent for the
// organisation of to on area and sends a referral there, through the services.
func (s *server) arrangeReferral(t *testing.T, from, to, family, given, area string) *model.Referral {
	t.Helper()
	ctx := context.Background()
	a := s.actor(t, from)
	c := s.arrangeCase(t, from, family, given)
	toOrg := s.actor(t, to).OrgID
	y, m, d := time.Now().In(model.Berlin).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	cons, err := s.Svc.Consents.Create(ctx, a, c.ID, model.ConsentCreate{
		Recipients: []uuid.UUID{toOrg}, Areas: []string{area}, DataCategories: []model.DataCategory{model.CategoryIdentity},
		Purpose: "Vermittlung", ValidFrom: today, ValidUntil: today.AddDate(1, 0, 0), Evidence: "Akte 12, Blatt 4", Language: "uk",
	})
	if err != nil {
		t.Fatalf("arrange a consent as %s: %v", from, err)
	}
	ref, err := s.Svc.Referrals.Create(ctx, a, c.ID, model.ReferralCreate{ToOrgID: toOrg, Areas: []string{area}, ConsentID: &cons.ID, Message: "Bitte um Rückmeldung."})
	if err != nil {
		t.Fatalf("arrange a referral from %s to %s: %v", from, to, err)
	}
	return ref
}

// headReassignsReferral: the head opens the page "Bearbeitung zuweisen" of an incoming
// referral from its row and names Lena Schröder to handle it; the confirmation shows in the
// referral list, and the row names her.
func headReassignsReferral(t *testing.T, srv *server, s *session) {
	ref := srv.arrangeReferral(t, "aylin.demir", housing, "Bondarenko", "Iryna", "housing")
	s.visit(t, "team-vermittlungen", "/team", http.StatusOK)
	row := `#vermittlung-` + ref.ID.String()
	if !s.present(t, row) {
		t.Fatalf("the team page does not list the incoming referral %s", ref.Reference)
	}
	if txt := s.textOf(t, row); !strings.Contains(txt, "Bondarenko") || !strings.Contains(txt, "nicht zugewiesen") {
		t.Errorf("the referral's row: %q", strings.Join(strings.Fields(txt), " "))
	}
	if s.present(t, row+` select`) {
		t.Error("the referral's row carries the choice of who handles it; it belongs on its own page")
	}
	link := row + ` a[href="/team/vermittlungen/` + ref.ID.String() + `/neu-zuweisen"]`
	if got := s.submit(t, "open the page that assigns the handling", chromedp.Click(chromedp.CSS(link))); got != http.StatusOK {
		t.Fatalf("the reassignment page: %d at %s", got, s.path())
	}
	if main := s.textOf(t, "main"); !strings.Contains(main, ref.Reference) || !strings.Contains(main, "Bondarenko") {
		t.Errorf("the reassignment page does not show the referral: %q", strings.Join(strings.Fields(main), " "))
	}
	s.check(t, "team-vermittlung-zuweisen")
	lena := run(t, s, "find Lena Schröder among who may handle it", chromedp.Evaluate[string](`(() => {
		for (const o of document.querySelectorAll('main select[name="assignee"] option')) {
			if (o.textContent.includes('Lena Schröder')) return o.value;
		}
		return '';
	})()`))
	if lena == "" {
		t.Fatal("the form offers no Lena Schröder")
	}
	s.do(t, "choose who handles it", chromedp.SetValue(chromedp.CSS(`main select[name="assignee"]`), lena))
	if got := s.submit(t, "reassign the referral", chromedp.Click(chromedp.CSS(`main form[action$="/neu-zuweisen"] button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("reassigning: %d at %s", got, s.path())
	}
	if !strings.HasSuffix(s.path(), "#vermittlungen-liste") {
		t.Errorf("after reassigning the page is %s, want the referral list", s.path())
	}
	if !s.present(t, `section[aria-labelledby="vermittlungen-liste"] #bestaetigung`) {
		t.Error("the confirmation is not in the referral list")
	}
	holder := run(t, s, "read who handles it", chromedp.Evaluate[string](`(() => {
		const r = document.querySelector(`+jsString(row)+`);
		return r ? r.textContent : '';
	})()`))
	if !strings.Contains(holder, "Lena Schröder") {
		t.Errorf("after reassigning, the row says %q", strings.Join(strings.Fields(holder), " "))
	}
	s.check(t, "team-vermittlung-neu-zugewiesen")
	s.visit(t, "team-vermittlungen-en", "/team?lang=en", http.StatusOK)
	if !strings.Contains(s.text(t), "Open referrals of the team") {
		t.Error("the English team page lacks the referral list")
	}
	s.open(t, "/team?lang=de")
}

// partnerSeesContact: the job center's caseworker opens a referral from Fachbereich Wohnen
// and sees Lena Schröder as the sending side's contact person, with the department's
// contact data; in English too.
func partnerSeesContact(t *testing.T, srv *server, s *session) {
	ref := srv.arrangeReferral(t, housing, jobcenter, "Melnyk", "Oksana", "work")
	s.visit(t, "vermittlung-ansprechperson", "/vermittlungen/"+ref.ID.String(), http.StatusOK)
	box := s.textOf(t, `#ansprechperson-sender`)
	for _, want := range []string{"Lena Schröder", "Fachdienst Wohnen", "wohnen@osnabrueck.example"} {
		if !strings.Contains(box, want) {
			t.Errorf("the sender's contact box lacks %q: %q", want, strings.Join(strings.Fields(box), " "))
		}
	}
	if strings.Contains(box, "lena.schroeder@") {
		t.Error("the contact box shows the sign-in e-mail")
	}
	s.visit(t, "vermittlung-ansprechperson-en", "/vermittlungen/"+ref.ID.String()+"?lang=en", http.StatusOK)
	if !strings.Contains(s.text(t), "Contact person of the sending organisation") {
		t.Error("the English referral page lacks the contact box")
	}
	s.open(t, "/?lang=de")
}
