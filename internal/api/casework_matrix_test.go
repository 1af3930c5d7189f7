package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The authorization matrix of case work: every role × every case-work route × the states a
// case can be in from a partner's point of view. Who may do what is written below per route
// as the relations to the case that succeed in each state; everybody else is refused, and
// a refusal shows no case data and changes nothing, not even the audit trail.

// state is where a case stands.
type state string

const (
	stOwn       state = "own case"                   // the housing office's case, consent for the job center recorded, never referred
	stSent      state = "referred, not yet answered" // referred to the job center for work, with consent
	stAccepted  state = "referred with consent"      // ... and accepted
	stRevoked   state = "consent revoked"            // accepted, then the consent was revoked (the referral with it)
	stDeclined  state = "referral declined"
	stCompleted state = "referral completed"
	stWithdrawn state = "referral withdrawn"
	stUnrelated state = "an unrelated case" // the migration service's case, referred to Caritas for housing and accepted
)

var allStates = []state{stOwn, stSent, stAccepted, stRevoked, stDeclined, stCompleted, stWithdrawn, stUnrelated}

// setup builds a case in state st.
func setup(t *testing.T, w *world.World, st state) *world.CaseWork {
	t.Helper()
	s := world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Area: "work", Other: "housing"}
	switch st {
	case stOwn:
	case stSent:
		s.Status = model.ReferralSent
	case stAccepted:
		s.Status = model.ReferralAccepted
	case stRevoked:
		s.Status = model.ReferralRevoked
	case stDeclined:
		s.Status = model.ReferralDeclined
	case stCompleted:
		s.Status = model.ReferralCompleted
	case stWithdrawn:
		s.Status = model.ReferralWithdrawn
	case stUnrelated:
		s = world.CaseSetup{Lead: w.MigrationWorker, Partner: w.CaritasWorker, Area: "housing", Other: "work", Status: model.ReferralAccepted}
	}
	return w.CaseWorkFor(t, s)
}

// rel is a user's relation to a case: the caseworker of its lead organisation, the head of
// that organisation (the housing office's lead), the caseworker of the partner it is (or was)
// referred to. Everybody else has none.
type rel string

const (
	lead    rel = "lead"
	head    rel = "head"
	partner rel = "partner"
)

func relOf(w *world.World, cw *world.CaseWork, u *world.User) rel {
	switch {
	case u == nil:
		return ""
	case u == cw.Setup.Lead:
		return lead
	case u == cw.Setup.Partner:
		return partner
	case u == w.HousingLead && cw.Setup.Lead == w.HousingWorker:
		return head
	}
	return ""
}

// on says which relations succeed in which states.
type on map[state][]rel

// by grants r in the states given (every state when none).
func by(r rel, sts ...state) on { return on{}.and(r, sts...) }

func (o on) and(r rel, sts ...state) on {
	if len(sts) == 0 {
		sts = allStates
	}
	for _, s := range sts {
		o[s] = append(o[s], r)
	}
	return o
}

func (o on) has(s state, r rel) bool { return r != "" && slices.Contains(o[s], r) }

// The state groups of the table.
var (
	active    = []state{stSent, stAccepted, stUnrelated}                                            // the partner's referral is active and covered
	housing   = []state{stOwn, stSent, stAccepted, stRevoked, stDeclined, stCompleted, stWithdrawn} // led by the housing office
	ended     = []state{stRevoked, stDeclined, stCompleted, stWithdrawn}                            // the referral has ended
	accepted  = []state{stAccepted, stUnrelated}
	notSent   = append([]state{stAccepted, stUnrelated}, ended...)
	notRevoke = []state{stOwn, stSent, stAccepted, stDeclined, stCompleted, stWithdrawn, stUnrelated}
)

// mroute is one route of the matrix.
type mroute struct {
	name string
	req  func(w *world.World, cw *world.CaseWork, u *world.User) world.Request
	// status on success; ok who succeeds; bad who is told badStatus (409 for a refused
	// transition, the default; 400 for a referral without cover), changing nothing.
	status    int
	ok        on
	bad       on
	badStatus int
	// write: a success changes the case, so every success runs on a case of its own.
	write bool
	// perm is the route's permission: a caller without it at all is refused with 403 on a
	// collection route (and 404 on a record route).
	perm string
	// listed, for list routes, is the id that the list shows exactly to those in ok.
	listed func(cw *world.CaseWork) string
	// refused is the status of a caller who holds perm but whom the record is hidden from:
	// 404, or 400 naming the field for a hidden record named in a creating body.
	refused int
	// needsReferral: the route addresses the referral, which a case in stOwn lacks.
	needsReferral bool
	// check runs on a success.
	check func(t *testing.T, w *world.World, cw *world.CaseWork, u *world.User, r *world.Response)
}

