package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// The fuzz targets of the API's input: every operation of openapi.yaml that takes a body
// (FuzzRequestBody) and every one that takes query parameters (FuzzListFilter), each chosen
// by its operationId. The property: the request is accepted, or refused with a 4xx (a 400
// "invalid" names at least one field), never a 500 or a panic, and a refused request
// changes nothing. The seeds in testdata/fuzz/<target>/ (NUL and other control characters,
// invalid UTF-8, unpaired surrogates, trailing data, huge numbers, wrong types, deep
// nesting) run with every `go test`; TestFuzzTargetsCoverTheSpec fails when an operation
// of the spec has no entry in the tables below or no seed, TestFuzzSeedsAreCurrent
// (fuzzseeds_test.go) when the seeds do not match the tables.

// fuzzFixture is the data the requests refer to; "@name@" in a path or body is replaced by
// the id of that name.
type fuzzFixture struct {
	w   *world.World
	ids map[string]string
}

func newFuzzFixture(t testing.TB) *fuzzFixture {
	w := world.New(t)
	sent := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})
	accepted := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralAccepted})
	return &fuzzFixture{w: w, ids: map[string]string{
		"case": sent.Case.ID.String(), "person": sent.Person.ID.String(), "consent": sent.Consent.ID.String(),
		"task": sent.Task.ID.String(), "referral_sent": sent.Referral.ID.String(), "referral_accepted": accepted.Referral.ID.String(),
		"housing": w.Housing.ID.String(), "caritas": w.Caritas.ID.String(), "jobcenter": w.Jobcenter.ID.String(),
		"worker": w.HousingWorker.ID.String(), "member": w.CaritasWorker.ID.String(), "noone": w.NoRole.ID.String(),
	}}
}

func (f *fuzzFixture) fill(s string) string {
	for k, v := range f.ids {
		s = strings.ReplaceAll(s, "@"+k+"@", v)
	}
	return s
}

// fuzzBodyOp is how to send one operation with a body: as whom, where, a valid body, and
// where the version for If-Match comes from (a query with $1 the id named).
type fuzzBodyOp struct {
	as      func(w *world.World) *world.User
	path    string
	valid   string
	version string // "table:name" or "" for none
}

func asSysadmin(w *world.World) *world.User { return w.Sysadmin }
func asWorker(w *world.World) *world.User   { return w.HousingWorker }
func asPartner(w *world.World) *world.User  { return w.CaritasWorker }
func asLead(w *world.World) *world.User     { return w.HousingLead }

var fuzzBodyOps = map[string]fuzzBodyOp{
	"createOrganisation":         {asSysadmin, "/organisations", `{"kind":"welfare","name":"Arbeiterwohlfahrt","short_name":"AWO","contact_email":"info@awo.example","contact_phone":"0541 1"}`, ""},
	"updateOrganisation":         {asSysadmin, "/organisations/@caritas@", `{"name":"Caritas Osnabrück","contact_phone":"0541 2"}`, "organisations:caritas"},
	"createMember":               {asSysadmin, "/members", `{"display_name":"Eva Neu","email":"eva@caritas.example","org_id":"@caritas@","role":"caseworker"}`, ""},
	"updateMember":               {asSysadmin, "/members/@member@", `{"display_name":"Clara Neu"}`, "users:member"},
	"createGrant":                {asSysadmin, "/grants", `{"user_id":"@noone@","org_id":"@caritas@","role":"caseworker"}`, ""},
	"createCase":                 {asWorker, "/cases", `{"district":"Schinkel","primary":{"family_name":"Haddad","given_names":"Lina","languages":["ar"],"birth_date":"1990-01-02"},"members":[{"family_name":"Haddad","given_names":"Sami"}]}`, ""},
	"updateCase":                 {asWorker, "/cases/@case@", `{"district":"Wüste"}`, "cases:case"},
	"addPerson":                  {asWorker, "/cases/@case@/persons", `{"family_name":"Haddad","given_names":"Nour","name_variants":["Nur"],"languages":["ar","de"]}`, ""},
	"updatePerson":               {asWorker, "/cases/@case@/persons/@person@", `{"phone":"0541 3","address":"Hauptstr. 2\n49074 Osnabrück"}`, "persons:person"},
	"updatePlanArea":             {asWorker, "/cases/@case@/plan/housing", `{"status":"in_progress","note":"Wohnung angefragt"}`, "area_statuses:case"},
	"createNote":                 {asWorker, "/cases/@case@/notes", `{"body":"Termin\tvereinbart\nam Montag"}`, ""},
	"createConsent":              {asWorker, "/cases/@case@/consents", `{"recipients":["@jobcenter@"],"areas":["work"],"data_categories":["identity"],"purpose":"Vermittlung","valid_from":"2026-01-01","valid_until":"2030-01-01","evidence":"Formular 7","language":"ar"}`, ""},
	"createReferral":             {asWorker, "/cases/@case@/referrals", `{"to_org_id":"@caritas@","areas":["work"],"message":"Bitte melden","consent_id":"@consent@"}`, ""},
	"declineReferral":            {asPartner, "/referrals/@referral_sent@/decline", `{"reason":"Keine Kapazität"}`, "referrals:referral_sent"},
	"completeReferral":           {asPartner, "/referrals/@referral_accepted@/complete", `{"outcome":"Sprachkurs vermittelt"}`, "referrals:referral_accepted"},
	"createTask":                 {asWorker, "/tasks", `{"org_id":"@housing@","case_id":"@case@","title":"Antrag prüfen","description":"Bis Freitag","priority":"high","due_date":"2030-05-01"}`, ""},
	"updateTask":                 {asWorker, "/tasks/@task@", `{"title":"Antrag prüfen (2)","status":"in_progress"}`, "tasks:task"},
	"reassignTask":               {asLead, "/tasks/@task@/reassign", `{"org_id":"@housing@","assignee_id":"@worker@"}`, "tasks:task"},
	"createTaskComment":          {asWorker, "/tasks/@task@/comments", `{"body":"Erledigt?"}`, ""},
	"updateNotificationSettings": {asWorker, "/notification-settings", `{"channels":{"referral_new":"immediate","task_due":"off"},"language":"en"}`, ""},
}

