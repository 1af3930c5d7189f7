package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The head's review and the contact persons (pages_lead.go, pages_partner.go, review.templ)
// through the whole stack: the team's referral list, the page that reassigns who answers an
// incoming referral with its refusals and the confirmation in the section, and the box of
// contact persons on the referral page for both sides.

func reviewSession(t *testing.T, r *world.Response) string {
	t.Helper()
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "lotse_session" {
			return ck.Name + "=" + ck.Value
		}
	}
	t.Fatal("no session cookie for the flash")
	return ""
}

func TestReviewReferrals(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	if err := w.DB.Gorm.Exec(`UPDATE users SET business_phone = '0221 555-12', business_email = 'wiebke.wohnen@stadt.test' WHERE id = ?`, w.HousingWorker.ID).Error; err != nil {
		t.Fatal(err)
	}
	out := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	in := w.CaseWorkFor(t, world.CaseSetup{Lead: w.MigrationWorker, Partner: w.HousingWorker, Status: model.ReferralAccepted})
	foreign := w.CaseWorkFor(t, world.CaseSetup{Lead: w.MigrationWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})

	t.Run("the partner sees the sender's contact person", func(t *testing.T) {
		body := partnerGet(t, w, w.JobcenterWorker, "/vermittlungen/"+out.Referral.ID.String(), http.StatusOK)
		box := sectionOf(t, body, "ansprechpersonen")
		for _, want := range []string{"Ansprechperson der sendenden Stelle", "Wiebke Wohnen", "Fachbereich Wohnen", "0221 555-12", `href="mailto:wiebke.wohnen@stadt.test"`, "noch niemand benannt"} {
			if !strings.Contains(box, want) {
				t.Errorf("the contact box lacks %q: %.1500s", want, box)
			}
		}
		var login string
		if err := w.DB.SQL.QueryRow(`SELECT email FROM users WHERE id = $1`, w.HousingWorker.ID).Scan(&login); err != nil {
			t.Fatal(err)
		}
		if login != "" && strings.Contains(box, login) {
			t.Errorf("the contact box shows the sign-in e-mail %s", login)
		}
	})

	t.Run("the team's referrals", func(t *testing.T) {
		body := partnerGet(t, w, w.HousingLead, "/team", http.StatusOK)
		list := sectionOf(t, body, "vermittlungen-liste")
		for _, want := range []string{
			"Offene Vermittlungen des Teams", out.Referral.Reference, in.Referral.Reference, "Erhalten", "Gesendet",
			model.PersonName(out.Person.FamilyName, out.Person.GivenNames), "Mira Migration",
			`href="/team/vermittlungen/` + in.Referral.ID.String() + `/neu-zuweisen"`,
			`href="/faelle/` + out.Case.ID.String() + `/zustaendigkeit"`,
		} {
			if !strings.Contains(list, want) {
				t.Errorf("the team's referral list lacks %q", want)
			}
		}
		if strings.Contains(list, foreign.Referral.Reference) {
			t.Error("the list shows a referral outside the team")
		}
		if strings.Contains(list, `/team/vermittlungen/`+out.Referral.ID.String()) {
			t.Error("an outgoing referral has a link to reassign it")
		}
		// Whom to choose from is on the referral's own page, not once per row here.
		if strings.Contains(list, "<select") || strings.Contains(list, "Willi Wohnen") {
			t.Error("the list carries the choice of who answers")
		}
	})

	t.Run("the reassignment page", func(t *testing.T) {
		page := partnerGet(t, w, w.HousingLead, "/team/vermittlungen/"+in.Referral.ID.String()+"/neu-zuweisen", http.StatusOK)
		for _, want := range []string{
			"Bearbeitung zuweisen", in.Referral.Reference, "Mira Migration", model.PersonName(in.Person.FamilyName, in.Person.GivenNames),
			`action="/team/vermittlungen/` + in.Referral.ID.String() + `/neu-zuweisen"`,
			`<option value="` + w.HousingWorker2.ID.String() + `"`, "Willi Wohnen",
			`<option value="` + w.HousingWorker.ID.String() + `" selected`,
			`href="/team#vermittlungen-liste"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the reassignment page lacks %q", want)
			}
		}
		if strings.Contains(page, `<option value="`+w.NorthWorker.ID.String()+`"`) {
			t.Error("the page offers someone outside the receiving organisation")
		}
		partnerGet(t, w, w.HousingLead, "/team/vermittlungen/"+out.Referral.ID.String()+"/neu-zuweisen", http.StatusNotFound)
		partnerGet(t, w, w.HousingLead, "/team/vermittlungen/"+foreign.Referral.ID.String()+"/neu-zuweisen", http.StatusNotFound)
		partnerGet(t, w, w.HousingWorker, "/team/vermittlungen/"+in.Referral.ID.String()+"/neu-zuweisen", http.StatusNotFound)
	})

	action := "/team/vermittlungen/" + in.Referral.ID.String() + "/neu-zuweisen"
	_, version := referralOf(t, w, in.Referral.ID)
	v := url.Values{"version": {strconv.Itoa(version)}}
	with := func(assignee string) url.Values {
		f := url.Values{}
		for k, x := range v {
			f[k] = x
		}
		f.Set("assignee", assignee)
		return f
	}
	t.Run("reassign refused", func(t *testing.T) {
		r := partnerPost(t, w, w.HousingLead, action, with(w.NorthWorker.ID.String()), http.StatusUnprocessableEntity)
		// The refused person is no choice of the form: "Bitte wählen" stands selected, not
		// whoever comes first.
		for _, want := range []string{"Wählen Sie eine Fachkraft der empfangenden Stelle.", `id="bearbeitung-` + in.Referral.ID.String() + `-fehler"`,
			`<option value="" selected>Bitte wählen</option>`} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		partnerPost(t, w, w.HousingLead, action, with("kaputt"), http.StatusUnprocessableEntity)
		partnerPost(t, w, w.HousingWorker, action, with(w.HousingWorker2.ID.String()), http.StatusNotFound)
		partnerPost(t, w, w.HousingLead, "/team/vermittlungen/"+out.Referral.ID.String()+"/neu-zuweisen", with(w.HousingWorker2.ID.String()), http.StatusNotFound)
		r = partnerPost(t, w, w.HousingLead, action, url.Values{"version": {"99"}, "assignee": {w.HousingWorker2.ID.String()}}, http.StatusConflict)
		if b := string(r.Body); !strings.Contains(b, "Die Vermittlung wurde inzwischen geändert") || strings.Contains(b, "Die Aufgabe wurde inzwischen geändert") {
			t.Error("a referral's conflict on the team page does not speak of the referral")
		}
		if _, now := referralOf(t, w, in.Referral.ID); now != version {
			t.Errorf("a refused reassignment changed the referral: version %d", now)
		}
	})

	t.Run("reassign and the confirmation in the section", func(t *testing.T) {
		r := partnerPost(t, w, w.HousingLead, action, with(w.HousingWorker2.ID.String()), http.StatusSeeOther)
		locationOf(t, r, "/team#vermittlungen-liste")
		body := getPage(t, w, w.HousingLead, "/team", http.StatusOK, "Cookie", reviewSession(t, r))
		list := sectionOf(t, body, "vermittlungen-liste")
		if !strings.Contains(list, `id="bestaetigung"`) || !strings.Contains(list, "Vermittlung neu zugewiesen.") {
			t.Errorf("the confirmation is not in the referral section: %.800s", list)
		}
		if strings.Count(body, "Vermittlung neu zugewiesen.") != 1 {
			t.Error("the confirmation is shown more than once")
		}
		if !strings.Contains(list, "Willi Wohnen (Fachbereich Wohnen)") {
			t.Error("the list does not name the new assignee")
		}
		// The sender now sees the new assignee as the contact person.
		page := partnerGet(t, w, w.MigrationWorker, "/vermittlungen/"+in.Referral.ID.String(), http.StatusOK)
		if box := sectionOf(t, page, "ansprechpersonen"); !strings.Contains(box, "Willi Wohnen") || !strings.Contains(box, "Ansprechperson der empfangenden Stelle") {
			t.Errorf("the sender's contact box: %.1200s", box)
		}
	})
}
