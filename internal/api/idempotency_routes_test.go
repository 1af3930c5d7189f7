package api_test

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestIdempotencyOfEveryPost: every POST of the API writes its Idempotency-Key in the
// operation's own transaction, so that a retry with the same key changes nothing and answers
// with the same status and the same resource (id and version), marked Idempotent-Replayed. A
// POST route added without taking the key (service base.keyed) fails here: the route list
// comes from the generated router, not from this table.
func TestIdempotencyOfEveryPost(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	covered := map[string]bool{}
	retry := func(t *testing.T, route string, r world.Request, status int) {
		t.Helper()
		h := maps.Clone(r.Headers)
		if h == nil {
			h = map[string]string{}
		}
		h["Idempotency-Key"] = "retry " + route
		r.Headers = h
		first := w.Do(t, r)
		if first.Status != status {
			t.Fatalf("%s: first request %d: %s", route, first.Status, first.Body)
		}
		before, lastEvent := testutil.DataOnly(w.Fingerprint(t)), w.LastAuditID(t)
		again := w.Do(t, r)
		if after := testutil.DataOnly(w.Fingerprint(t)); after != before {
			t.Errorf("%s: the retry changed data:\n%s\n%s", route, before, after)
		}
		for _, ev := range w.AuditAfter(t, lastEvent) {
			if !strings.HasSuffix(ev.Action, ".read") && !strings.HasSuffix(ev.Action, ".list") {
				t.Errorf("%s: the retry recorded %s", route, ev.Action)
			}
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s: retry %d not replayed: %s\n%s", route, again.Status, again.Body, w.Log.String())
		}
		if again.Status == 404 && strings.HasPrefix(route, "/referrals/") {
			// The caller's own answer ended its access (a declined or completed referral):
			// the retry shows what a read shows now, nothing more.
			if read := w.Do(t, world.Request{As: r.As, Method: "GET", URL: referralURL(idOfString(t, first))}); read.Status != 404 {
				t.Errorf("%s: retry 404, but a read answers %d", route, read.Status)
			}
			covered[route] = true
			return
		}
		if again.Status != first.Status {
			t.Fatalf("%s: retry %d, first %d: %s", route, again.Status, first.Status, again.Body)
		}
		if again.Header.Get("ETag") != first.Header.Get("ETag") || idOf(t, again) != idOf(t, first) {
			t.Errorf("%s: the retry answered another resource: %s (%s) vs %s (%s)", route, again.Body, again.Header.Get("ETag"), first.Body, first.Header.Get("ETag"))
		}
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("%s: the first answer is marked as replayed", route)
		}
		covered[route] = true
	}

	// The case-work routes of the authorization matrix, each on a case of its own, by a
	// caller and in a state where it succeeds.
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range matrixRoutes() {
		method, path, _ := strings.Cut(rt.name, " ")
		if method != "POST" {
			continue
		}
		path = param.ReplaceAllString(path, ":id")
		st, r := firstSuccess(rt.ok)
		cw := setup(t, w, st)
		u := map[rel]*world.User{lead: cw.Setup.Lead, partner: cw.Setup.Partner, head: w.HousingLead}[r]
		retry(t, path, rt.req(w, cw, u), rt.status)
	}
	// The creating routes outside the matrix.
	retry(t, "/cases", world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/cases", Body: map[string]any{"primary": personBody("Wiederholt")}}, 201)
	retry(t, "/organisations", world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/organisations",
		Body: map[string]any{"kind": "welfare", "name": "Johanniter", "short_name": "JUH"}}, 201)
	retry(t, "/members", world.Request{As: w.HousingAdmin, Method: "POST", URL: base + "/members",
		Body: map[string]any{"issuer": "https://idp.test", "email": "neu@stadt.test", "display_name": "Neu Zugang", "org_id": w.Housing.ID, "role": "caseworker"}}, 201)
	retry(t, "/grants", world.Request{As: w.Sysadmin, Method: "POST", URL: base + "/grants", Body: grant(w.NorthWorker, w.Housing, model.RoleCaseworker)}, 201)
	// The caller's own notifications: one marked read (answered as it is now), and all.
	note := w.Notify(t, w.HousingWorker, model.NotifyFollowUp, model.ObjectCase, setup(t, w, stAccepted).Case.ID)
	retry(t, "/notifications/:id/read", world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/notifications/" + note.String() + "/read"}, 200)
	h := map[string]string{"Idempotency-Key": "retry read-all"}
	first := w.Do(t, world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/notifications/read-all", Headers: h})
	again := w.Do(t, world.Request{As: w.HousingWorker, Method: "POST", URL: base + "/notifications/read-all", Headers: h})
	if first.Status != 200 || again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("/notifications/read-all: %d then %d (replayed %q)", first.Status, again.Status, again.Header.Get("Idempotent-Replayed"))
	}
	covered["/notifications/read-all"] = true

	e := echo.New()
	api.RegisterHandlersWithBaseURL(e, api.NewStrictHandler(nil, nil), "")
	var missing []string
	for _, r := range e.Routes() {
		if r.Method == "POST" && !covered[r.Path] {
			missing = append(missing, r.Path)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("POST routes without an idempotency check here: %v", missing)
	}
}

// firstSuccess is a state and a relation in which a matrix route succeeds.
func firstSuccess(ok on) (state, rel) {
	for _, st := range allStates {
		if rs := ok[st]; len(rs) > 0 {
			return st, rs[0]
		}
	}
	panic("a route that succeeds for nobody")
}

// idOfString is idOf as a uuid's string, for building URLs.
func idOfString(t *testing.T, r *world.Response) stringer { return stringer(idOf(t, r)) }

type stringer string

func (s stringer) String() string { return string(s) }

// idOf is the id of the resource in a response body.
func idOf(t *testing.T, r *world.Response) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Body, &v); err != nil || v.ID == "" {
		t.Fatalf("no resource id in %s (%v)", r.Body, err)
	}
	return v.ID
}