// bodyMethod is the method of a body operation: PUT for the few that replace a whole
// resource, PATCH for the other updates, POST for the rest.
func bodyMethod(op string) string {
	switch {
	case op == "updateNotificationSettings":
		return http.MethodPut
	case strings.HasPrefix(op, "update"):
		return http.MethodPatch
	}
	return http.MethodPost
}

// fuzzListOps are the list operations with query parameters: as whom, where, a valid query.
var fuzzListOps = map[string]struct {
	as    func(w *world.World) *world.User
	path  string
	valid string
}{
	"listMembers":        {asSysadmin, "/members", "org_id=@caritas@"},
	"listCases":          {asWorker, "/cases", "q=Haddad&reference=F-2026&status=open&area=housing&area_status=not_started&limit=5"},
	"listReferrals":      {asPartner, "/referrals", "direction=incoming&status=sent&case_id=@case@&limit=10"},
	"getConsentCovering": {asWorker, "/cases/@case@/consents/covering", "org_id=@caritas@&areas=work&areas=housing"},
	"listNotifications":  {asWorker, "/notifications", "limit=5"},
	"listTasks":          {asWorker, "/tasks", "mine=false&assignee_id=@worker@&org_id=@housing@&subtree=true&status=open&due_before=2030-01-01&due_after=2020-01-01&overdue=false&area=work&case_id=@case@&referral_id=@referral_sent@&limit=3"},
}

// pick returns the operation named op, or, for a name the fuzzer made up, one chosen by it.
func pick[T any](ops map[string]T, op string) (string, T) {
	if o, ok := ops[op]; ok {
		return op, o
	}
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	sum := 0
	for _, b := range []byte(op) {
		sum += int(b)
	}
	n := names[sum%len(names)]
	return n, ops[n]
}

func (f *fuzzFixture) etag(t testing.TB, version string) string {
	if version == "" {
		return ""
	}
	table, name, _ := strings.Cut(version, ":")
	col := "id"
	if table == "area_statuses" {
		col = "case_id"
	}
	var v int
	q := fmt.Sprintf(`SELECT version FROM %s WHERE %s = $1 ORDER BY version LIMIT 1`, table, col)
	if err := f.w.DB.SQL.QueryRow(q, f.ids[name]).Scan(&v); err != nil {
		t.Fatalf("version of %s: %v", version, err)
	}
	return fmt.Sprintf(`"%d"`, v)
}

// checkOutcome asserts the property of every fuzzed request.
func checkOutcome(t *testing.T, w *world.World, what string, res *world.Response, before string) {
	t.Helper()
	if res.Status >= 500 {
		t.Fatalf("%s: status %d: %s", what, res.Status, res.Body)
	}
	if res.Status < 400 {
		return
	}
	if res.Status == http.StatusBadRequest {
		var e world.APIError
		res.JSON(t, &e)
		if e.Error.Code != "invalid" || len(e.Error.Fields) == 0 {
			t.Fatalf("%s: a 400 that names no field: %s", what, res.Body)
		}
	}
	if after := w.Fingerprint(t); after != before {
		t.Fatalf("%s: refused with %d but changed data:\nbefore %s\nafter  %s", what, res.Status, before, after)
	}
}

