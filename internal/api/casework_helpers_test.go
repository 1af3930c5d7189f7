package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// Helpers of the case-work tests.

func caseURL(id fmt.Stringer) string     { return base + "/cases/" + id.String() }
func referralURL(id fmt.Stringer) string { return base + "/referrals/" + id.String() }
func taskURL(id fmt.Stringer) string     { return base + "/tasks/" + id.String() }
func consentURL(id fmt.Stringer) string  { return base + "/consents/" + id.String() }

// call sends one request and fails the test unless it answers want.
func call(t *testing.T, w *world.World, want int, r world.Request) *world.Response {
	t.Helper()
	res := w.Do(t, r)
	if res.Status != want {
		t.Fatalf("%s %s as %s: status %d, want %d: %s", r.Method, r.URL, userName(r.As), res.Status, want, res.Body)
	}
	return res
}

// decode decodes a response body into a fresh T.
func decode[T any](t *testing.T, r *world.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response is not the expected JSON (%v): %s", err, r.Body)
	}
	return v
}

func userName(u *world.User) string {
	if u == nil {
		return "anonymous"
	}
	return u.Name
}

// headers builds a header map from name/value pairs.
func headers(kv ...string) map[string]string {
	h := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

// day renders a calendar day offset from today (Europe/Berlin) as YYYY-MM-DD.
func day(offset int) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return time.Now().In(loc).AddDate(0, 0, offset).Format("2006-01-02")
}

// caseData lists the strings by which a response would reveal the case of cw: its
// reference, the names of its person and its notes' text.
func caseData(cw *world.CaseWork) []string {
	return []string{cw.Case.Reference, cw.Person.FamilyName, cw.Person.GivenNames, cw.Case.ID.String()}
}

// personBody is a valid person for POST /cases and POST /cases/{id}/persons.
func personBody(family string) map[string]any {
	return map[string]any{
		"family_name": family, "given_names": "Omar", "name_variants": []string{"Umar"}, "birth_date": "1988-05-01",
		"languages": []string{"ar"}, "phone": "0541 123456", "email": "omar@example.test", "address": "Hauptstr. 1",
		"residence_status": "Duldung", "district": "Schinkel",
	}
}

// consentBody records a consent for org for the areas, releasing identity and languages.
func consentBody(org *model.Organisation, areas ...string) map[string]any {
	return map[string]any{
		"recipients": []string{org.ID.String()}, "areas": areas, "data_categories": []string{"identity", "languages"},
		"purpose": "Vermittlung in Arbeit", "valid_from": day(0), "valid_until": day(365),
		"evidence": "Formular EV-7", "language": "ar",
	}
}

// etagOf returns the ETag of a response, failing when there is none.
func etagOf(t *testing.T, r *world.Response) string {
	t.Helper()
	e := r.Header.Get("ETag")
	if e == "" {
		t.Fatalf("no ETag: %s", r.Body)
	}
	return e
}

// containsAny reports the first of subs that s contains.
func containsAny(s string, subs []string) (string, bool) {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return sub, true
		}
	}
	return "", false
}
