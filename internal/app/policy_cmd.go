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
	Check     PolicyCheckCmd     `cmd:"" help:"Explain one decision: which policy line allows it, or that none does."`
	Matrix    PolicyMatrixCmd    `cmd:"" help:"Print the permission matrix (role x object x action x scope) as Markdown; docs/permissions.md is its output."`
	Conflicts PolicyConflictsCmd `cmd:"" help:"List stored grants that breach the separation of duties (exit 1 when there are any) and the organisations whose administrators may also work cases."`
}

// PolicyMatrixCmd prints the permission concept.
type PolicyMatrixCmd struct{}

// Run renders the embedded policy; it needs no database.
func (PolicyMatrixCmd) Run(_ *config.Config, e *Env) error {
	rules, err := policyRules(e.Ctx)
	if err != nil {
		return err
	}
	_, err = io.WriteString(e.Stdout, renderMatrix(rules))
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
func (c PolicyCheckCmd) Run(cfg *config.Config, e *Env) error {
	a, err := OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()

	var (
		user   *model.User
		org    model.Organisation
		grants []model.Role // stored grants in org, whether they count or not
	)
	err = a.store.Read(e.Ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		var err error
		if id, perr := uuid.Parse(c.User); perr == nil {
			user, err = tx.Users().ByID(e.Ctx, id)
		} else {
			user, err = tx.Users().ByEmail(e.Ctx, c.User)
		}
		if errors.Is(err, model.ErrNotFound) {
			return errors.New("policy check: no user has this id or e-mail address (--user)")
		}
		if err != nil {
			return err
		}
		orgs, err := tx.Organisations().All(e.Ctx)
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
		gs, err := tx.Grants().ForUser(e.Ctx, user.ID)
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

	w := e.Stdout
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
	var withheld []string
	for _, c := range a.authz.Withheld() {
		if c.UserID == user.ID && c.OrgID == org.ID {
			withheld = append(withheld, fmt.Sprintf("%s (conflicts with %s in %s)", c.Role, c.With, c.WithOrgID))
		}
	}
	switch {
	case !user.Active:
		fmt.Fprintln(w, "denied: the user is inactive, so none of their roles counts")
	case len(withheld) > 0 && len(roles) == 0:
		fmt.Fprintf(w, "denied: the role here does not count, it breaches the separation of duties: %s; see `lotse policy conflicts`\n", strings.Join(withheld, ", "))
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
		"handover":     {"Übergabe der Federführung eines Falls an eine andere Organisation (vor der Annahme nur Aktenzeichen, Absender, Begründung)", "handover of a case's lead to another organisation (before acceptance only reference, sender, reason)"},
		"organisation": {"Organisation", "organisation"},
		"member":       {"Mitglied: Benutzerkonto, gesehen über seine Organisationen", "member: a user account, seen through its organisations"},
		"staff": {"Namen und dienstliche Kontaktdaten von Mitarbeitenden (Name, Organisation, dienstliche Telefonnummer und E-Mail); keine Fallinhalte, keine privaten Daten, nicht protokolliert. `org`/`org_tree`: Kolleg:innen; `referred`: die Ansprechpersonen von Vermittlungen, die die Organisation gesendet oder erhalten hat",
			"names and business contact data of staff (name, organisation, business phone and e-mail); no case content, no private data, not audited. `org`/`org_tree`: colleagues; `referred`: the contact persons of referrals the organisation sent or received"},
		"statistics": {"anonymisierte Statistik", "anonymised statistics"},
		"audit":      {"Zugriffsprotokoll", "access log (audit trail)"},
		"policy":     {"Berechtigungskonzept", "permission model"},
		"privacy": {"Dokumente des Datenschutzes: Verzeichnis von Verarbeitungstätigkeiten und Löschkonzept, aus dem Datenkatalog erzeugt",
			"data protection documents: record of processing activities and deletion concept, generated from the data catalogue"},
		"retention": {"Löschfristen: Vorschau des nächsten Löschlaufs und Löschsperren für Fälle (nur Aktenzeichen)",
			"deletion on schedule: preview of the next run and legal holds on cases (reference only)"},
		"subject_access": {"Auskunft nach Art. 15 DSGVO mit Zugriffshistorie, nach Bestätigung durch jede federführende Organisation",
			"subject access (GDPR Art. 15) with the access history, after every lead organisation confirmed"},
		"notification": {"eigene Benachrichtigungen (Glocke, Benachrichtigungsseite, E-Mail-Einstellungen); nennen einen Datensatz nur, wenn die Person ihn beim Lesen sehen darf",
			"own notifications (bell, notification page, e-mail settings); name a record only when the member may see it when reading"},
		"admin_casework": {"Ausnahme von der Funktionstrennung: Administration einer Partnerorganisation darf dort auch Fälle bearbeiten (Einstellung der Organisation)",
			"exception to the separation of duties: a partner organisation's administrators may also work its cases (organisation setting)"},
	}
	actionText = map[string][2]string{
		"read":     {"lesen", "read"},
		"create":   {"anlegen", "create"},
		"update":   {"ändern", "update"},
		"revoke":   {"widerrufen", "revoke"},
		"withdraw": {"zurückziehen", "withdraw"},
		"answer":   {"annehmen oder ablehnen, Rückmeldung geben", "accept or decline, report back"},
		"reassign": {"neu zuweisen (Aufgaben: Organisation und Person; erhaltene Vermittlungen: wer sie bearbeitet, eine Fachkraft der empfangenden Stelle)", "reassign (tasks: organisation and person; received referrals: who handles them, a caseworker of the receiving organisation)"},
		"manage":   {"vergeben und entziehen", "grant and revoke"},
		"export":   {"exportieren", "export"},
		"allow":    {"erlauben und zurücknehmen", "allow and withdraw"},
		"verify":   {"die Protokollkette prüfen", "verify the audit chain"},
		"confirm":  {"bestätigen (zweite Person)", "confirm (second pair of eyes)"},
	}
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
	duties := authz.DeriveDuties(rules)
	var noContent, content []string
	for _, role := range model.Roles {
		if duties.CaseContent(role) {
			content = append(content, "`"+string(role)+"`")
		} else {
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
	p("- Funktionstrennung: Die Rollen %s haben keine Berechtigung auf Fallinhalte (%s): weder die\n", strings.Join(noContent, ", "), codeList(authz.CaseContentObjects))
	p("  Administration noch die:der Datenschutzbeauftragte noch der Koordinierungsstab sehen Fälle.\n")
	p("  Separation of duties: the roles %s have no permission on case content: neither\n", strings.Join(noContent, ", "))
	p("  administrators nor the data protection officer nor the coordination staff see cases.\n\n")

	p("## Funktionstrennung / Separation of duties\n\n")
	p("Eine Rolle ist eine Rolle mit Fallinhalten, wenn eine ihrer Zeilen eines der Objekte %s\n", codeList(authz.CaseContentObjects))
	p("erreicht: %s. Eine Person, die eine Rolle ohne Fallinhalte hat (%s), hat in keiner\n", strings.Join(content, ", "), strings.Join(noContent, ", "))
	p("Organisation zugleich eine Rolle mit Fallinhalten, gleich welche zuerst vergeben wurde. Lotse\n")
	p("verweigert solche Vergaben in der API, in der Verwaltung und bei `lotse directory apply`\n")
	p("(Code `role_conflict`); eine vorher gespeicherte Kombination zählt nicht: ihre Rolle mit\n")
	p("Fallinhalten wird beim Laden der Rechte übergangen und im Log gemeldet.\n")
	p("A role is a case-content role when one of its lines reaches one of the objects above: %s.\n", strings.Join(content, ", "))
	p("A person holding a role without case content (%s) never also holds a case-content\n", strings.Join(noContent, ", "))
	p("role, in any organisation, whichever was granted first. Lotse refuses such grants in the API,\n")
	p("the administration pages and `lotse directory apply` (code `role_conflict`); a combination\n")
	p("stored earlier does not count: its case-content role is left out when the permissions are\n")
	p("loaded, and the log says so.\n\n")
	p("| ohne Fallinhalte / without case content | unvereinbar mit / incompatible with | Ausnahme möglich / exception possible |\n| --- | --- | --- |\n")
	for _, pr := range duties.Pairs() {
		waivable := "nein / no"
		if duties.Waivable(pr[0], pr[1]) {
			waivable = "ja, in derselben Partnerorganisation mit `allow_admin_casework` / yes, in the same partner organisation with `allow_admin_casework`"
		}
		p("| `%s` | `%s` | %s |\n", pr[0], pr[1], waivable)
	}
	p("\nAusnahme: Eine kleine Partnerorganisation, deren Administrator:in zugleich berät, kann die\n")
	p("Kombination von `org_admin` mit einer Rolle mit Fallinhalten *in derselben Organisation*\n")
	p("erlauben (Einstellung `allow_admin_casework`). Nur die Systemadministration schaltet sie ein\n")
	p("(`admin_casework.allow`), nie für einen kommunalen Fachdienst; jede Änderung wird\n")
	p("protokolliert (`organisation.update`). Abschalten wird verweigert, solange dort jemand beide\n")
	p("Rollen hat. Wo die Ausnahme gilt, steht in der Datenbank, nicht in dieser Datei: `lotse policy\n")
	p("conflicts` listet diese Organisationen (und jede unzulässige Kombination), die Verwaltungsseite\n")
	p("einer Organisation zeigt es unter „Funktionstrennung“.\n")
	p("Exception: a small partner organisation whose administrator is also a counsellor may allow\n")
	p("`org_admin` together with a case-content role *in that same organisation* (setting\n")
	p("`allow_admin_casework`). Only the system administrator switches it on (`admin_casework.allow`),\n")
	p("never for a municipal department; every change is audited (`organisation.update`). Switching\n")
	p("it off is refused while someone there holds both roles. Where it is on is data, not part of\n")
	p("this file: `lotse policy conflicts` lists those organisations (and every breach), and an\n")
	p("organisation's administration page shows it under \"Separation of duties\".\n\n")

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

// PolicyConflictsCmd reports the stored grants that breach the separation of duties.
type PolicyConflictsCmd struct{}

// errConflicts makes `lotse policy conflicts` exit 1 after its report.
var errConflicts = errors.New("policy conflicts: grants breach the separation of duties; take one role of each pair away")

// Run prints every breach (account, the case-content role and where, the role it may not be
// combined with and where) and the organisations whose administrators may also work cases.
// It exits 1 when there is any breach, so that a deployment check can stop on it. Stored
// breaches do not give case content meanwhile: the enforcer leaves their case-content grant
// out.
func (PolicyConflictsCmd) Run(cfg *config.Config, e *Env) error {
	a, err := OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	conflicts, allowing, err := a.services.Directory.DutyConflicts(e.Ctx)
	if err != nil {
		return err
	}
	users := map[uuid.UUID]*model.User{}
	err = a.store.Read(e.Ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		for _, c := range conflicts {
			if users[c.UserID] == nil {
				u, err := tx.Users().ByID(e.Ctx, c.UserID)
				if err != nil {
					return err
				}
				users[c.UserID] = u
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := e.Stdout
	if len(allowing) == 0 {
		fmt.Fprintln(w, "organisations whose administrators may also work cases (allow_admin_casework): none")
	} else {
		fmt.Fprintln(w, "organisations whose administrators may also work cases (allow_admin_casework):")
		for _, o := range allowing {
			fmt.Fprintf(w, "  %s (%s, %s)\n", o.ShortName, o.Name, o.ID)
		}
	}
	if len(conflicts) == 0 {
		fmt.Fprintln(w, "separation of duties: no conflicting grants")
		return nil
	}
	fmt.Fprintf(w, "separation of duties: %d conflicting grant pairs (the case-content role does not count until one is taken away):\n", len(conflicts))
	for _, c := range conflicts {
		u := users[c.UserID]
		fmt.Fprintf(w, "  %s <%s> (%s): %s in %s conflicts with %s in %s\n", u.DisplayName, u.Email, u.ID, c.Role, c.OrgName, c.With, c.WithOrgName)
	}
	return errConflicts
}
