package web

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// routeServer builds the server with every optional route switched on. It needs no
// database: the policy has no grants, and no request is served.
func routeServer(t *testing.T) (*Server, *authz.Enforcer) {
	t.Helper()
	en, err := authz.New(context.Background(), func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(Deps{Log: log, Services: service.New(nil, en, log), BodyLimit: "1M", Metrics: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, en
}

// TestEveryRouteDeclaresAPermission walks the router: a route registered any other way than
// through handle (with its permission beside it) fails here.
func TestEveryRouteDeclaresAPermission(t *testing.T) {
	s, _ := routeServer(t)
	routes := s.Echo().Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		if _, ok := s.perms[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no permission: register it in routes.go through s.handle", r.Method, r.Path)
		}
	}
	if len(s.Permissions()) != len(s.perms) {
		t.Fatal("Permissions() lost routes")
	}
}

// TestPermissionsExistInPolicy catches a typo in routes.go: a permission that no policy line
// grants to anybody would deny everyone silently.
func TestPermissionsExistInPolicy(t *testing.T) {
	s, en := routeServer(t)
	granted := map[string]bool{}
	for _, r := range en.Rules() { // role, class, object, action, scope
		granted[r[2]+"."+r[3]] = true
	}
	for route, p := range s.perms {
		if p.public || p.signedIn {
			continue
		}
		if p.obj == "" || p.act == "" {
			t.Errorf("%s: permission without object or action", route)
			continue
		}
		ok := granted[p.obj+"."+p.act]
		if strings.Contains(p.obj, "<role>") {
			for _, role := range model.Roles {
				ok = ok || granted[strings.ReplaceAll(p.obj, "<role>", string(role))+"."+p.act]
			}
		}
		if !ok {
			t.Errorf("%s requires %s, which no line of policies/policy.csv grants", route, p)
		}
	}
}

// TestAPIRoutesMatchSpec: every operation of openapi.yaml has its route, and every route
// under /api/v1 is an operation of the spec (or the spec itself), so that the description
// and the server cannot drift apart.
func TestAPIRoutesMatchSpec(t *testing.T) {
	s, _ := routeServer(t)
	doc, err := api.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	outsideSpec := map[string]string{
		"GET /api/v1/openapi.yaml": "the description itself",
	}
	ops := map[string]bool{}
	for _, op := range api.Operations(doc) {
		key := op.Method + " " + op.Path
		ops[key] = true
		if _, ok := s.perms[key]; !ok {
			t.Errorf("operation %s (%s) of openapi.yaml has no route in routes.go", op.ID, key)
		}
	}
	for key := range s.perms {
		if strings.HasPrefix(key[strings.Index(key, " ")+1:], api.BasePath+"/") && !ops[key] && outsideSpec[key] == "" {
			t.Errorf("route %s is not described in internal/api/openapi.yaml", key)
		}
	}
}

// TestAPIPermissionTable pins the permission of every API route, so that loosening one is a
// visible change of this table too.
func TestAPIPermissionTable(t *testing.T) {
	s, _ := routeServer(t)
	want := map[string]string{
		"GET /api/v1/openapi.yaml":        "public",
		"GET /api/v1/organisations":       "organisation.read",
		"POST /api/v1/organisations":      "organisation.create",
		"GET /api/v1/organisations/:id":   "organisation.read",
		"PATCH /api/v1/organisations/:id": "organisation.update",
		"GET /api/v1/members":             "member.read",
		"POST /api/v1/members":            "member.create",
		"GET /api/v1/members/:id":         "member.read",
		"PATCH /api/v1/members/:id":       "member.update",
		"POST /api/v1/grants":             "signed-in, service checks grant:<role>.manage",
		"DELETE /api/v1/grants/:id":       "signed-in, service checks grant:<role>.manage",
		// Case work.
		"GET /api/v1/areas":                         "signed-in",
		"GET /api/v1/cases":                         "case.read",
		"POST /api/v1/cases":                        "case.create",
		"GET /api/v1/cases/:id":                     "case.read",
		"GET /api/v1/cases/:id/overview":            "case.read",
		"PATCH /api/v1/cases/:id":                   "case.update",
		"POST /api/v1/cases/:id/persons":            "case.update",
		"PATCH /api/v1/cases/:id/persons/:personId": "case.update",
		"GET /api/v1/cases/:id/plan":                "plan.read",
		"PATCH /api/v1/cases/:id/plan/:area":        "plan.update",
		"GET /api/v1/cases/:id/notes":               "note.read",
		"POST /api/v1/cases/:id/notes":              "note.create",
		"GET /api/v1/cases/:id/consents":            "consent.read",
		"GET /api/v1/cases/:id/consents/covering":   "consent.read",
		"POST /api/v1/cases/:id/consents":           "consent.create",
		"GET /api/v1/consents/:id":                  "consent.read",
		"POST /api/v1/consents/:id/revoke":          "consent.revoke",
		"POST /api/v1/cases/:id/referrals":          "referral.create",
		"GET /api/v1/referrals":                     "referral.read",
		"GET /api/v1/referrals/:id":                 "referral.read",
		"POST /api/v1/referrals/:id/accept":         "referral.answer",
		"POST /api/v1/referrals/:id/decline":        "referral.answer",
		"POST /api/v1/referrals/:id/start":          "referral.answer",
		"POST /api/v1/referrals/:id/complete":       "referral.answer",
		"POST /api/v1/referrals/:id/withdraw":       "referral.withdraw",
		"GET /api/v1/tasks":                         "task.read",
		"POST /api/v1/tasks":                        "task.create",
		"GET /api/v1/tasks/:id":                     "task.read",
		"PATCH /api/v1/tasks/:id":                   "task.update",
		"POST /api/v1/tasks/:id/reassign":           "task.reassign",
		"GET /api/v1/tasks/:id/comments":            "task.read",
		"POST /api/v1/tasks/:id/comments":           "task.update",
		"GET /api/v1/notifications":                 "notification.read",
		"GET /api/v1/notifications/unread-count":    "notification.read",
		"POST /api/v1/notifications/:id/read":       "notification.update",
		"POST /api/v1/notifications/read-all":       "notification.update",
		"GET /api/v1/notification-settings":         "notification.read",
		"PUT /api/v1/notification-settings":         "notification.update",
		"GET /healthz":                              "public",
		"GET /readyz":                               "public",
		"GET /metrics":                              "public",
		"GET /api/v1/me":                            "signed-in",
		"GET /login":                                "public",
		"GET /auth/login/:provider":                 "public",
		"GET /auth/callback":                        "public",
		"POST /auth/logout":                         "public",
		"GET /logged-out":                           "public",
		"GET /":                                     "signed-in",
		// caseworker pages
		"GET /aufgaben":                 "task.read",
		"POST /aufgaben/:id/status":     "task.update",
		"GET /aufgaben/neu":             "task.create",
		"POST /aufgaben":                "task.create",
		"GET /aufgaben/:id":             "task.read",
		"POST /aufgaben/:id":            "task.update",
		"POST /aufgaben/:id/kommentare": "task.update",
		// follow-up dates
		"POST /aufgaben/:id/wiedervorlage":           "task.read",
		"POST /aufgaben/:id/wiedervorlage/entfernen": "task.read",
		"POST /faelle/:id/wiedervorlage":             "case.read",
		"POST /faelle/:id/wiedervorlage/entfernen":   "case.read",
		"GET /faelle":                         "case.read",
		"GET /faelle.csv":                     "case.read",
		"GET /faelle.xlsx":                    "case.read",
		"GET /aufgaben.csv":                   "task.read",
		"GET /eingang.csv":                    "referral.answer",
		"GET /eingang.xlsx":                   "referral.answer",
		"GET /vermittlungen.csv":              "referral.create",
		"GET /vermittlungen.xlsx":             "referral.create",
		"GET /aufgaben.xlsx":                  "task.read",
		"GET /faelle/neu":                     "case.create",
		"POST /faelle":                        "case.create",
		"GET /faelle/:id":                     "case.read",
		"POST /faelle/:id/status":             "case.update",
		"POST /faelle/:id/plan/:area":         "plan.update",
		"POST /faelle/:id/vermerke":           "note.create",
		"GET /faelle/:id/einwilligungen/neu":  "consent.create",
		"POST /faelle/:id/einwilligungen":     "consent.create",
		"GET /einwilligungen/:id/widerrufen":  "consent.revoke",
		"POST /einwilligungen/:id/widerrufen": "consent.revoke",
		"GET /faelle/:id/vermitteln":          "referral.create",
		"POST /faelle/:id/vermitteln":         "referral.create",
		"GET /faelle/:id/vermitteln/deckung":  "referral.create",
		// editing a case
		"GET /faelle/:id/personen/neu":               "case.update",
		"POST /faelle/:id/personen/neu":              "case.update",
		"GET /faelle/:id/personen/:pid":              "case.update",
		"POST /faelle/:id/personen/:pid":             "case.update",
		"POST /faelle/:id/personen/:pid/hauptperson": "case.update",
		"GET /faelle/:id/personen/:pid/entfernen":    "case.update",
		"POST /faelle/:id/personen/:pid/entfernen":   "case.update",
		"GET /faelle/:id/zustaendigkeit":             "case.read",
		"POST /faelle/:id/zustaendigkeit":            "case.read",
		"GET /faelle/:id/federfuehrung":              "case.update",
		"POST /faelle/:id/federfuehrung":             "case.update",
		"GET /uebergaben":                            "handover.answer",
		"POST /uebergaben/:id/annehmen":              "handover.answer",
		"POST /uebergaben/:id/ablehnen":              "handover.answer",
		"POST /uebergaben/:id/zurueckziehen":         "case.update",
		// partner pages
		"GET /eingang":                          "referral.answer",
		"GET /vermittlungen":                    "referral.create",
		"GET /vermittlungen/:id":                "referral.read",
		"POST /vermittlungen/:id/annehmen":      "referral.answer",
		"POST /vermittlungen/:id/ablehnen":      "referral.answer",
		"POST /vermittlungen/:id/beginnen":      "referral.answer",
		"POST /vermittlungen/:id/abschliessen":  "referral.answer",
		"GET /vermittlungen/:id/zurueckziehen":  "referral.withdraw",
		"POST /vermittlungen/:id/zurueckziehen": "referral.withdraw",
		"POST /vermittlungen/:id/vermerke":      "note.create",
		"POST /vermittlungen/:id/aufgaben":      "task.create",
		// lead pages
		"GET /team":                                 "task.reassign",
		"GET /team/aufgaben.csv":                    "task.reassign",
		"GET /team/aufgaben.xlsx":                   "task.reassign",
		"GET /team/aufgaben/:id/neu-zuweisen":       "task.reassign",
		"POST /team/aufgaben/:id/neu-zuweisen":      "task.reassign",
		"GET /team/vermittlungen/:id/neu-zuweisen":  "referral.reassign",
		"POST /team/vermittlungen/:id/neu-zuweisen": "referral.reassign",
		// coordinator and administration pages
		"POST /organisation":                             "signed-in",
		"GET /konto":                                     "signed-in",
		"POST /konto":                                    "signed-in",
		"GET /benachrichtigungen":                        "notification.read",
		"GET /benachrichtigungen/anzahl":                 "notification.read",
		"GET /benachrichtigungen/einstellungen":          "notification.read",
		"POST /benachrichtigungen/:id/oeffnen":           "notification.update",
		"POST /benachrichtigungen/einstellungen":         "notification.update",
		"POST /benachrichtigungen/gelesen":               "notification.update",
		"GET /statistik":                                 "statistics.read",
		"GET /statistik.csv":                             "statistics.read",
		"GET /verwaltung":                                "member.read",
		"POST /verwaltung/organisationen":                "organisation.create",
		"GET /verwaltung/organisationen/:id":             "member.read",
		"POST /verwaltung/organisationen/:id":            "organisation.update",
		"POST /verwaltung/organisationen/:id/mitglieder": "member.create",
		"POST /verwaltung/organisationen/:id/rollen":     "signed-in, service checks grant:<role>.manage",
		"POST /verwaltung/organisationen/:id/konten":     "signed-in, service checks grant:<role>.manage",
		"GET /verwaltung/rollen/:id/entfernen":           "member.read",
		"POST /verwaltung/rollen/:id/entfernen":          "signed-in, service checks grant:<role>.manage",
		"GET /verwaltung/mitglieder/:id/deaktivieren":    "member.update",
		"POST /verwaltung/mitglieder/:id/deaktivieren":   "member.update",
		"POST /verwaltung/mitglieder/:id/aktivieren":     "member.update",
		"GET /protokoll":                                 "audit.read",
		"GET /protokoll.csv":                             "audit.export",
		"GET /protokoll/kette":                           "audit.verify",
		"POST /protokoll/kette":                          "audit.verify",
		"GET /datenschutz":                               "privacy.read",
		"GET /datenschutz/berechtigungen":                "policy.read",
		"GET /datenschutz/verarbeitungsverzeichnis":      "privacy.read",
		"GET /datenschutz/loeschkonzept":                 "privacy.read",
		"GET /auskunft":                                  "subject_access.read",
		"POST /auskunft":                                 "subject_access.create",
		"GET /auskunft/bestaetigen":                      "subject_access.confirm",
		"POST /auskunft/:id/bestaetigen":                 "subject_access.confirm",
		"GET /auskunft/:id/dokument":                     "subject_access.export",
		"GET /auskunft/:id/auskunft.json":                "subject_access.export",
		"GET /loeschfristen":                             "retention.read",
		"POST /loeschfristen/sperren":                    "retention.update",
		"POST /loeschfristen/sperren/:id/aufheben":       "retention.update",
		"GET /notfallzugriff":                            "case.read",
		"POST /notfallzugriff":                           "case.read",
		"GET /notfallzugriffe":                           "emergency_access.review",
		"GET /static/*":                                  "public",
	}
	got := s.Permissions()
	for route, p := range want {
		if got[route] != p {
			t.Errorf("%s: permission %q, want %q", route, got[route], p)
		}
	}
	var all []string
	for route := range got {
		all = append(all, route)
	}
	sort.Strings(all)
	for _, route := range all {
		if _, ok := want[route]; !ok {
			t.Errorf("route %s is missing from this table", route)
		}
	}
	// Only reading the description is public under /api/.
	for _, route := range all {
		if strings.Contains(route, " /api/") && got[route] == "public" && !slices.Contains([]string{"GET /api/v1/openapi.yaml"}, route) {
			t.Errorf("API route %s is public", route)
		}
	}
}
