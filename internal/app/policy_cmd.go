package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// PolicyCmd groups the policy tools.
type PolicyCmd struct {
	Check  PolicyCheckCmd  `cmd:"" help:"Explain one decision: which policy line allows it, or that none does."`
	Matrix PolicyMatrixCmd `cmd:"" help:"Print the permission matrix (role x object x action x scope) as Markdown; docs/permissions.md is its output."`
}

// PolicyMatrixCmd prints the permission concept.
type PolicyMatrixCmd struct{}

// Run renders the embedded policy; it needs no database.
func (PolicyMatrixCmd) Run(_ *config.Config, e *env) error {
	rules, err := policyRules(e.ctx)
	if err != nil {
		return err
	}
	_, err = io.WriteString(e.stdout, renderMatrix(rules))
	return err
}

// policyRules returns the lines of the embedded policy, checked as at start-up.
func policyRules(ctx context.Context) ([][]string, error) {
	en, err := authz.New(ctx, func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil })
	if err != nil {
		return nil, err
	}
	return en.Rules(), nil
}

// PolicyCheckCmd explains one decision against the grants in the database.
type PolicyCheckCmd struct {
	User   string `required:"" help:"The user: id or e-mail address."`
	Org    string `required:"" help:"The organisation the user acts in: id or short name."`
	Action string `required:"" help:"The action, e.g. read."`
	Object string `required:"" help:"The object, e.g. case."`
}

// Run prints who asks, where, with which roles, and each scope granted with the line that
// grants it, or why nothing is granted. An answered question exits 0, allowed or not.
func (c PolicyCheckCmd) Run(cfg *config.Config, e *env) error {
	if err := cfg.Validate(true); err != nil {
		return err
	}
	log := newLogger(cfg, "text", e.stderr)
	a, err := New(e.ctx, cfg, log, false, Options{})
	if err != nil {
		return err
	}
	defer a.Close()

	var (
		user   *model.User
		org    model.Organisation
		grants []model.Role // stored grants in org, whether they count or not
	)
	err = a.store.Read(e.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		var err error
		if id, perr := uuid.Parse(c.User); perr == nil {
			user, err = tx.Users().ByID(e.ctx, id)
		} else {
			user, err = tx.Users().ByEmail(e.ctx, c.User)
		}
		if errors.Is(err, model.ErrNotFound) {
			return errors.New("policy check: no user has this id or e-mail address (--user)")
		}
		if err != nil {
			return err
		}
		orgs, err := tx.Organisations().All(e.ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(orgs, func(o model.Organisation) bool {
			return o.ID.String() == strings.ToLower(c.Org) || strings.EqualFold(o.ShortName, c.Org)
		})
		if i < 0 {
			return fmt.Errorf("policy check: no organisation has the id or short name %q (--org)", c.Org)
		}
		org = orgs[i]
		gs, err := tx.Grants().ForUser(e.ctx, user.ID)
		for _, g := range gs {
			if g.OrgID == org.ID {
				grants = append(grants, g.Role)
			}
		}
		return err
	})
	if err != nil {
		return err
	}

	w := e.stdout
	fmt.Fprintf(w, "user:         %s <%s> (%s)\n", user.DisplayName, user.Email, user.ID)
	fmt.Fprintf(w, "organisation: %s (%s, %s), kind %s, class %s\n", org.Name, org.ShortName, org.ID, org.Kind, org.Kind.Class())
	fmt.Fprintf(w, "roles there:  %s\n", orNone(grants))
	fmt.Fprintf(w, "question:     %s on %s\n", c.Action, c.Object)

	roles := a.authz.Roles(user.ID, org.ID)
	ex, err := a.authz.Explain(user.ID, org.ID, c.Object, c.Action)
	if err != nil {
		return err
	}
	for _, x := range ex {
		fmt.Fprintf(w, "allowed with scope %s: rule `p, %s`\n", x.Scope, strings.Join(x.Rule, ", "))
	}
	if len(ex) > 0 {
		return nil
	}
	switch {
	case !user.Active:
		fmt.Fprintln(w, "denied: the user is inactive, so none of their roles counts")
	case !org.Active:
		fmt.Fprintln(w, "denied: the organisation is inactive, so no role in it counts")
	case len(roles) == 0:
		fmt.Fprintln(w, "denied: the user holds no role in this organisation")
	default:
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		fmt.Fprintf(w, "denied: no rule grants %s %s on %s in a %s organisation\n",
			strings.Join(names, " or "), c.Action, c.Object, org.Kind.Class())
	}
	rules := a.authz.Rules()
	switch {
	case !slices.ContainsFunc(rules, func(r []string) bool { return r[2] == c.Object }):
		fmt.Fprintf(w, "note: no rule mentions the object %q; the objects are %s\n", c.Object, strings.Join(ruleValues(rules, 2, ""), ", "))
	case !slices.ContainsFunc(rules, func(r []string) bool { return r[2] == c.Object && r[3] == c.Action }):
		fmt.Fprintf(w, "note: no rule mentions the action %q on %s; its actions are %s\n", c.Action, c.Object, strings.Join(ruleValues(rules, 3, c.Object), ", "))
	}
	return nil
}

