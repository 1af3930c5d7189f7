package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestFormsRefuseBadCharacters: a NUL, another control character or invalid UTF-8 in a text
// field of a form is shown at that field, in German or English, and changes nothing; a
// textarea's CRLF line breaks are stored as LF.
func TestFormsRefuseBadCharacters(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	page := "/faelle/" + cw.Case.ID.String()
	const de = "Die Eingabe enthält unzulässige Zeichen"
	const en = "The entry contains characters that are not allowed"
	form := func(name string, u *world.User, path string, v url.Values, lang, msg string, inputs ...string) {
		t.Run(name, func(t *testing.T) {
			before := testutil.DataOnly(w.Fingerprint(t))
			hdr := []string{}
			if lang != "" {
				hdr = append(hdr, "Accept-Language", lang)
			}
			r := postForm(t, w, u, path, v, hdr...)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.2000s", r.Status, r.Body)
			}
			mustContain(t, name, string(r.Body), append([]string{msg}, inputs...)...)
			if after := testutil.DataOnly(w.Fingerprint(t)); after != before {
				t.Errorf("the refused form changed data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	form("a NUL in a note", w.HousingWorker, page+"/vermerke", url.Values{"note_area": {""}, "visibility": {"org"}, "body": {"\x00x"}}, "", de, `id="f-body-error"`)
	form("in English", w.HousingWorker, page+"/vermerke", url.Values{"note_area": {""}, "visibility": {"org"}, "body": {"a\x07b"}}, "en", en, `id="f-body-error"`)
	form("invalid UTF-8 in a new case", w.HousingWorker, "/faelle", url.Values{"family_name": {"Haddad\xff"}, "given_names": {"Lina"}}, "", de, `id="f-family_name-error"`)
	form("a NUL in a list of names", w.HousingWorker, "/faelle", url.Values{"family_name": {"Haddad"}, "name_variants": {"Hadad, Had\x00dad"}}, "", de, `id="f-name_variants-error"`)
	form("a partner's reason", w.JobcenterWorker, "/vermittlungen/"+cw.Referral.ID.String()+"/ablehnen",
		url.Values{"version": {fmt.Sprint(cw.Referral.Version)}, "reason": {"Keine\x1bKapazität"}}, "", de, `id="grund"`)
	form("an organisation's name", w.Sysadmin, "/verwaltung/organisationen", url.Values{"kind": {"welfare"}, "name": {"AWO\x00"}, "short_name": {"AWO"}}, "", de)

	t.Run("a textarea's CRLF is stored as LF", func(t *testing.T) {
		r := postForm(t, w, w.HousingWorker, page+"/vermerke", url.Values{"note_area": {""}, "visibility": {"org"}, "body": {"Zeile 1\r\nZeile 2\rZeile 3"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		if n := countRows(t, w, `SELECT count(*) FROM notes WHERE case_id = $1 AND body = $2`, cw.Case.ID, "Zeile 1\nZeile 2\nZeile 3"); n != 1 {
			t.Fatalf("%d notes with LF line breaks, want 1", n)
		}
	})
	t.Run("a search for a NUL", func(t *testing.T) {
		body := getPage(t, w, w.HousingWorker, "/faelle?q=%00", http.StatusBadRequest)
		mustContain(t, "search", body, de, `id="f-q-error"`)
	})
}

// TestPagesRefuseBadQueryText: a NUL, invalid UTF-8 or a carriage return in the query of any
// page never ends in a 500; the filters that reach a service are refused (400), and the
// list and audit filters show the message at their field.
func TestPagesRefuseBadQueryText(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	c := "/faelle/" + cw.Case.ID.String()
	for _, bad := range []string{"%00", "%FF", "%ED%A0%80", "%1B"} {
		for _, p := range []struct {
			u      *world.User
			query  string
			status int    // 0: anything below 500
			msg    string // the message at a field, when the page shows one
		}{
			{w.HousingWorker, "/faelle?q=B&status=B&area=B&area_status=B&sort=B&seite=B", 400, "Die Eingabe enthält unzulässige Zeichen"},
			{w.HousingWorker, "/faelle.csv?q=B&status=B", 400, ""},
			{w.HousingWorker, "/faelle?sort=B&dir=B&seite=B&pro_seite=B", 0, ""},
			{w.HousingWorker, "/aufgaben.xlsx?status=B&wer=B&sort=B", 0, ""},
			{w.JobcenterWorker, "/eingang?sort=B&dir=B&seite=B&pro_seite=B&cursor=B", 0, ""},
			{w.HousingLead, "/team?sort=B&dir=B&seite=B&pro_seite=B", 0, ""},
			{w.HousingLead, "/team/aufgaben.csv?area=B&person=B", 400, ""},
			{w.HousingWorker, "/vermittlungen?cursor=B&status=B&sort=B&seite=B", 0, ""},
			{w.JobcenterWorker, "/eingang.csv?x=B", 0, ""},
			{w.HousingLead, "/team?area=B&overdue=B&person=B", 400, ""},
			{w.HousingLead, "/team/aufgaben/" + cw.Task.ID.String() + "/neu-zuweisen?area=B&person=B&sort=B&seite=B", 0, ""},
			{w.DPO, "/protokoll?action=B&before=B&case=B&from=B&org=B&to=B&user=B", 400, ""},
			{w.DPO, "/protokoll?action=B&case=B&user=B", 400, "Die Eingabe enthält unzulässige Zeichen"},
			{w.DPO, "/protokoll.csv?user=B&case=B", 400, ""},
			{w.HousingWorker, "/aufgaben?x=B", 0, ""},
			{w.HousingWorker, "/faelle/neu?family_name=B", 0, ""},
			{w.HousingWorker, c + "?x=B", 0, ""},
			{w.HousingWorker, c + "/vermitteln?org=B&areas=B&consent_id=B", 0, ""},
			{w.HousingWorker, c + "/vermitteln/deckung?org=B&areas=B&consent_id=B", 0, ""},
			{w.HousingWorker, c + "/einwilligungen/neu?x=B", 0, ""},
			{w.Coordinator, "/statistik?x=B", 0, ""},
			{w.Sysadmin, "/verwaltung?x=B", 0, ""},
			{nil, "/auth/callback?state=B&code=B&error=B", 0, ""},
		} {
			path := strings.ReplaceAll(p.query, "=B", "="+bad)
			res := w.Do(t, world.Request{As: p.u, Method: http.MethodGet, URL: path})
			switch {
			case res.Status >= 500:
				t.Errorf("GET %s: status %d", path, res.Status)
			case p.status != 0 && res.Status != p.status:
				t.Errorf("GET %s: status %d, want %d", path, res.Status, p.status)
			case p.msg != "" && !strings.Contains(string(res.Body), p.msg):
				t.Errorf("GET %s: no message %q at the field", path, p.msg)
			}
		}
	}
}
