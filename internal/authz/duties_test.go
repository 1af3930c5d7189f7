package authz_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/policies"
)

// The objects that the issue names as case content; the derivation must treat each of them
// so, on its own.
var caseContentObjects = []string{"case", "plan", "note", "consent", "referral", "task"}

// TestDutiesFromPolicy: with the shipped policy, caseworker and lead reach case content and
// the other four roles do not; the eight pairs between them are incompatible, and only the
// org_admin pairs may be allowed by an organisation.
func TestDutiesFromPolicy(t *testing.T) {
	en, err := authz.New(context.Background(), func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	d := en.Duties()
	if got, want := d.ContentRoles(), []model.Role{model.RoleCaseworker, model.RoleLead}; !slices.Equal(got, want) {
		t.Fatalf("case-content roles %v, want %v", got, want)
	}
	var pairs []string
	for _, p := range d.Pairs() {
		s := string(p[0]) + "+" + string(p[1])
		if d.Waivable(p[0], p[1]) {
			s += "(waivable)"
		}
		pairs = append(pairs, s)
	}
	want := []string{
		"coordinator+caseworker", "coordinator+lead",
		"org_admin+caseworker(waivable)", "org_admin+lead(waivable)",
		"sysadmin+caseworker", "sysadmin+lead", "dpo+caseworker", "dpo+lead",
	}
	if !slices.Equal(pairs, want) {
		t.Errorf("pairs\n got %v\nwant %v", pairs, want)
	}
	for _, ok := range [][2]model.Role{{model.RoleCaseworker, model.RoleLead}, {model.RoleSysadmin, model.RoleDPO}, {model.RoleOrgAdmin, model.RoleSysadmin}} {
		if d.Incompatible(ok[0], ok[1]) {
			t.Errorf("%s and %s are declared incompatible", ok[0], ok[1])
		}
	}
}

// TestDutiesDerivation: a role becomes a case-content role through a single policy line on
// any one of the case-content objects, and through nothing else.
func TestDutiesDerivation(t *testing.T) {
	for _, obj := range caseContentObjects {
		rules := [][]string{{"coordinator", "*", obj, "read", "org"}, {"dpo", "*", "audit", "read", "all"}}
		d := authz.DeriveDuties(rules)
		if !d.CaseContent(model.RoleCoordinator) {
			t.Errorf("a line on %s does not make a role a case-content role", obj)
		}
		if !d.Incompatible(model.RoleCoordinator, model.RoleDPO) {
			t.Errorf("with a line on %s, coordinator and dpo are not incompatible", obj)
		}
	}
	for _, obj := range []string{"organisation", "member", "statistics", "audit", "policy", "grant:caseworker", "admin_casework"} {
		if authz.DeriveDuties([][]string{{"coordinator", "*", obj, "read", "all"}}).CaseContent(model.RoleCoordinator) {
			t.Errorf("a line on %s makes a role a case-content role", obj)
		}
	}
}

// TestWithheldCombination: grants stored before the rule (or written past the service) that
// combine incompatible roles never give case content: the case-content grant does not count
// and the log says so; the organisation's exception keeps org_admin with a case-content role
// in that same partner organisation, and only there.
func TestWithheldCombination(t *testing.T) {
	city := municipal("stadt")
	housing := municipal("fb-wohnen")
	partner := model.Organisation{ID: model.NewID(), Kind: model.OrgWelfare, Name: "verein", ShortName: "verein", Active: true, AllowAdminCasework: true}
	other := model.Organisation{ID: model.NewID(), Kind: model.OrgWelfare, Name: "caritas", ShortName: "caritas", Active: true}
	// A municipal department with the flag set in the database (past the check constraint's
	// intent) still gets no exception.
	forced := municipal("fd-forced")
	forced.AllowAdminCasework = true
	dpoUser, saUser, smallAdmin, crossAdmin, forcedAdmin, plain := model.NewID(), model.NewID(), model.NewID(), model.NewID(), model.NewID(), model.NewID()
	g := func(u model.Organisation, user uuid.UUID, r model.Role) model.Grant {
		return model.Grant{ID: model.NewID(), UserID: user, OrgID: u.ID, Role: r}
	}
	snap := authz.Snapshot{Orgs: []model.Organisation{city, housing, partner, other, forced}, Grants: []model.Grant{
		g(city, dpoUser, model.RoleDPO), g(housing, dpoUser, model.RoleCaseworker),
		g(housing, saUser, model.RoleLead), g(city, saUser, model.RoleSysadmin),
		g(partner, smallAdmin, model.RoleOrgAdmin), g(partner, smallAdmin, model.RoleCaseworker),
		g(partner, crossAdmin, model.RoleOrgAdmin), g(other, crossAdmin, model.RoleCaseworker),
		g(forced, forcedAdmin, model.RoleOrgAdmin), g(forced, forcedAdmin, model.RoleCaseworker),
		g(housing, plain, model.RoleCaseworker), g(housing, plain, model.RoleLead),
	}}
	var logs bytes.Buffer
	en, err := authz.NewWithPolicy(context.Background(), policies.Model, policies.Policy,
		func(context.Context) (authz.Snapshot, error) { return snap, nil },
		authz.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	reads := func(user uuid.UUID, org model.Organisation) bool {
		ok, err := en.Allowed(user, org.ID, "case", "read")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, tt := range []struct {
		name string
		user uuid.UUID
		org  model.Organisation
		want bool
	}{
		{"dpo who was made a caseworker", dpoUser, housing, false},
		{"sysadmin who was made a lead", saUser, housing, false},
		{"org_admin and caseworker in a partner with the exception", smallAdmin, partner, true},
		{"org_admin of a partner with the exception, caseworker in another", crossAdmin, other, false},
		{"org_admin and caseworker in a municipal department with the flag forced", forcedAdmin, forced, false},
		{"caseworker and lead", plain, housing, true},
	} {
		if got := reads(tt.user, tt.org); got != tt.want {
			t.Errorf("%s: reads cases = %t, want %t", tt.name, got, tt.want)
		}
	}
	// The roles without case content still count.
	if ok, _ := en.Allowed(dpoUser, city.ID, "audit", "read"); !ok {
		t.Error("the dpo lost the audit log")
	}
	if ok, _ := en.Allowed(crossAdmin, partner.ID, "member", "create"); !ok {
		t.Error("the organisation administrator lost the members")
	}
	if got := len(en.Withheld()); got != 4 {
		t.Errorf("withheld %d grants, want 4: %+v", got, en.Withheld())
	}
	if n := strings.Count(logs.String(), "grant withheld"); n != 4 {
		t.Errorf("%d warnings, want 4:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "role=caseworker") || !strings.Contains(logs.String(), "conflicts_with=dpo") {
		t.Errorf("the warning does not name the roles:\n%s", logs.String())
	}
}