func ifm(v int) map[string]string { return version(v) }

func planRow(cw *world.CaseWork, area string) model.AreaStatus {
	for _, r := range cw.Case.Plan {
		if r.Area == area {
			return r
		}
	}
	panic("no plan row " + area)
}

func orgIDOf(w *world.World, u *world.User) string {
	if u == nil || len(u.Grants) == 0 {
		return w.Housing.ID.String()
	}
	return u.Grants[0].OrgID.String()
}

// partnerSeesNoMore checks a partner's view of a case: no contact data, no plan row of an
// area not referred, not the lead's internal note.
func partnerSeesNoMore(t *testing.T, _ *world.World, cw *world.CaseWork, u *world.User, r *world.Response) {
	t.Helper()
	if u != cw.Setup.Partner {
		return
	}
	forbidden := []string{cw.Person.Phone, cw.Person.Email, cw.Person.Address, cw.Person.ResidenceStatus, `"area":"` + cw.Setup.Other + `"`, cw.OrgNote.Body}
	if s, ok := containsAny(string(r.Body), forbidden); ok {
		t.Errorf("the partner sees %q: %s", s, r.Body)
	}
}

func matrixRoutes() []mroute {
	get := func(path func(cw *world.CaseWork) string) func(*world.World, *world.CaseWork, *world.User) world.Request {
		return func(_ *world.World, cw *world.CaseWork, u *world.User) world.Request {
			return world.Request{As: u, Method: "GET", URL: path(cw)}
		}
	}
	send := func(method string, path func(cw *world.CaseWork) string, body func(w *world.World, cw *world.CaseWork, u *world.User) any, ver func(cw *world.CaseWork) int) func(*world.World, *world.CaseWork, *world.User) world.Request {
		return func(w *world.World, cw *world.CaseWork, u *world.User) world.Request {
			r := world.Request{As: u, Method: method, URL: path(cw)}
			if body != nil {
				r.Body = body(w, cw, u)
			}
			if ver != nil {
				r.Headers = ifm(ver(cw))
			}
			return r
		}
	}
	fixed := func(b map[string]any) func(*world.World, *world.CaseWork, *world.User) any {
		return func(*world.World, *world.CaseWork, *world.User) any { return b }
	}
	cse := func(cw *world.CaseWork) string { return caseURL(cw.Case.ID) }
	ref := func(cw *world.CaseWork) string { return referralURL(cw.Referral.ID) }
	tsk := func(cw *world.CaseWork) string { return taskURL(cw.Task.ID) }
	refVersion := func(cw *world.CaseWork) int { return cw.Referral.Version }
	readers := by(lead).and(head, housing...).and(partner, active...)
	return []mroute{
		{name: "GET /cases/{id}", req: get(cse), status: 200, ok: readers, check: partnerSeesNoMore},
		{name: "GET /cases/{id}/overview", req: get(func(cw *world.CaseWork) string { return cse(cw) + "/overview" }), status: 200, ok: readers, check: partnerSeesNoMore},
		{name: "PATCH /cases/{id}", req: send("PATCH", cse, fixed(map[string]any{"district": "Westerberg"}), func(cw *world.CaseWork) int { return cw.Case.Version }),
			status: 200, ok: by(lead), write: true},
		{name: "POST /cases/{id}/persons", req: send("POST", func(cw *world.CaseWork) string { return cse(cw) + "/persons" }, fixed(personBody("Neumann")), nil),
			status: 201, ok: by(lead), write: true},
		{name: "PATCH /cases/{id}/persons/{personId}", req: send("PATCH", func(cw *world.CaseWork) string { return cse(cw) + "/persons/" + cw.Person.ID.String() },
			fixed(map[string]any{"phone": "0541 999"}), func(cw *world.CaseWork) int { return cw.Person.Version }), status: 200, ok: by(lead), write: true},
		{name: "GET /cases/{id}/plan", req: get(func(cw *world.CaseWork) string { return cse(cw) + "/plan" }), status: 200, ok: readers, check: partnerSeesNoMore},
		{name: "PATCH /cases/{id}/plan/{referred area}", req: send("PATCH", func(cw *world.CaseWork) string { return cse(cw) + "/plan/" + cw.Setup.Area },
			fixed(map[string]any{"status": "in_progress"}), func(cw *world.CaseWork) int { return planRow(cw, cw.Setup.Area).Version }),
			status: 200, ok: by(lead).and(partner, active...), write: true},
		{name: "PATCH /cases/{id}/plan/{area not referred}", req: send("PATCH", func(cw *world.CaseWork) string { return cse(cw) + "/plan/" + cw.Setup.Other },
			fixed(map[string]any{"status": "in_progress"}), func(cw *world.CaseWork) int { return planRow(cw, cw.Setup.Other).Version }),
			status: 200, ok: by(lead), write: true},
		{name: "GET /cases/{id}/notes", req: get(func(cw *world.CaseWork) string { return cse(cw) + "/notes" }), status: 200, ok: readers, check: partnerSeesNoMore},
		{name: "POST /cases/{id}/notes", req: send("POST", func(cw *world.CaseWork) string { return cse(cw) + "/notes" },
			func(_ *world.World, cw *world.CaseWork, _ *world.User) any {
				return map[string]any{"area": cw.Setup.Area, "visibility": "shared", "body": "Rückmeldung"}
			}, nil), status: 201, ok: by(lead).and(partner, active...), write: true},
		{name: "GET /cases/{id}/consents", req: get(func(cw *world.CaseWork) string { return cse(cw) + "/consents" }), status: 200, ok: by(lead)},
		{name: "GET /cases/{id}/consents/covering", req: get(func(cw *world.CaseWork) string { return cse(cw) + "/consents/covering?areas=" + cw.Setup.Area }), status: 200, ok: by(lead)},
		{name: "POST /cases/{id}/consents", req: send("POST", func(cw *world.CaseWork) string { return cse(cw) + "/consents" },
			func(w *world.World, cw *world.CaseWork, _ *world.User) any {
				return consentBody(orgOfUser(w, cw.Setup.Partner), cw.Setup.Area)
			}, nil),
			status: 201, ok: by(lead), write: true},
		{name: "GET /consents/{id}", req: get(func(cw *world.CaseWork) string { return consentURL(cw.Consent.ID) }), status: 200, ok: by(lead)},
		{name: "POST /consents/{id}/revoke", req: send("POST", func(cw *world.CaseWork) string { return consentURL(cw.Consent.ID) + "/revoke" }, nil,
			func(cw *world.CaseWork) int { return cw.Consent.Version }), status: 200, ok: by(lead, notRevoke...), bad: by(lead, stRevoked), write: true},
		{name: "POST /cases/{id}/referrals", req: send("POST", func(cw *world.CaseWork) string { return cse(cw) + "/referrals" },
			func(w *world.World, cw *world.CaseWork, _ *world.User) any {
				return map[string]any{"to_org_id": orgOfUser(w, cw.Setup.Partner).ID, "areas": []string{cw.Setup.Area}, "consent_id": cw.Consent.ID}
			}, nil), status: 201, ok: by(lead, notRevoke...), bad: by(lead, stRevoked), badStatus: 400, write: true},
		{name: "GET /referrals/{id}", req: get(ref), status: 200, ok: readers, needsReferral: true},
		{name: "POST /referrals/{id}/accept", req: send("POST", func(cw *world.CaseWork) string { return ref(cw) + "/accept" }, nil, refVersion),
			status: 200, ok: by(partner, stSent), bad: by(partner, notSent...), write: true, needsReferral: true},
		{name: "POST /referrals/{id}/decline", req: send("POST", func(cw *world.CaseWork) string { return ref(cw) + "/decline" }, fixed(map[string]any{"reason": "Keine Kapazität"}), refVersion),
			status: 200, ok: by(partner, stSent), bad: by(partner, notSent...), write: true, needsReferral: true},
		{name: "POST /referrals/{id}/start", req: send("POST", func(cw *world.CaseWork) string { return ref(cw) + "/start" }, nil, refVersion),
			status: 200, ok: by(partner, accepted...), bad: by(partner, stSent).and(partner, ended...), write: true, needsReferral: true},
		{name: "POST /referrals/{id}/complete", req: send("POST", func(cw *world.CaseWork) string { return ref(cw) + "/complete" }, fixed(map[string]any{"outcome": "Vermittelt"}), refVersion),
			status: 200, ok: by(partner, accepted...), bad: by(partner, stSent).and(partner, ended...), write: true, needsReferral: true},
		{name: "POST /referrals/{id}/withdraw", req: send("POST", func(cw *world.CaseWork) string { return ref(cw) + "/withdraw" }, nil, refVersion),
			status: 200, ok: by(lead, active...), bad: by(lead, ended...), write: true, needsReferral: true},
		{name: "GET /tasks/{id}", req: get(tsk), status: 200, ok: by(lead).and(head, housing...)},
		{name: "PATCH /tasks/{id}", req: send("PATCH", tsk, fixed(map[string]any{"priority": "high"}), func(cw *world.CaseWork) int { return cw.Task.Version }),
			status: 200, ok: by(lead), write: true},
		{name: "POST /tasks/{id}/reassign", req: send("POST", func(cw *world.CaseWork) string { return tsk(cw) + "/reassign" },
			func(w *world.World, _ *world.CaseWork, _ *world.User) any {
				return map[string]any{"org_id": w.HousingNorth.ID}
			},
			func(cw *world.CaseWork) int { return cw.Task.Version }), status: 200, ok: by(head, housing...), write: true},
		{name: "GET /tasks/{id}/comments", req: get(func(cw *world.CaseWork) string { return tsk(cw) + "/comments" }), status: 200, ok: by(lead).and(head, housing...)},
		{name: "POST /tasks/{id}/comments", req: send("POST", func(cw *world.CaseWork) string { return tsk(cw) + "/comments" }, fixed(map[string]any{"body": "Rückruf erbeten"}), nil),
			status: 201, ok: by(lead), write: true},

		// The collections: a list shows the case's record exactly to those who may see it.
		{name: "GET /cases", req: get(func(cw *world.CaseWork) string { return base + "/cases?reference=" + cw.Case.Reference }), status: 200, ok: readers,
			perm: "case.read", listed: func(cw *world.CaseWork) string { return cw.Case.ID.String() }, check: partnerSeesNoMore},
		{name: "GET /referrals", req: get(func(cw *world.CaseWork) string { return base + "/referrals?case_id=" + cw.Case.ID.String() }), status: 200, ok: readers,
			perm: "referral.read", listed: func(cw *world.CaseWork) string {
				if cw.Referral == nil {
					return ""
				}
				return cw.Referral.ID.String()
			}},
		{name: "GET /tasks", req: get(func(cw *world.CaseWork) string { return base + "/tasks?case_id=" + cw.Case.ID.String() }), status: 200,
			ok: by(lead).and(head, housing...), perm: "task.read", listed: func(cw *world.CaseWork) string { return cw.Task.ID.String() }},
		{name: "POST /tasks", req: send("POST", func(*world.CaseWork) string { return base + "/tasks" },
			func(w *world.World, cw *world.CaseWork, u *world.User) any {
				return map[string]any{"org_id": orgIDOf(w, u), "case_id": cw.Case.ID, "title": "Neue Aufgabe"}
			}, nil), status: 201, ok: by(lead).and(partner, active...), perm: "task.create", refused: 400, write: true},
	}
}