func FuzzRequestBody(f *testing.F) {
	for op, o := range fuzzBodyOps {
		f.Add(op, []byte(o.valid))
	}
	fx := newFuzzFixture(f)
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		op, o := pick(fuzzBodyOps, op)
		path := api.BasePath + fx.fill(o.path)
		method := bodyMethod(op)
		req := world.Request{As: o.as(fx.w), Method: method, URL: path, Body: []byte(fx.fill(string(body))), Headers: map[string]string{}}
		if tag := fx.etag(t, o.version); tag != "" {
			req.Headers["If-Match"] = tag
		}
		before := fx.w.Fingerprint(t)
		checkOutcome(t, fx.w, op, fx.w.Do(t, req), before)
	})
}

func FuzzListFilter(f *testing.F) {
	for op, o := range fuzzListOps {
		f.Add(op, o.valid)
	}
	fx := newFuzzFixture(f)
	f.Fuzz(func(t *testing.T, op, query string) {
		op, o := pick(fuzzListOps, op)
		target := api.BasePath + fx.fill(o.path) + "?" + fx.fill(query)
		// Only what an HTTP server would hand on: a request line it can parse.
		if _, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"))); err != nil {
			return
		}
		before := fx.w.Fingerprint(t)
		res := fx.w.Do(t, world.Request{As: o.as(fx.w), Method: http.MethodGet, URL: target})
		checkOutcome(t, fx.w, op, res, before)
	})
}

// TestFuzzTargetsCoverTheSpec: every operation of openapi.yaml with a request body has an
// entry in fuzzBodyOps, every one with query parameters one in fuzzListOps (naming each
// parameter in its valid query), each has seeds in testdata/fuzz, and each valid request
// of the tables is accepted (so that the fuzzers start from requests that reach the
// handlers).
func TestFuzzTargetsCoverTheSpec(t *testing.T) {
	t.Parallel()
	doc, err := api.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var bodyOps, listOps []string
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for _, op := range item.Operations() {
			if op.RequestBody != nil {
				bodyOps = append(bodyOps, op.OperationID)
			}
			for _, prm := range slices.Concat(item.Parameters, op.Parameters) {
				if prm.Value.In != "query" {
					continue
				}
				if !slices.Contains(listOps, op.OperationID) {
					listOps = append(listOps, op.OperationID)
				}
				if o, ok := fuzzListOps[op.OperationID]; ok && prm.Value.Name != "cursor" && !strings.Contains("&"+o.valid, "&"+prm.Value.Name+"=") {
					t.Errorf("fuzzListOps[%s] does not use the query parameter %s", op.OperationID, prm.Value.Name)
				}
			}
		}
	}
	sameOps(t, "fuzzBodyOps", bodyOps, keys(fuzzBodyOps))
	sameOps(t, "fuzzListOps", listOps, keys(fuzzListOps))
	sameOps(t, "testdata/fuzz/FuzzRequestBody", bodyOps, seededOps(t, "FuzzRequestBody"))
	sameOps(t, "testdata/fuzz/FuzzListFilter", listOps, seededOps(t, "FuzzListFilter"))

	fx := newFuzzFixture(t)
	for _, op := range bodyOps {
		o := fuzzBodyOps[op]
		method := bodyMethod(op)
		req := world.Request{As: o.as(fx.w), Method: method, URL: api.BasePath + fx.fill(o.path), Body: fx.fill(o.valid), Headers: map[string]string{}}
		if tag := fx.etag(t, o.version); tag != "" {
			req.Headers["If-Match"] = tag
		}
		if res := fx.w.Do(t, req); res.Status >= 300 {
			t.Errorf("%s: the valid body is refused with %d: %s", op, res.Status, res.Body)
		}
	}
	for _, op := range listOps {
		o := fuzzListOps[op]
		if res := fx.w.Do(t, world.Request{As: o.as(fx.w), Method: http.MethodGet, URL: api.BasePath + fx.fill(o.path) + "?" + fx.fill(o.valid)}); res.Status != 200 {
			t.Errorf("%s: the valid query is refused with %d: %s", op, res.Status, res.Body)
		}
	}
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sameOps(t *testing.T, where string, spec, have []string) {
	t.Helper()
	for _, op := range spec {
		if !slices.Contains(have, op) {
			t.Errorf("%s lacks the operation %s of openapi.yaml", where, op)
		}
	}
	for _, op := range have {
		if !slices.Contains(spec, op) {
			t.Errorf("%s names %s, which openapi.yaml does not have (or takes no such input)", where, op)
		}
	}
}

// seededOps reads the operation names of a target's checked-in seeds (the first value of
// each corpus file).
func seededOps(t *testing.T, target string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(b, []byte("\n"))
		if len(lines) < 2 || string(lines[0]) != "go test fuzz v1" {
			t.Fatalf("%s is not a fuzz corpus file", file)
		}
		op, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(string(lines[1]), "string("), ")"))
		if err != nil {
			t.Fatalf("%s: first value is not a string: %v", file, err)
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}