func orNone(roles []model.Role) string {
	if len(roles) == 0 {
		return "none"
	}
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ruleValues lists field i of the rules (of object obj, when given) in order of first use.
func ruleValues(rules [][]string, i int, obj string) []string {
	var out []string
	for _, r := range rules {
		if (obj == "" || r[2] == obj) && !slices.Contains(out, r[i]) {
			out = append(out, r[i])
		}
	}
	return out
}

// The words of the permission concept, German first. Objects or actions added to the policy
// without a description here are listed with a dash until one is written.
var (
	roleText = map[model.Role][2]string{
		model.RoleCaseworker:  {"Fallmanager:in, Sachbearbeiter:in; in einer Partnerorganisation die Fachkraft des Partners", "caseworker; in a partner organisation the partner's caseworker"},
		model.RoleLead:        {"Fachdienst- oder Abteilungsleitung", "department head"},
		model.RoleCoordinator: {"Koordinierungsstab", "coordination staff"},
		model.RoleOrgAdmin:    {"Administration einer Organisation", "organisation administrator"},
		model.RoleSysadmin:    {"Systemadministration", "system administrator"},
		model.RoleDPO:         {"Datenschutzbeauftragte:r", "data protection officer"},
	}
	scopeText = map[model.ScopeKind][2]string{
		model.ScopeAll:      {"alle Datensätze der Objektart", "every record of the object type"},
		model.ScopeOrgTree:  {"Datensätze der handelnden Organisation und aller ihr untergeordneten Organisationen", "records of the acting organisation and of every organisation below it"},
		model.ScopeOrg:      {"Datensätze der handelnden Organisation (bei Fällen: federführend)", "records of the acting organisation (for cases: the lead organisation)"},
		model.ScopeReferred: {"Datensätze von Fällen mit einer aktiven, von einer Einwilligung gedeckten Vermittlung an die handelnde Organisation, nur die vermittelten Handlungsfelder", "records of cases with an active referral to the acting organisation covered by consent, limited to the referred areas"},
		model.ScopeAssigned: {"Datensätze, die eine der handelnden Organisation zugewiesene Aufgabe braucht", "records that a task assigned to the acting organisation needs"},
		model.ScopeSelf:     {"der eigene Datensatz der handelnden Person", "the acting user's own record"},
	}
	objectText = map[string][2]string{
		"case":         {"Fall", "case"},
		"plan":         {"Integrationsplan: Status je Handlungsfeld", "integration plan: status per area"},
		"consent":      {"Einwilligung, Schweigepflichtentbindung", "consent"},
		"referral":     {"Vermittlung", "referral"},
		"task":         {"Aufgabe", "task"},
		"note":         {"Vermerk", "note"},
		"organisation": {"Organisation", "organisation"},
		"member":       {"Mitglied: Benutzerkonto, gesehen über seine Organisationen", "member: a user account, seen through its organisations"},
		"statistics":   {"anonymisierte Statistik", "anonymised statistics"},
		"audit":        {"Zugriffsprotokoll", "access log (audit trail)"},
		"policy":       {"Berechtigungskonzept", "permission model"},
	}
	actionText = map[string][2]string{
		"read":     {"lesen", "read"},
		"create":   {"anlegen", "create"},
		"update":   {"ändern", "update"},
		"revoke":   {"widerrufen", "revoke"},
		"withdraw": {"zurückziehen", "withdraw"},
		"answer":   {"annehmen oder ablehnen, Rückmeldung geben", "accept or decline, report back"},
		"reassign": {"neu zuweisen", "reassign"},
		"manage":   {"vergeben und entziehen", "grant and revoke"},
		"export":   {"exportieren", "export"},
	}
	caseContentObjects = []string{"case", "plan", "consent", "referral", "task", "note"}
)

func describeObject(obj string) [2]string {
	if t, ok := objectText[obj]; ok {
		return t
	}
	if r, ok := strings.CutPrefix(obj, "grant:"); ok {
		return [2]string{"Vergabe der Rolle " + r, "grants of the role " + r}
	}
	return [2]string{"—", "—"}
}

func describe(m map[string][2]string, k string) [2]string {
	if t, ok := m[k]; ok {
		return t
	}
	return [2]string{"—", "—"}
}

// renderMatrix renders the permission concept from the policy lines. The output depends on
// nothing but the lines, so that docs/permissions.md can be checked byte for byte.
func renderMatrix(rules [][]string) string {
	objects := ruleValues(rules, 2, "")
	var pairs [][2]string // object, action: objects in order of first use, their actions too
	for _, o := range objects {
		for _, a := range ruleValues(rules, 3, o) {
			pairs = append(pairs, [2]string{o, a})
		}
	}
	var actions []string
	for _, p := range pairs {
		if !slices.Contains(actions, p[1]) {
			actions = append(actions, p[1])
		}
	}
	classOrder := []string{"*", string(model.ClassMunicipal), string(model.ClassPartner)}
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b []string) int {
		pa := slices.Index(pairs, [2]string{a[2], a[3]})
		pb := slices.Index(pairs, [2]string{b[2], b[3]})
		if pa != pb {
			return pa - pb
		}
		if sa, sb := slices.Index(model.ScopeKinds, model.ScopeKind(a[4])), slices.Index(model.ScopeKinds, model.ScopeKind(b[4])); sa != sb {
			return sa - sb
		}
		return slices.Index(classOrder, a[1]) - slices.Index(classOrder, b[1])
	})
	var noContent []string
	for _, role := range model.Roles {
		if !slices.ContainsFunc(rules, func(r []string) bool { return r[0] == string(role) && slices.Contains(caseContentObjects, r[2]) }) {
			noContent = append(noContent, "`"+string(role)+"`")
		}
	}
	var partnerKinds []string
	for _, k := range model.OrgKinds {
		if k.Class() == model.ClassPartner {
			partnerKinds = append(partnerKinds, "`"+string(k)+"`")
		}
	}

	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("<!-- Generated by `lotse policy matrix` from policies/policy.csv. Do not edit by hand;\n")
	p("     run `go run ./cmd/lotse policy matrix > docs/permissions.md` after changing the policy. -->\n\n")
	p("# Berechtigungskonzept / Permission concept\n\n")
	p("**Deutsch.** Dieses Dokument ist das Berechtigungskonzept von Lotse. Es wird mit\n")
	p("`lotse policy matrix` aus `policies/policy.csv` erzeugt, genau der Datei, die Lotse zur Laufzeit\n")
	p("durchsetzt; bitte nicht von Hand bearbeiten. Ein automatischer Test schlägt fehl, sobald dieses\n")
	p("Dokument nicht mehr zur Richtlinie passt.\n\n")
	p("**English.** This document is Lotse's permission concept. It is generated by\n")
	p("`lotse policy matrix` from `policies/policy.csv`, the very file Lotse enforces at run time; do\n")
	p("not edit it by hand. An automated test fails as soon as this document no longer matches the\n")
	p("policy.\n\n")

	p("## Grundsätze / Principles\n\n")
	p("- Was hier nicht erlaubt ist, ist verboten; eine Rolle ohne Zeile hat keine Berechtigung.\n")
	p("  Whatever is not granted here is denied; a role without a line has no permission.\n")
	p("- Rollen werden je Organisation vergeben (Person, Rolle, Organisation) und gelten nur in dieser\n")
	p("  Organisation, nicht in über- oder untergeordneten. Wer handelt, handelt in genau einer\n")
	p("  Organisation. Roles are granted per organisation (user, role, organisation) and count only in\n")
	p("  that organisation, not in the ones above or below it. A user acts in exactly one organisation\n")
	p("  at a time.\n")
	p("- Jede Berechtigung hat eine Reichweite; sie bestimmt, welche Datensätze erreicht werden. Hat\n")
	p("  eine Person mehrere Rollen, gilt die Vereinigung ihrer Reichweiten. Each permission carries a\n")
	p("  scope that decides which records it reaches; several roles reach the union of their scopes.\n")
	p("- Ein verborgener Datensatz ist von einem fehlenden nicht zu unterscheiden (404), in Listen,\n")
	p("  Zählungen, Suche und Exporten. A hidden record is indistinguishable from a missing one (404),\n")
	p("  in lists, counts, search and exports.\n")
	p("- Funktionstrennung: Die Rollen %s haben keine Berechtigung auf Fallinhalte (%s): weder die\n", strings.Join(noContent, ", "), codeList(caseContentObjects))
	p("  Administration noch die:der Datenschutzbeauftragte noch der Koordinierungsstab sehen Fälle.\n")
	p("  Separation of duties: the roles %s have no permission on case content: neither\n", strings.Join(noContent, ", "))
	p("  administrators nor the data protection officer nor the coordination staff see cases.\n\n")

	p("## Reichweiten / Scopes\n\n")
	p("| Reichweite / scope | Deutsch | English |\n| --- | --- | --- |\n")
	for _, k := range model.ScopeKinds {
		t := scopeText[k]
		p("| `%s` | %s | %s |\n", k, t[0], t[1])
	}
	p("\n## Organisationsklassen / Organisation classes\n\n")
	p("| Klasse / class | Deutsch | English |\n| --- | --- | --- |\n")
	p("| `*` | jede Organisation | any organisation |\n")
	p("| `municipal` | kommunale Fachdienste und Ämter (Art `municipal`) | municipal departments (kind `municipal`) |\n")
	p("| `partner` | Partnerorganisationen (Arten %s) | partner organisations (kinds %s) |\n",
		strings.Join(partnerKinds, ", "), strings.Join(partnerKinds, ", "))

	p("\n## Objekte und Aktionen / Objects and actions\n\n")
	p("| Objekt / object | Deutsch | English |\n| --- | --- | --- |\n")
	for _, o := range objects {
		t := describeObject(o)
		p("| `%s` | %s | %s |\n", o, t[0], t[1])
	}
	p("\n| Aktion / action | Deutsch | English |\n| --- | --- | --- |\n")
	for _, a := range actions {
		t := describe(actionText, a)
		p("| `%s` | %s | %s |\n", a, t[0], t[1])
	}

	p("\n## Übersicht / Overview\n\n")
	p("Zellen: Reichweiten; eine Klasse in Klammern beschränkt die Zeile auf Organisationen dieser\n")
	p("Klasse; — heißt keine Berechtigung. Cells: scopes; a class in parentheses limits the line to\n")
	p("organisations of that class; — means no permission.\n\n")
	p("| Objekt.Aktion / object.action |")
	for _, r := range model.Roles {
		p(" %s |", r)
	}
	p("\n| --- |%s\n", strings.Repeat(" --- |", len(model.Roles)))
	for _, pr := range pairs {
		p("| `%s.%s` |", pr[0], pr[1])
		for _, role := range model.Roles {
			var cells []string
			for _, r := range sorted {
				if r[0] == string(role) && r[2] == pr[0] && r[3] == pr[1] {
					c := r[4]
					if r[1] != "*" {
						c += " (" + r[1] + ")"
					}
					cells = append(cells, c)
				}
			}
			if len(cells) == 0 {
				cells = []string{"—"}
			}
			p(" %s |", strings.Join(cells, ", "))
		}
		p("\n")
	}

	p("\n## Rollen / Roles\n")
	for _, role := range model.Roles {
		t := roleText[role]
		p("\n### `%s`: %s / %s\n\n", role, t[0], t[1])
		var mine [][]string
		for _, r := range sorted {
			if r[0] == string(role) {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			p("Keine Berechtigung. No permission.\n")
			continue
		}
		p("| Objekt / object | Aktion / action | Organisationsklasse / organisation class | Reichweite / scope |\n")
		p("| --- | --- | --- | --- |\n")
		for _, r := range mine {
			p("| `%s` | `%s` | `%s` | `%s` |\n", r[2], r[3], r[1], r[4])
		}
	}
	return b.String()
}

func codeList(s []string) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}