// orgOfUser is the organisation of u's (only) grant.
func orgOfUser(w *world.World, u *world.User) *model.Organisation {
	for _, o := range []*model.Organisation{w.City, w.Housing, w.HousingNorth, w.Migration, w.Jobcenter, w.Caritas, w.Diakonie} {
		if o.ID == u.Grants[0].OrgID {
			return o
		}
	}
	panic("no organisation of " + u.Name)
}

// matrixRoles are the callers of the matrix, one per role.
func matrixRoles(w *world.World) []struct {
	name string
	u    *world.User
} {
	return []struct {
		name string
		u    *world.User
	}{
		{"housing caseworker", w.HousingWorker}, {"housing lead", w.HousingLead}, {"north unit worker", w.NorthWorker},
		{"migration worker", w.MigrationWorker}, {"jobcenter worker", w.JobcenterWorker}, {"caritas worker", w.CaritasWorker},
		{"coordinator", w.Coordinator}, {"sysadmin", w.Sysadmin}, {"dpo", w.DPO}, {"org admin", w.HousingAdmin}, {"anonymous", nil},
	}
}

func TestCaseWorkAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	en := w.Enforcer(t)
	holds := func(u *world.User, perm string) bool {
		obj, act, _ := strings.Cut(perm, ".")
		sc, err := en.Scope(u.ID, u.Grants[0].OrgID, obj, act)
		if err != nil {
			t.Fatal(err)
		}
		return sc.Allowed()
	}
	routes := matrixRoutes()
	counts := map[string]int{}
	for _, st := range allStates {
		shared := setup(t, w, st)
		t.Run(string(st), func(t *testing.T) {
			for _, rt := range routes {
				if rt.needsReferral && shared.Referral == nil {
					continue
				}
				t.Run(rt.name, func(t *testing.T) {
					for _, role := range matrixRoles(w) {
						t.Run(role.name, func(t *testing.T) {
							cw := shared
							r := relOf(w, cw, role.u)
							ok := rt.ok.has(st, r)
							if ok && rt.write {
								cw = setup(t, w, st) // a success changes the case: give it one of its own
							}
							want, kind := rt.status, "allowed"
							switch {
							case role.u == nil:
								want, kind = 401, "anonymous"
							case ok:
							case rt.bad.has(st, r):
								want, kind = rt.badStatus, "forbidden transition"
								if want == 0 {
									want = 409 // transition_refused
								}
							case rt.perm != "" && !holds(role.u, rt.perm):
								want, kind = 403, "no permission"
							case rt.listed != nil:
								want, kind = 200, "not listed"
							case rt.refused != 0:
								want, kind = rt.refused, "hidden"
							default:
								want, kind = 404, "hidden"
							}
							counts[kind]++
							req := rt.req(w, cw, role.u)
							noChange := kind != "allowed" && kind != "not listed"
							var before string
							if noChange {
								before = w.Fingerprint(t)
							}
							res := w.Do(t, req)
							if res.Status != want {
								t.Fatalf("%s %s: status %d, want %d (%s): %s", req.Method, req.URL, res.Status, want, kind, res.Body)
							}
							if kind != "allowed" {
								if s, found := containsAny(string(res.Body), caseData(cw)); found {
									t.Errorf("a refusal shows case data %q: %s", s, res.Body)
								}
							}
							if noChange {
								if after := w.Fingerprint(t); after != before {
									t.Errorf("a refused request changed data or wrote an audit event:\nbefore %s\nafter  %s", before, after)
								}
							}
							if rt.listed != nil && res.Status == 200 {
								id := rt.listed(cw) // empty when the case has no such record
								want := ok && id != ""
								shown := id != "" && strings.Contains(string(res.Body), id)
								if shown != want || (!want && !strings.Contains(string(res.Body), `"total":0`)) {
									t.Errorf("listed %v, want %v: %s", shown, want, res.Body)
								}
							}
							if ok && rt.check != nil {
								rt.check(t, w, cw, role.u, res)
							}
							if ok {
								etagMatchesVersion(t, res)
							}
						})
					}
				})
			}
		})
	}
	t.Logf("matrix: %v", counts)
	if counts["allowed"] < 100 || counts["hidden"] < 500 || counts["forbidden transition"] < 20 || counts["no permission"] < 50 {
		t.Errorf("the matrix lost its rows: %v", counts)
	}
}

