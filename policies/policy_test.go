package policies_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/policies"
)

// The objects that hold case content. Administrators, the coordination staff and the data
// protection officer must never reach them (separation of duties).
var caseContent = []string{"case", "plan", "consent", "referral", "task", "note"}

// world is the in-memory snapshot the policy tests run on: a municipal parent with a child
// department (for org_tree), a partner (welfare) with a local office, and for every role one
// user holding it in the municipal parent and one holding it in the partner. The child and
// the local office are organisations of the same class in which nobody holds a grant.
type world struct {
	en *authz.Enforcer
	// orgs by class: [0] where the grants are held, [1] the child without grants.
	orgs  map[string][2]uuid.UUID
	users map[string]map[model.Role]uuid.UUID // class -> role -> user
}

const (
	mun = string(model.ClassMunicipal)
	par = string(model.ClassPartner)
)

func newWorld(t *testing.T, extra func(w *world) []model.Grant) *world {
	t.Helper()
	city := model.Organisation{ID: uuid.New(), Kind: model.OrgMunicipal, Name: "Stadt", ShortName: "stadt", Active: true}
	dept := model.Organisation{ID: uuid.New(), ParentID: &city.ID, Kind: model.OrgMunicipal, Name: "Fachdienst Integration", ShortName: "fd-int", Active: true}
	welfare := model.Organisation{ID: uuid.New(), Kind: model.OrgWelfare, Name: "Caritas", ShortName: "caritas", Active: true}
	office := model.Organisation{ID: uuid.New(), ParentID: &welfare.ID, Kind: model.OrgWelfare, Name: "Caritas Schinkel", ShortName: "caritas-schinkel", Active: true}
	w := &world{
		orgs:  map[string][2]uuid.UUID{mun: {city.ID, dept.ID}, par: {welfare.ID, office.ID}},
		users: map[string]map[model.Role]uuid.UUID{mun: {}, par: {}},
	}
	snap := authz.Snapshot{Orgs: []model.Organisation{city, dept, welfare, office}}
	for _, class := range []string{mun, par} {
		for _, r := range model.Roles {
			u := uuid.New()
			w.users[class][r] = u
			snap.Grants = append(snap.Grants, model.Grant{ID: uuid.New(), UserID: u, OrgID: w.orgs[class][0], Role: r})
		}
	}
	if extra != nil {
		snap.Grants = append(snap.Grants, extra(w)...)
	}
	en, err := authz.NewWithPolicy(context.Background(), policies.Model, policies.Policy,
		func(context.Context) (authz.Snapshot, error) { return snap, nil })
	if err != nil {
		t.Fatalf("NewWithPolicy: %v", err)
	}
	w.en = en
	return w
}

// has asks the enforcer whether user, acting in org, gets scope for act on obj.
func has(t *testing.T, en *authz.Enforcer, user, org uuid.UUID, obj, act string, scope model.ScopeKind) bool {
	t.Helper()
	sc, err := en.Scope(user, org, obj, act)
	if err != nil {
		t.Fatalf("Scope: %v", err)
	}
	return sc.Has(scope)
}

// decision is one expected answer: a user holding role in an organisation of class, acting
// there (or, with elsewhere, in another organisation of the same class where they hold no
// grant), asks for scope on obj.act.
type decision struct {
	role      model.Role
	class     string
	obj, act  string
	scope     model.ScopeKind
	elsewhere bool
	allow     bool
	why       string // for denies: what the deny protects
}

func (d decision) name() string {
	s := fmt.Sprintf("%s@%s/%s.%s/%s", d.role, d.class, d.obj, d.act, d.scope)
	if d.elsewhere {
		s += "/elsewhere"
	}
	if d.allow {
		return "allow/" + s
	}
	return "deny/" + s
}

