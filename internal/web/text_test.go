package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestFormsRefuseBadCharacters: a NUL, another control character or invalid UTF-8 in a text
// field of a form is shown at that field, in German or English, and changes nothing; a
// textarea's CRLF line breaks are stored as LF.
func TestFormsRefuseBadCharacters(t *testing.T) {
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralSent})
	page := "/faelle/" + cw.Case.ID.String()
	const de = "Die Eingabe enthält unzulässige Zeichen"
	const en = "The entry contains characters that are not allowed"
	form := func(name string, u *world.User, path string, v url.Values, lang, msg string, inputs ...string) {
		t.Run(name, func(t *testing.T) {
			before := dataOnly(w.Fingerprint(t))
			hdr := []string{}
			if lang != "" {
				hdr = append(hdr, "Accept-Language", lang)
			}
			r := cwPost(t, w, u, path, v, hdr...)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.2000s", r.Status, r.Body)
			}
			mustContain(t, name, string(r.Body), append([]string{msg}, inputs...)...)
			if after := dataOnly(w.Fingerprint(t)); after != before {
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
		r := cwPost(t, w, w.HousingWorker, page+"/vermerke", url.Values{"note_area": {""}, "visibility": {"org"}, "body": {"Zeile 1\r\nZeile 2\rZeile 3"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %.2000s", r.Status, r.Body)
		}
		if n := countRows(t, w, `SELECT count(*) FROM notes WHERE case_id = $1 AND body = $2`, cw.Case.ID, "Zeile 1\nZeile 2\nZeile 3"); n != 1 {
			t.Fatalf("%d notes with LF line breaks, want 1", n)
		}
	})
	t.Run("a search for a NUL", func(t *testing.T) {
		body := cwGet(t, w, w.HousingWorker, "/faelle?q=%00", http.StatusBadRequest)
		mustContain(t, "search", body, de, `id="f-q-error"`)
	})
}

// dataOnly drops the count of audit events from a fingerprint: a refused form shows its page
// again, and reading that page is audited like any read.
func dataOnly(fingerprint string) string {
	i := strings.Index(fingerprint, " audit_events=")
	if i < 0 {
		return fingerprint
	}
	return fingerprint[:i]
}