// TestCaseCreationAndAreasByRole: the routes without a case. Opening a case is for the
// caseworkers of municipal departments; the areas are configuration that every signed-in
// user may read.
func TestCaseCreationAndAreasByRole(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	var ss world.Scenarios
	for _, role := range matrixRoles(w) {
		status := map[bool]int{true: 201, false: 403}[slices.Contains([]*world.User{w.HousingWorker, w.NorthWorker, w.MigrationWorker}, role.u)]
		areas := 200
		if role.u == nil {
			status, areas = 401, 401
		}
		ss = append(ss,
			world.Scenario{Name: role.name + " opens a case", Request: world.Request{As: role.u, Method: "POST", URL: base + "/cases",
				Body: map[string]any{"primary": personBody("Nowak")}}, Status: status, NoChange: status != 201},
			world.Scenario{Name: role.name + " reads the areas", Request: world.Request{As: role.u, Method: "GET", URL: base + "/areas"}, Status: areas, NoChange: true,
				Check: func(t *testing.T, r *world.Response) {
					if r.Status == 200 && !strings.Contains(string(r.Body), `{"code":"housing","name_de":"Wohnen","name_en":"Housing","position":1}`) {
						t.Errorf("areas: %s", r.Body)
					}
				}},
		)
	}
	ss.Run(t, w)
	// A case opened by the north unit is led by the unit, not by the department above it.
	res := call(t, w, 201, world.Request{As: w.NorthWorker, Method: "POST", URL: base + "/cases", Body: map[string]any{"primary": personBody("Nord")}})
	if !strings.Contains(string(res.Body), fmt.Sprintf(`"lead_org_id":%q`, w.HousingNorth.ID)) {
		t.Errorf("lead organisation: %s", res.Body)
	}
}

// etagMatchesVersion: a single versioned record comes with its version as ETag; lists and
// records without a version (notes, comments) come without one.
func etagMatchesVersion(t *testing.T, res *world.Response) {
	t.Helper()
	var body map[string]any
	res.JSON(t, &body)
	got := res.Header.Get("ETag")
	if v, ok := body["version"]; ok {
		if want := fmt.Sprintf(`"%v"`, v); got != want {
			t.Errorf("ETag %q, version %s", got, want)
		}
	} else if got != "" {
		t.Errorf("ETag %q on a response without a version", got)
	}
}