const (
	cw    = model.RoleCaseworker
	lead  = model.RoleLead
	coord = model.RoleCoordinator
	oa    = model.RoleOrgAdmin
	sa    = model.RoleSysadmin
	dpo   = model.RoleDPO

	all      = model.ScopeAll
	orgTree  = model.ScopeOrgTree
	org      = model.ScopeOrg
	referred = model.ScopeReferred
	assigned = model.ScopeAssigned

	here      = false
	elsewhere = true
	allow     = true
	deny      = false
)

// decisions is the expected behaviour of policies/policy.csv. Every p-line has at least one
// allow and one deny here (TestEveryRuleIsCovered checks it).
var decisions = []decision{
	// Caseworkers in municipal departments.
	{cw, mun, "case", "read", org, here, allow, ""},
	{cw, par, "case", "read", org, here, deny, "a partner has no cases of its own"},
	{cw, par, "case", "read", referred, here, allow, ""},
	{cw, mun, "case", "read", referred, here, allow, ""},
	{lead, mun, "case", "read", referred, here, allow, ""},
	{lead, mun, "case", "read", referred, elsewhere, deny, "a grant counts only in its organisation"},
	{lead, par, "case", "read", assigned, here, allow, ""},
	{lead, par, "case", "read", assigned, elsewhere, deny, "a grant counts only in its organisation"},
	{lead, mun, "referral", "read", referred, here, allow, ""},
	{lead, mun, "referral", "read", referred, elsewhere, deny, "a grant counts only in its organisation"},
	{lead, par, "note", "read", referred, here, allow, ""},
	{lead, par, "note", "read", referred, elsewhere, deny, "a grant counts only in its organisation"},
	{cw, par, "case", "read", assigned, here, allow, ""},
	{cw, par, "case", "read", assigned, elsewhere, deny, "a grant counts only in its organisation"},
	{cw, mun, "case", "create", org, here, allow, ""},
	{cw, par, "case", "create", org, here, deny, "a partner cannot open a case"},
	{cw, mun, "case", "update", org, here, allow, ""},
	{cw, par, "case", "update", org, here, deny, "a partner cannot change a case"},
	{cw, mun, "plan", "read", org, here, allow, ""},
	{cw, par, "plan", "read", org, here, deny, "a partner has no plans of its own"},
	{cw, par, "plan", "read", referred, here, allow, ""},
	{lead, mun, "plan", "read", referred, here, allow, ""},
	{lead, mun, "plan", "read", referred, elsewhere, deny, "a grant counts only in its organisation"},
	{cw, mun, "plan", "update", org, here, allow, ""},
	{cw, par, "plan", "update", org, here, deny, "a partner updates referred areas only"},
	{cw, par, "plan", "update", referred, here, allow, ""},
	{dpo, par, "plan", "update", referred, here, deny, "no case content for the DPO"},
	{cw, mun, "consent", "read", org, here, allow, ""},
	{cw, par, "consent", "read", org, here, deny, "a partner does not see consents"},
	{cw, mun, "consent", "create", org, here, allow, ""},
	{cw, par, "consent", "create", org, here, deny, "a partner does not record consents"},
	{cw, mun, "consent", "revoke", org, here, allow, ""},
	{cw, par, "consent", "revoke", org, here, deny, "a partner does not revoke consents"},
	{cw, mun, "referral", "read", org, here, allow, ""},
	{cw, par, "referral", "read", org, here, deny, "a partner sees referrals to it only"},
	{cw, par, "referral", "read", referred, here, allow, ""},
	{coord, mun, "referral", "read", referred, here, deny, "no case content for the coordination staff"},
	{cw, mun, "referral", "create", org, here, allow, ""},
	{cw, par, "referral", "create", org, here, deny, "a partner does not refer onwards"},
	{cw, mun, "referral", "withdraw", org, here, allow, ""},
	{cw, par, "referral", "withdraw", org, here, deny, "only the sender withdraws"},
	{cw, par, "referral", "answer", referred, here, allow, ""},
	{cw, par, "referral", "answer", org, here, deny, "a referral is answered by its receiver"},
	{lead, par, "referral", "answer", referred, here, deny, "a lead does not answer referrals"},
	{cw, par, "task", "read", org, here, allow, ""},
	{cw, mun, "task", "read", org, here, allow, ""},
	{cw, mun, "task", "read", org, elsewhere, deny, "a grant counts only in its organisation"},
	{cw, mun, "task", "create", org, here, allow, ""},
	{cw, par, "task", "create", org, here, deny, "a partner creates tasks on referred cases only"},
	{cw, par, "task", "create", referred, here, allow, ""},
	{oa, par, "task", "create", referred, here, deny, "no case content for organisation admins"},
	{cw, mun, "task", "update", org, here, allow, ""},
	{sa, mun, "task", "update", org, here, deny, "no case content for system admins"},
	{cw, mun, "note", "read", org, here, allow, ""},
	{cw, par, "note", "read", org, here, deny, "a partner reads notes of referred areas only"},
	{cw, par, "note", "read", referred, here, allow, ""},
	{dpo, mun, "note", "read", referred, here, deny, "no case content for the DPO"},
	{cw, mun, "note", "create", org, here, allow, ""},
	{cw, par, "note", "create", org, here, deny, "a partner writes notes on referred areas only"},
	{cw, par, "note", "create", referred, here, allow, ""},
	{lead, mun, "note", "create", referred, here, deny, "a lead reads, it does not write notes"},
	{cw, par, "organisation", "read", all, here, allow, ""},
	{cw, mun, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},

	// Department heads.
	{lead, mun, "case", "read", orgTree, here, allow, ""},
	{cw, mun, "case", "read", orgTree, here, deny, "a caseworker sees its own organisation only"},
	{lead, par, "plan", "read", orgTree, here, allow, ""},
	{cw, mun, "plan", "read", orgTree, here, deny, "a caseworker sees its own organisation only"},
	{lead, mun, "referral", "read", orgTree, here, allow, ""},
	{lead, mun, "referral", "read", orgTree, elsewhere, deny, "a lead of the parent does not act in the child"},
	{lead, mun, "task", "read", orgTree, here, allow, ""},
	{lead, mun, "task", "read", all, here, deny, "nobody browses all tasks of the city"},
	{lead, mun, "task", "reassign", orgTree, here, allow, ""},
	{cw, mun, "task", "reassign", orgTree, here, deny, "reassigning is for leads"},
	{lead, mun, "note", "read", orgTree, here, allow, ""},
	{sa, mun, "note", "read", orgTree, here, deny, "no case content for system admins"},
	{lead, mun, "organisation", "read", all, here, allow, ""},
	{lead, par, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},
	{lead, mun, "member", "read", orgTree, here, allow, ""},
	{oa, mun, "member", "read", orgTree, here, deny, "an org admin manages its own organisation only"},

	// Handing cases over, naming who answers a referral, and the names of staff.
	{cw, mun, "handover", "answer", org, here, allow, ""},
	{cw, par, "handover", "answer", org, here, deny, "only municipal organisations lead cases"},
	{lead, mun, "handover", "answer", orgTree, here, allow, ""},
	{coord, mun, "handover", "answer", orgTree, here, deny, "no case content for the coordination staff"},
	{lead, mun, "case", "reassign", orgTree, here, allow, ""},
	{cw, mun, "case", "reassign", orgTree, here, deny, "handing a case over in the team is for leads"},
	{lead, par, "referral", "reassign", orgTree, here, allow, ""},
	{cw, par, "referral", "reassign", orgTree, here, deny, "naming who answers is for leads"},
	{cw, par, "staff", "read", org, here, allow, ""},
	{cw, mun, "staff", "read", org, elsewhere, deny, "colleagues are those of the own organisation"},
	{cw, par, "staff", "read", referred, here, allow, ""},
	{sa, mun, "staff", "read", referred, here, deny, "contact persons are for the two sides of a referral"},
	{lead, mun, "staff", "read", orgTree, here, allow, ""},
	{cw, mun, "staff", "read", orgTree, here, deny, "a caseworker's colleagues are the own organisation, not the subtree"},
	{lead, par, "staff", "read", referred, here, allow, ""},

	// The coordination staff.
	{coord, mun, "statistics", "read", all, here, allow, ""},
	{cw, mun, "statistics", "read", all, here, deny, "city-wide figures are for the coordination staff"},
	{coord, par, "organisation", "read", all, here, allow, ""},
	{coord, mun, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},

	// Organisation administrators.
	{oa, mun, "organisation", "read", all, here, allow, ""},
	{oa, par, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},
	{oa, mun, "organisation", "update", org, here, allow, ""},
	{lead, mun, "organisation", "update", org, here, deny, "a lead does not administer"},
	{oa, par, "member", "read", org, here, allow, ""},
	{oa, mun, "member", "read", all, here, deny, "an org admin manages its own organisation only"},
	{oa, mun, "member", "create", org, here, allow, ""},
	{cw, mun, "member", "create", org, here, deny, "a caseworker does not administer"},
	{oa, mun, "member", "update", org, here, allow, ""},
	{dpo, mun, "member", "update", org, here, deny, "the DPO reviews, it does not administer"},
	{oa, mun, "grant:caseworker", "manage", org, here, allow, ""},
	{oa, par, "grant:caseworker", "manage", org, elsewhere, deny, "a grant counts only in its organisation"},
	{oa, par, "grant:lead", "manage", org, here, allow, ""},
	{lead, mun, "grant:lead", "manage", org, here, deny, "a lead does not grant roles"},
	{oa, mun, "grant:org_admin", "manage", org, here, allow, ""},
	{oa, mun, "grant:org_admin", "manage", all, here, deny, "an org admin manages its own organisation only"},
	{oa, mun, "grant:sysadmin", "manage", org, here, deny, "an org admin cannot make system admins"},
	{oa, mun, "grant:dpo", "manage", org, here, deny, "an org admin cannot appoint the DPO"},
	{oa, mun, "grant:coordinator", "manage", org, here, deny, "an org admin cannot grant city-wide figures"},

	// System administrators.
	{sa, mun, "organisation", "read", all, here, allow, ""},
	{sa, mun, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},
	{sa, mun, "organisation", "create", all, here, allow, ""},
	{oa, mun, "organisation", "create", all, here, deny, "only system admins create organisations"},
	{sa, par, "organisation", "update", all, here, allow, ""},
	{sa, mun, "admin_casework", "allow", all, here, allow, ""},
	{oa, par, "admin_casework", "allow", all, here, deny, "an organisation administrator never allows itself case work"},
	{oa, par, "admin_casework", "allow", org, here, deny, "an organisation administrator never allows itself case work"},
	{oa, mun, "organisation", "update", all, here, deny, "an org admin manages its own organisation only"},
	{sa, mun, "member", "read", all, here, allow, ""},
	{lead, mun, "member", "read", all, here, deny, "a lead sees its org tree only"},
	{sa, mun, "member", "create", all, here, allow, ""},
	{oa, mun, "member", "create", all, here, deny, "an org admin manages its own organisation only"},
	{sa, mun, "member", "update", all, here, allow, ""},
	{sa, par, "member", "update", all, elsewhere, deny, "a grant counts only in its organisation"},
	{sa, mun, "grant:caseworker", "manage", all, here, allow, ""},
	{oa, mun, "grant:caseworker", "manage", all, here, deny, "an org admin manages its own organisation only"},
	{sa, mun, "grant:lead", "manage", all, here, allow, ""},
	{oa, mun, "grant:lead", "manage", all, here, deny, "an org admin manages its own organisation only"},
	{sa, mun, "grant:coordinator", "manage", all, here, allow, ""},
	{oa, mun, "grant:coordinator", "manage", all, here, deny, "an org admin cannot grant city-wide figures"},
	{sa, mun, "grant:org_admin", "manage", all, here, allow, ""},
	{oa, par, "grant:org_admin", "manage", all, here, deny, "an org admin manages its own organisation only"},
	{sa, mun, "grant:sysadmin", "manage", all, here, allow, ""},
	{oa, mun, "grant:sysadmin", "manage", all, here, deny, "an org admin cannot make system admins"},
	{sa, mun, "grant:dpo", "manage", all, here, allow, ""},
	{dpo, mun, "grant:dpo", "manage", all, here, deny, "the DPO does not appoint itself"},
	{sa, mun, "policy", "read", all, here, allow, ""},
	{cw, mun, "policy", "read", all, here, deny, "the permission model is for admins and the DPO"},

	// The data protection officer.
	{dpo, mun, "audit", "read", all, here, allow, ""},
	{sa, mun, "audit", "read", all, here, deny, "system admins do not review the access log"},
	{dpo, mun, "audit", "export", all, here, allow, ""},
	{coord, mun, "audit", "export", all, here, deny, "the access log is for the DPO"},
	{dpo, mun, "audit", "verify", all, here, allow, ""},
	{sa, mun, "audit", "verify", all, here, deny, "the check of the audit chain is for the DPO"},
	{dpo, mun, "privacy", "read", all, here, allow, ""},
	{cw, mun, "privacy", "read", all, here, deny, "the data protection documents are for the DPO"},
	{sa, mun, "privacy", "read", all, here, deny, "the data protection documents are for the DPO"},
	// Deletion on schedule and subject access: the data protection officer's, with the
	// department heads confirming the requests for the cases their organisation leads.
	{dpo, mun, "retention", "read", all, here, allow, ""},
	{sa, mun, "retention", "read", all, here, deny, "retention is for the DPO"},
	{dpo, mun, "retention", "update", all, here, allow, ""},
	{lead, mun, "retention", "update", all, here, deny, "legal holds are set by the DPO"},
	{dpo, mun, "subject_access", "create", all, here, allow, ""},
	{cw, mun, "subject_access", "create", all, here, deny, "caseworkers do not answer subject access requests"},
	{dpo, mun, "subject_access", "read", all, here, allow, ""},
	{coord, mun, "subject_access", "read", all, here, deny, "subject access is for the DPO"},
	{dpo, mun, "subject_access", "export", all, here, allow, ""},
	{sa, mun, "subject_access", "export", all, here, deny, "no case content for system admins"},
	{lead, mun, "subject_access", "confirm", orgTree, here, allow, ""},
	{cw, mun, "subject_access", "confirm", orgTree, here, deny, "the department head confirms, not a caseworker"},
	{cw, mun, "emergency_access", "create", org, here, allow, ""},
	{cw, par, "emergency_access", "create", org, here, deny, "emergency access is for caseworkers of municipal departments only"},
	{lead, mun, "emergency_access", "create", org, here, deny, "a department head reads the cases of the subtree anyway"},
	{dpo, mun, "emergency_access", "review", all, here, allow, ""},
	{sa, mun, "emergency_access", "review", all, here, deny, "the review is the DPO's"},
	{dpo, mun, "emergency_access", "create", org, here, deny, "the DPO never opens case content"},
	{dpo, par, "policy", "read", all, here, allow, ""},
	{lead, mun, "policy", "read", all, here, deny, "the permission model is for admins and the DPO"},
	{dpo, mun, "organisation", "read", all, here, allow, ""},
	{dpo, mun, "organisation", "read", all, elsewhere, deny, "a grant counts only in its organisation"},
	{dpo, mun, "member", "read", all, here, allow, ""},
	{dpo, mun, "member", "read", org, here, deny, "the DPO's view is city-wide, not per organisation"},
	// Every member: their own notifications, nobody else's.
	{cw, par, "notification", "read", model.ScopeSelf, here, allow, ""},
	{cw, par, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{cw, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{cw, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{lead, mun, "notification", "read", model.ScopeSelf, here, allow, ""},
	{lead, mun, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{lead, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{lead, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{coord, mun, "notification", "read", model.ScopeSelf, here, allow, ""},
	{coord, mun, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{coord, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{coord, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{oa, par, "notification", "read", model.ScopeSelf, here, allow, ""},
	{oa, par, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{oa, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{oa, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{sa, mun, "notification", "read", model.ScopeSelf, here, allow, ""},
	{sa, mun, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{sa, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{sa, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{dpo, mun, "notification", "read", model.ScopeSelf, here, allow, ""},
	{dpo, mun, "notification", "read", all, here, deny, "a member reads and marks only their own notifications"},
	{dpo, mun, "notification", "update", model.ScopeSelf, here, allow, ""},
	{dpo, mun, "notification", "update", all, here, deny, "a member reads and marks only their own notifications"},
	{cw, mun, "notification", "read", model.ScopeSelf, elsewhere, deny, "a grant counts only in its organisation"},
}

func TestDecisions(t *testing.T) {
	w := newWorld(t, nil)
	seen := map[string]bool{}
	for _, d := range decisions {
		t.Run(d.name(), func(t *testing.T) {
			if seen[d.name()] {
				t.Fatalf("the table has %s twice", d.name())
			}
			seen[d.name()] = true
			org := w.orgs[d.class][0]
			if d.elsewhere {
				org = w.orgs[d.class][1]
			}
			got := has(t, w.en, w.users[d.class][d.role], org, d.obj, d.act, d.scope)
			if got != d.allow {
				t.Errorf("got allow=%t, want %t (%s)", got, d.allow, d.why)
			}
		})
	}
}

// TestEveryRuleIsCovered: every p-line of policy.csv has an allow and a deny in decisions, so
// that no line is untested and removing or widening any line fails a test.
func TestEveryRuleIsCovered(t *testing.T) {
	w := newWorld(t, nil)
	rules := w.en.Rules()
	if len(rules) == 0 {
		t.Fatal("no rules")
	}
	for _, r := range rules {
		role, class, obj, act, scope := model.Role(r[0]), r[1], r[2], r[3], model.ScopeKind(r[4])
		var allowed, denied bool
		for _, d := range decisions {
			if d.obj != obj || d.act != act {
				continue
			}
			if d.allow && d.role == role && d.scope == scope && !d.elsewhere && (class == "*" || d.class == class) {
				allowed = true
			}
			// A deny tests the line when it asks for the same thing with one part changed:
			// another role, another class, another scope or an organisation without the grant.
			if !d.allow && (d.role == role || d.scope == scope) {
				denied = true
			}
		}
		line := "p, " + strings.Join(r, ", ")
		if !allowed {
			t.Errorf("no allow in the decision table tests `%s`", line)
		}
		if !denied {
			t.Errorf("no deny in the decision table tests `%s`", line)
		}
	}
}

// TestDecisionsFollowRules checks the model (model.conf) against the lines exhaustively:
// for every role, class, object, action and scope, a user is granted exactly what a line
// for one of their roles and the acting organisation's class says, and nothing in an
// organisation where they hold no grant.
func TestDecisionsFollowRules(t *testing.T) {
	w := newWorld(t, nil)
	rules := w.en.Rules()
	type objAct struct{ obj, act string }
	var pairs []objAct
	for _, r := range rules {
		if p := (objAct{r[2], r[3]}); !slices.Contains(pairs, p) {
			pairs = append(pairs, p)
		}
	}
	for _, o := range caseContent {
		if p := (objAct{o, "delete"}); !slices.Contains(pairs, p) {
			pairs = append(pairs, p)
		}
	}
	for _, class := range []string{mun, par} {
		for _, role := range model.Roles {
			for i, org := range w.orgs[class] {
				for _, p := range pairs {
					sc, err := w.en.Scope(w.users[class][role], org, p.obj, p.act)
					if err != nil {
						t.Fatal(err)
					}
					var want []model.ScopeKind
					for _, k := range model.ScopeKinds {
						if i == 0 && slices.ContainsFunc(rules, func(r []string) bool {
							return r[0] == string(role) && (r[1] == "*" || r[1] == class) && r[2] == p.obj && r[3] == p.act && r[4] == string(k)
						}) {
							want = append(want, k)
						}
					}
					if !slices.Equal(sc.Kinds, want) {
						t.Errorf("%s in a %s organisation (grant here: %t), %s.%s: got %v, want %v", role, class, i == 0, p.obj, p.act, sc.Kinds, want)
					}
				}
			}
		}
	}
}

// TestSeparationOfDuties: system administrators, the data protection officer, the
// coordination staff and organisation administrators have no scope at all on case content,
// in any organisation, not even when one person holds all of these roles at once.
func TestSeparationOfDuties(t *testing.T) {
	noContent := []model.Role{sa, dpo, coord, oa}
	all4 := uuid.New()
	w := newWorld(t, func(w *world) []model.Grant {
		var gs []model.Grant
		for _, class := range []string{mun, par} {
			for _, r := range noContent {
				gs = append(gs, model.Grant{ID: uuid.New(), UserID: all4, OrgID: w.orgs[class][0], Role: r})
			}
		}
		return gs
	})
	if got := w.en.Roles(all4, w.orgs[mun][0]); len(got) != len(noContent) {
		t.Fatalf("the combined user holds %v, want %v", got, noContent)
	}

	actions := map[string]bool{"delete": true, "export": true}
	for _, r := range w.en.Rules() {
		actions[r[3]] = true
		if slices.Contains(noContent, model.Role(r[0])) && slices.Contains(caseContent, r[2]) {
			t.Errorf("a policy line gives %s case content: p, %s", r[0], strings.Join(r, ", "))
		}
		// Need to know: nobody browses all cases of the city.
		if slices.Contains(caseContent, r[2]) && r[4] == string(all) {
			t.Errorf("a policy line reaches all case content of the city: p, %s", strings.Join(r, ", "))
		}
	}
	for _, class := range []string{mun, par} {
		for _, org := range w.orgs[class] {
			users := []uuid.UUID{all4}
			for _, r := range noContent {
				users = append(users, w.users[class][r])
			}
			for _, u := range users {
				for _, obj := range caseContent {
					for act := range actions {
						sc, err := w.en.Scope(u, org, obj, act)
						if err != nil {
							t.Fatal(err)
						}
						if sc.Allowed() {
							t.Errorf("user with roles %v in a %s organisation gets %v on %s.%s", w.en.Roles(u, w.orgs[class][0]), class, sc.Kinds, obj, act)
						}
					}
				}
			}
		}
	}
}

// TestPartnerCaseworker: a caseworker of a partner organisation never opens a case and
// reaches case content only through a referral or an assignment. Its "org" scope on tasks
// means the tasks addressed to its own organisation, never a case of its own.
func TestPartnerCaseworker(t *testing.T) {
	w := newWorld(t, nil)
	u, p := w.users[par][cw], w.orgs[par][0]
	for _, act := range []string{"create", "update"} {
		if sc, _ := w.en.Scope(u, p, "case", act); sc.Allowed() {
			t.Errorf("a partner caseworker gets %v for case.%s", sc.Kinds, act)
		}
	}
	actions := map[string]bool{}
	for _, r := range w.en.Rules() {
		actions[r[3]] = true
	}
	for _, obj := range caseContent {
		allowed := []model.ScopeKind{referred, assigned}
		if obj == "task" {
			allowed = append(allowed, org)
		}
		for act := range actions {
			sc, err := w.en.Scope(u, p, obj, act)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range sc.Kinds {
				if !slices.Contains(allowed, k) {
					t.Errorf("a partner caseworker gets scope %s on %s.%s; allowed are only %v", k, obj, act, allowed)
				}
			}
		}
	}
	if sc, _ := w.en.Scope(u, p, "consent", "read"); sc.Allowed() {
		t.Errorf("a partner caseworker reads consents with %v", sc.Kinds)
	}
	if !has(t, w.en, u, p, "referral", "answer", referred) || !has(t, w.en, u, p, "case", "read", referred) {
		t.Error("a partner caseworker cannot work its referrals")
	}
}

// TestOrgTree: a lead acting in the parent reaches the parent and the child through
// org_tree; holding a role in the parent is no role in the child.
func TestOrgTree(t *testing.T) {
	both := uuid.New()
	w := newWorld(t, func(w *world) []model.Grant {
		return []model.Grant{
			{ID: uuid.New(), UserID: both, OrgID: w.orgs[mun][0], Role: cw},
			{ID: uuid.New(), UserID: both, OrgID: w.orgs[mun][0], Role: lead},
		}
	})
	city, dept := w.orgs[mun][0], w.orgs[mun][1]
	sc, err := w.en.Scope(w.users[mun][lead], city, "case", "read")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sc.Kinds, []model.ScopeKind{orgTree, referred, assigned}) || !slices.Equal(sc.OrgTree, []uuid.UUID{city, dept}) {
		t.Errorf("lead in the parent: kinds %v, tree %v; want [org_tree referred assigned], [%v %v]", sc.Kinds, sc.OrgTree, city, dept)
	}
	if sc, _ := w.en.Scope(w.users[mun][lead], dept, "case", "read"); sc.Allowed() {
		t.Errorf("lead of the parent acting in the child gets %v", sc.Kinds)
	}
	// Two roles: the union of their scopes.
	sc, _ = w.en.Scope(both, city, "case", "read")
	if want := []model.ScopeKind{orgTree, org, referred, assigned}; !slices.Equal(sc.Kinds, want) {
		t.Errorf("caseworker and lead: got %v, want %v", sc.Kinds, want)
	}
	// Without org_tree the tree is not filled.
	if sc, _ := w.en.Scope(w.users[mun][cw], city, "case", "read"); sc.OrgTree != nil {
		t.Errorf("caseworker scope carries a tree %v", sc.OrgTree)
	}
}

// TestPolicyErrors: a typo in policy.csv or model.conf stops the start instead of silently
// granting or denying.
func TestPolicyErrors(t *testing.T) {
	const good = "p, caseworker, municipal, case, read, org\n"
	tests := []struct {
		name, model, policy, want string
	}{
		{"unknown role", policies.Model, good + "p, casewroker, municipal, case, read, org\n", "unknown role"},
		{"unknown scope", policies.Model, good + "p, lead, *, case, read, orgtree\n", "unknown scope"},
		{"unknown class", policies.Model, good + "p, lead, partners, case, read, org_tree\n", "unknown organisation class"},
		{"duplicate line", policies.Model, good + "# again\np,caseworker,municipal,case,read,org\n", "line 3 repeats line 1"},
		{"missing field", policies.Model, good + "p, lead, *, case, read\n", "want `p, role"},
		{"extra field", policies.Model, good + "p, lead, *, case, read, org_tree, deny\n", "want `p, role"},
		{"not a p-line", policies.Model, good + "g, alice, lead, org1\n", "want `p, role"},
		{"empty", policies.Model, "# nothing\n", "grants nothing"},
		{"broken model", "[request_definition]\nr = sub\n", good, "authz: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, err := authz.NewWithPolicy(context.Background(), tt.model, tt.policy,
				func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil })
			if err == nil {
				t.Fatalf("accepted; rules %v", en.Rules())
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	// The embedded policy itself is accepted.
	if _, err := authz.NewWithPolicy(context.Background(), policies.Model, policies.Policy,
		func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil }); err != nil {
		t.Fatalf("the embedded policy: %v", err)
	}
}
