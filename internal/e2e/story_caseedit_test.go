package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lotse-project/lotse/internal/model"
)

// migration is the caseworker of the migration service, a second municipal office that may
// lead cases (the receiving side of a lead handover).
const migration = "aylin.demir"

// caseEdit is the story of editing a case (issue 11, item 4): the housing caseworker edits
// the main person (a refused form first), adds a household member, looks at removing them,
// hands the case over to a colleague, then asks the migration service to take over the lead;
// the migration caseworker sees the handover without any person data, tries to decline
// without a reason, and accepts; the housing office no longer reaches the case. Each new page
// is checked with axe in German and English.
func caseEdit(t *testing.T, srv *server, cw, mig *session) {
	ctx := context.Background()
	housingActor := srv.actor(t, housing)
	system := model.Actor{System: true, Name: "e2e", Purpose: "browser test"}
	// A colleague in the housing office to hand the case to (the demo has one caseworker there).
	if _, err := srv.Svc.Directory.CreateMember(ctx, system, model.MemberCreate{
		Email: "jan.becker@osnabrueck.example", DisplayName: "Jan Becker", OrgID: housingActor.OrgID, Role: model.RoleCaseworker,
	}); err != nil {
		t.Fatalf("arrange a colleague: %v", err)
	}
	cv := srv.arrangeCase(t, housing, "Nasser", "Samira")
	c := "/faelle/" + cv.ID.String()
	primary := submitButton

	// Edit the main person from the case page.
	cw.open(t, c)
	if got := cw.submit(t, "open the person's form", chromedp.Click(chromedp.CSS(`main a[href="`+c+`/personen/`+cv.Persons[0].ID.String()+`"]`))); got != http.StatusOK {
		t.Fatalf("the person's form: %d", got)
	}
	cw.check(t, "person-bearbeiten")
	cw.do(t, "empty the family name", chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-family_name").value = ""`))
	if got := cw.submit(t, "save without a family name", chromedp.Click(primary)); got != http.StatusUnprocessableEntity {
		t.Errorf("a person without family name: %d, want 422", got)
	}
	if !cw.present(t, `#fehler a[href="#f-family_name"]`) || !cw.present(t, `#f-family_name[aria-invalid="true"]`) {
		t.Error("the refused person form shows no error summary linked to the family name")
	}
	cw.check(t, "person-bearbeiten-fehler")
	cw.do(t, "fill in the person",
		chromedp.SetValue(chromedp.CSS(`#f-family_name`), "Nasser-Ali"),
		chromedp.SetValue(chromedp.CSS(`#f-phone`), "0541 123456"),
	)
	if got := cw.submit(t, "save the person", chromedp.Click(primary)); got != http.StatusOK || pagePath(cw) != c {
		t.Fatalf("saving the person: %d at %s", got, cw.path())
	}
	if txt := cw.text(t); !strings.Contains(txt, "Nasser-Ali") || !strings.Contains(txt, "0541 123456") {
		t.Error("the case page does not show the changed person")
	}

	// Add a household member.
	if got := cw.submit(t, "open the new person's form", chromedp.Click(chromedp.CSS(`main a[href="`+c+`/personen/neu"]`))); got != http.StatusOK {
		t.Fatalf("the new person's form: %d", got)
	}
	cw.check(t, "person-neu")
	cw.do(t, "fill in the member",
		chromedp.SendKeys(chromedp.CSS(`#f-family_name`), "Nasser"),
		chromedp.SendKeys(chromedp.CSS(`#f-given_names`), "Yusuf"),
		chromedp.SetValue(chromedp.CSS(`#f-birth_date`), "2015-06-01"),
	)
	if got := cw.submit(t, "add the member", chromedp.Click(primary)); got != http.StatusOK || pagePath(cw) != c {
		t.Fatalf("adding the member: %d at %s", got, cw.path())
	}
	if !strings.Contains(cw.text(t), "Yusuf") {
		t.Error("the case page does not show the new member")
	}
	cw.screenshot(t, "fall-mit-haushalt")
	// The member's form offers removing them; the confirmation is kept.
	if got := cw.submit(t, "open the member's form", chromedp.Click(chromedp.CSS(`main a[href^="`+c+`/personen/"]:not([href$="`+cv.Persons[0].ID.String()+`"]):not([href$="/neu"])`))); got != http.StatusOK {
		t.Fatalf("the member's form: %d", got)
	}
	if got := cw.submit(t, "ask to remove the member", chromedp.Click(chromedp.CSS(`main a[href$="/entfernen"]`))); got != http.StatusOK {
		t.Fatalf("the removal: %d", got)
	}
	cw.check(t, "person-entfernen")
	memberForm := strings.TrimSuffix(cw.path(), "/entfernen")

	// Hand the case over to the colleague.
	cw.open(t, c)
	if got := cw.submit(t, "open the handover to a colleague", chromedp.Click(chromedp.CSS(`main a[href="`+c+`/zustaendigkeit"]`))); got != http.StatusOK {
		t.Fatalf("the responsibility form: %d", got)
	}
	cw.check(t, "zustaendigkeit")
	if got := cw.submit(t, "hand over without a choice", chromedp.Click(primary)); got != http.StatusUnprocessableEntity {
		t.Errorf("no colleague chosen: %d, want 422", got)
	}
	cw.check(t, "zustaendigkeit-fehler")
	cw.do(t, "choose the colleague", chromedp.SetValue(chromedp.CSS(`#f-responsible`), cw.valueOfOption(t, `#f-responsible`, "Jan Becker")))
	if got := cw.submit(t, "hand over", chromedp.Click(primary)); got != http.StatusOK || pagePath(cw) != c {
		t.Fatalf("handing over: %d at %s", got, cw.path())
	}
	if v, err := srv.Svc.Cases.Get(ctx, housingActor, cv.ID); err != nil || v.ResponsibleUserID == nil || *v.ResponsibleUserID == housingActor.UserID {
		t.Errorf("the responsible caseworker did not change: %v", err)
	}

	// The pages in English.
	cw.open(t, c+"?lang=en")
	for name, path := range map[string]string{
		"person-bearbeiten-en": memberForm, "person-neu-en": c + "/personen/neu", "person-entfernen-en": memberForm + "/entfernen",
		"zustaendigkeit-en": c + "/zustaendigkeit", "federfuehrung-en": c + "/federfuehrung",
	} {
		cw.visit(t, name, path, http.StatusOK)
		if lang := run(t, cw, "read the page language", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
			t.Errorf("%s is in %q", path, lang)
		}
	}
	cw.open(t, c+"?lang=de")

	// Ask the migration service to take over the lead.
	cw.open(t, c)
	if got := cw.submit(t, "open the lead handover", chromedp.Click(chromedp.CSS(`main a[href="`+c+`/federfuehrung"]`))); got != http.StatusOK {
		t.Fatalf("the lead handover form: %d", got)
	}
	cw.check(t, "federfuehrung")
	cw.do(t, "choose the migration service",
		chromedp.SetValue(chromedp.CSS(`#f-org`), cw.valueOfOption(t, `#f-org`, "Migration")),
		chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Zuständigkeit nach Aufenthaltsrecht"),
	)
	if got := cw.submit(t, "ask for the takeover", chromedp.Click(primary)); got != http.StatusOK {
		t.Fatalf("asking: %d at %s", got, cw.path())
	}
	if !strings.Contains(cw.text(t), "Anfrage zurückziehen") {
		t.Error("the pending handover offers no withdrawal")
	}
	cw.check(t, "federfuehrung-angefragt")

	// The migration service sees it without person data, declines without a reason, accepts.
	mig.visit(t, "uebergaben", "/uebergaben", http.StatusOK)
	if txt := mig.text(t); !strings.Contains(txt, cv.Reference) || strings.Contains(txt, "Nasser") || strings.Contains(txt, "Samira") {
		t.Errorf("the receiver's list shows %q", txt)
	}
	if got := mig.submit(t, "decline without a reason", chromedp.Click(chromedp.CSS(`main form[action$="/ablehnen"] button`))); got != http.StatusUnprocessableEntity {
		t.Errorf("a decline without reason: %d, want 422", got)
	}
	mig.check(t, "uebergaben-fehler")
	mig.visit(t, "uebergaben-en", "/uebergaben?lang=en", http.StatusOK)
	mig.open(t, "/uebergaben?lang=de")
	if got := mig.submit(t, "accept", chromedp.Click(chromedp.CSS(`main form[action$="/annehmen"] button`))); got != http.StatusOK || pagePath(mig) != c {
		t.Fatalf("accepting: %d at %s", got, mig.path())
	}
	if txt := mig.text(t); !strings.Contains(txt, "Nasser-Ali") || !strings.Contains(txt, "Yusuf") {
		t.Error("the new lead does not see the household")
	}
	mig.check(t, "fall-uebernommen")
	if got := cw.open(t, c); got != http.StatusNotFound {
		t.Errorf("the former lead still opens the case: %d", got)
	}
}

// valueOfOption is the value of the option of select whose label contains label.
func (s *session) valueOfOption(t *testing.T, sel, label string) string {
	t.Helper()
	v := run(t, s, "find the option "+label, chromedp.Evaluate[string](`(() => {
		const o = [...document.querySelectorAll(`+jsString(sel+" option")+`)].find(o => o.textContent.includes(`+jsString(label)+`));
		return o ? o.value : "";
	})()`))
	if v == "" {
		t.Fatalf("%s has no option %q", sel, label)
	}
	return v
}

// submitButton is the first primary submit button of the page's main form.
var submitButton = chromedp.CSS(`main form button.kern-btn--primary[type="submit"]`)

// pagePath is the tab's path without query and fragment.
func pagePath(s *session) string {
	p := s.path()
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p
}
