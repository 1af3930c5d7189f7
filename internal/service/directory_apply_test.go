package service_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// dirEnv is a fresh database with the services and the enforcer of one process.
type dirEnv struct {
	t   *testing.T
	db  *db.DB
	st  *store.Store
	en  *authz.Enforcer
	svc *service.Services
}

var directoryActor = model.Actor{System: true, Name: "directory"}

func newDirEnv(t *testing.T) *dirEnv {
	t.Helper()
	d := testutil.NewDB(t)
	st := store.New(d.Gorm, nil)
	en, err := authz.New(context.Background(), snapshotLoader(st))
	if err != nil {
		t.Fatal(err)
	}
	return &dirEnv{t: t, db: d, st: st, en: en, svc: service.New(st, en, slog.New(slog.DiscardHandler))}
}

// snapshotLoader is what the app gives the enforcer (app.policySnapshot).
func snapshotLoader(st *store.Store) authz.Loader {
	return func(ctx context.Context) (authz.Snapshot, error) {
		orgs, grants, err := st.PolicySnapshot(ctx)
		return authz.Snapshot{Orgs: orgs, Grants: grants}, err
	}
}

func (e *dirEnv) parse(text string) *directory.File {
	e.t.Helper()
	f, err := directory.Parse("dir.yaml", []byte(text))
	if err != nil {
		e.t.Fatalf("the test's directory file does not parse: %v\n%s", err, text)
	}
	return f
}

func (e *dirEnv) apply(text string, dryRun bool) ([]string, error) {
	e.t.Helper()
	return e.svc.Directory.Apply(context.Background(), directoryActor, e.parse(text), dryRun)
}

func (e *dirEnv) mustApply(text string) []string {
	e.t.Helper()
	changes, err := e.apply(text, false)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return changes
}

// dump renders every row of the directory tables and the audit trail, for before/after
// comparisons that catch any write.
func (e *dirEnv) dump() string {
	e.t.Helper()
	var b strings.Builder
	for _, table := range []string{"organisations", "users", "role_grants", "audit_events"} {
		var rows string
		err := e.db.SQL.QueryRow(`SELECT coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '') FROM ` + table + ` t`).Scan(&rows)
		if err != nil {
			e.t.Fatal(err)
		}
		b.WriteString("## " + table + "\n" + rows + "\n")
	}
	return b.String()
}

func (e *dirEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *dirEnv) strings(query string, args ...any) []string {
	e.t.Helper()
	rows, err := e.db.SQL.Query(query, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (e *dirEnv) orgID(short string) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.db.SQL.QueryRow(`SELECT id FROM organisations WHERE short_name = $1`, short).Scan(&id); err != nil {
		e.t.Fatalf("organisation %s: %v", short, err)
	}
	return id
}

func (e *dirEnv) userID(email string) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.db.SQL.QueryRow(`SELECT id FROM users WHERE lower(email) = lower($1)`, email).Scan(&id); err != nil {
		e.t.Fatalf("user %s: %v", email, err)
	}
	return id
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

// baseFile defines a child before its parent, so that the apply must order them.
const baseFile = `organisations:
  - short_name: FD-X
    name: Fachdienst X
    kind: municipal
    parent: FB-WOHNEN
  - short_name: STADT
    name: Stadt Osnabrück
    kind: municipal
  - short_name: FB-WOHNEN
    name: Fachdienst Wohnen
    kind: municipal
    parent: STADT
    contact_phone: "+49 541 000-3200"
  - short_name: CARITAS
    name: Caritasverband
    kind: welfare
users:
  - display_name: Anna Becker
    email: anna@osnabrueck.example
    grants:
      - {org: FB-WOHNEN, role: caseworker}
      - {org: FD-X, role: lead}
  - display_name: Bernd Service
    issuer: https://login.example/realms/stadt
    subject: bernd-1
    grants:
      - {org: CARITAS, role: caseworker}
`

var baseChanges = []string{
	"create organisation STADT",
	"create organisation FB-WOHNEN",
	"create organisation FD-X",
	"create organisation CARITAS",
	"create user anna@osnabrueck.example",
	"grant caseworker in FB-WOHNEN to anna@osnabrueck.example",
	"grant lead in FD-X to anna@osnabrueck.example",
	"create user bernd-1",
	"grant caseworker in CARITAS to bernd-1",
}

func TestApplyCreatesEverythingOnceThenNothing(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	changes := e.mustApply(baseFile)
	equal(t, "first apply", changes, baseChanges)

	if n := e.count(`SELECT count(*) FROM organisations`); n != 4 {
		t.Errorf("%d organisations, want 4", n)
	}
	if n := e.count(`SELECT count(*) FROM users`); n != 2 {
		t.Errorf("%d users, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM role_grants`); n != 3 {
		t.Errorf("%d grants, want 3", n)
	}
	tree := e.strings(`SELECT o.short_name || '<' || coalesce(p.short_name, '') FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id ORDER BY o.short_name`)
	equal(t, "tree", tree, []string{"CARITAS<", "FB-WOHNEN<STADT", "FD-X<FB-WOHNEN", "STADT<"})
	var phone string
	var active bool
	if err := e.db.SQL.QueryRow(`SELECT contact_phone, active FROM organisations WHERE short_name = 'FB-WOHNEN'`).Scan(&phone, &active); err != nil || phone != "+49 541 000-3200" || !active {
		t.Errorf("FB-WOHNEN contact_phone %q active %t (%v)", phone, active, err)
	}
	var issuer, subject string
	if err := e.db.SQL.QueryRow(`SELECT issuer, subject FROM users WHERE display_name = 'Bernd Service'`).Scan(&issuer, &subject); err != nil || issuer != "https://login.example/realms/stadt" || subject != "bernd-1" {
		t.Errorf("Bernd's identity %q %q (%v)", issuer, subject, err)
	}
	var annaSubject *string
	if err := e.db.SQL.QueryRow(`SELECT subject FROM users WHERE email = 'anna@osnabrueck.example'`).Scan(&annaSubject); err != nil || annaSubject != nil {
		t.Errorf("Anna is pre-provisioned by e-mail: subject %v (%v)", annaSubject, err)
	}

	// One audit event per change, from the system, without request context.
	if n := e.count(`SELECT count(*) FROM audit_events`); n != len(changes) {
		t.Errorf("%d audit events for %d changes", n, len(changes))
	}
	equal(t, "audit actions", e.strings(`SELECT action FROM audit_events ORDER BY id`), []string{
		"organisation.create", "organisation.create", "organisation.create", "organisation.create",
		"member.create", "grant.create", "grant.create", "member.create", "grant.create",
	})
	if n := e.count(`SELECT count(*) FROM audit_events WHERE actor_name <> 'system: directory' OR actor_id IS NOT NULL OR remote_addr <> '' OR request_id <> ''`); n != 0 {
		t.Errorf("%d audit events are not plain system events", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE action = 'grant.create' AND details->>'role' IS NOT NULL AND details->>'org_id' IS NOT NULL AND details->>'user_id' IS NOT NULL`); n != 3 {
		t.Errorf("%d grant.create events name user, organisation and role, want 3", n)
	}

	before := e.dump()
	again := e.mustApply(baseFile)
	if len(again) != 0 {
		t.Errorf("second apply changed: %q", again)
	}
	if after := e.dump(); after != before {
		t.Errorf("second apply wrote to the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestApplyDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	before := e.dump()
	dry, err := e.apply(baseFile, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	equal(t, "dry run", dry, baseChanges)
	if after := e.dump(); after != before {
		t.Fatalf("the dry run wrote to the database:\n%s", after)
	}
	real := e.mustApply(baseFile)
	equal(t, "real apply after the dry run", real, dry)

	// A dry run of changes to existing data, too.
	changed := strings.Replace(baseFile, "name: Caritasverband", "name: Caritasverband Osnabrück", 1)
	changed = strings.Replace(changed, "      - {org: FD-X, role: lead}\n", "", 1)
	before = e.dump()
	dry, err = e.apply(changed, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	want := []string{"update organisation CARITAS: name", "revoke lead in FD-X from anna@osnabrueck.example"}
	equal(t, "dry run of updates", dry, want)
	if after := e.dump(); after != before {
		t.Fatalf("the dry run wrote to the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if roles := e.en.Roles(e.userID("anna@osnabrueck.example"), e.orgID("FD-X")); !slices.Equal(roles, []model.Role{model.RoleLead}) {
		t.Errorf("after the dry run the enforcer says Anna holds %v in FD-X, want [lead]", roles)
	}
	equal(t, "real apply after the dry run", e.mustApply(changed), want)
}

func TestApplyRejectsBadFilesWhole(t *testing.T) {
	t.Parallel()
	// Every bad file starts with valid entries: a new organisation, an update of a stored one,
	// a new user; none of them may be written.
	const validStart = `organisations:
  - short_name: NEU
    name: Neue Organisation
    kind: school
  - short_name: CARITAS
    name: Caritasverband (umbenannt)
    kind: welfare
`
	const validUser = `  - display_name: Neu Nutzer
    email: neu@osnabrueck.example
    grants:
      - {org: NEU, role: caseworker}
`
	tests := []struct {
		name string
		text string
		want string // "line: fragment"
	}{
		{
			name: "grant in an organisation missing from the file and the database",
			text: validStart + "users:\n" + validUser + `  - display_name: Anna Becker
    email: anna@osnabrueck.example
    grants:
      - {org: FB-WOHNEN, role: caseworker}
      - {org: GIBTSNICHT, role: lead}
`,
			want: `17: user "anna@osnabrueck.example": grant organisation "GIBTSNICHT" is not defined in the file or the database`,
		},
		{
			name: "parent missing from the file and the database",
			text: validStart + `  - short_name: FD-Y
    name: Fachdienst Y
    kind: municipal
    parent: FB-GIBTSNICHT
users:
` + validUser,
			want: `11: organisation "FD-Y": parent "FB-GIBTSNICHT" is not defined in the file or the database`,
		},
		{
			name: "cycle with the stored tree",
			text: validStart + `  - short_name: STADT
    name: Stadt Osnabrück
    kind: municipal
    parent: FD-X
users:
` + validUser,
			want: `11: organisation "STADT": parent "FD-X" makes a cycle in the organisation tree: STADT → FD-X (database) → FB-WOHNEN (database) → STADT`,
		},
		{
			name: "e-mail of an account with another sign-in",
			text: validStart + "users:\n" + validUser + `  - display_name: Doppelgänger
    issuer: https://login.example/realms/stadt
    subject: other-2
    email: ANNA@osnabrueck.example
`,
			want: `13: user "ANNA@osnabrueck.example": the email belongs to an account with another issuer and subject`,
		},
		{
			name: "e-mail of an account the file does not list",
			text: validStart + "users:\n" + validUser + `  - display_name: Bernd Service
    issuer: https://login.example/realms/stadt
    subject: bernd-1
    email: anna@osnabrueck.example
`,
			want: `13: user "anna@osnabrueck.example": the email belongs to another account that the file does not list`,
		},
		{
			name: "two entries for one account",
			text: validStart + "users:\n" + validUser + `  - display_name: Bernd Service
    issuer: https://login.example/realms/stadt
    subject: bernd-1
    email: bernd@osnabrueck.example
  - display_name: Bernd per Mail
    email: bernd-old@osnabrueck.example
`,
			want: `17: user "bernd-old@osnabrueck.example": is the same account as the user at line 13`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newDirEnv(t)
			e.mustApply(baseFile)
			// Anna has signed in once (linked), Bernd's old address is on record.
			if _, err := e.db.SQL.Exec(`UPDATE users SET issuer = 'https://login.example/realms/stadt', subject = 'anna-1' WHERE email = 'anna@osnabrueck.example'`); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.SQL.Exec(`UPDATE users SET email = 'bernd-old@osnabrueck.example' WHERE subject = 'bernd-1'`); err != nil {
				t.Fatal(err)
			}
			before := e.dump()
			for _, dry := range []bool{true, false} {
				changes, err := e.apply(tc.text, dry)
				if err == nil {
					t.Fatalf("accepted (dry run %t): %q", dry, changes)
				}
				var de *directory.Error
				if !errors.As(err, &de) || !errors.Is(err, model.ErrInvalid) {
					t.Errorf("error is not a *directory.Error: %v", err)
				}
				line, frag, _ := strings.Cut(tc.want, ": ")
				if msg := err.Error(); !strings.Contains(msg, "dir.yaml:"+line+": ") || !strings.Contains(msg, frag) {
					t.Errorf("error does not name line %s with %q:\n%s", line, frag, msg)
				}
				if changes != nil {
					t.Errorf("changes reported with the error: %q", changes)
				}
				if after := e.dump(); after != before {
					t.Fatalf("a rejected file wrote to the database:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			}
		})
	}
}

func TestApplyGrantChanges(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	e.mustApply(baseFile)
	anna, wohnen, caritas, fdx := e.userID("anna@osnabrueck.example"), e.orgID("FB-WOHNEN"), e.orgID("CARITAS"), e.orgID("FD-X")
	if roles := e.en.Roles(anna, wohnen); !slices.Equal(roles, []model.Role{model.RoleCaseworker}) {
		t.Errorf("after the first apply Anna holds %v in FB-WOHNEN, want [caseworker]", roles)
	}

	// Anna loses caseworker in FB-WOHNEN and lead in FD-X, and becomes a caseworker at CARITAS.
	changed := strings.Replace(baseFile, `      - {org: FB-WOHNEN, role: caseworker}
      - {org: FD-X, role: lead}
`, `      - {org: CARITAS, role: caseworker}
`, 1)
	events := e.count(`SELECT count(*) FROM audit_events`)
	changes := e.mustApply(changed)
	equal(t, "grant changes", changes, []string{
		"grant caseworker in CARITAS to anna@osnabrueck.example",
		"revoke caseworker in FB-WOHNEN from anna@osnabrueck.example",
		"revoke lead in FD-X from anna@osnabrueck.example",
	})
	equal(t, "Anna's grants", e.strings(`SELECT o.short_name || ':' || g.role FROM role_grants g JOIN organisations o ON o.id = g.org_id WHERE g.user_id = $1 ORDER BY 1`, anna),
		[]string{"CARITAS:caseworker"})
	if n := e.count(`SELECT count(*) FROM audit_events`); n != events+3 {
		t.Errorf("%d new audit events, want 3", n-events)
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE action = 'grant.delete' AND object_type = 'grant' AND details->>'user_id' = $1 AND details->>'org_id' = $2 AND details->>'role' = 'caseworker' AND actor_name = 'system: directory'`, anna.String(), wohnen.String()); n != 1 {
		t.Errorf("%d grant.delete events for caseworker in FB-WOHNEN, want 1", n)
	}

	// The process's enforcer was reloaded, and a fresh one (another instance) agrees.
	fresh, err := authz.New(context.Background(), snapshotLoader(e.st))
	if err != nil {
		t.Fatal(err)
	}
	for name, en := range map[string]*authz.Enforcer{"reloaded": e.en, "fresh": fresh} {
		if roles := en.Roles(anna, wohnen); len(roles) != 0 {
			t.Errorf("%s enforcer: Anna still holds %v in FB-WOHNEN", name, roles)
		}
		if roles := en.Roles(anna, fdx); len(roles) != 0 {
			t.Errorf("%s enforcer: Anna still holds %v in FD-X", name, roles)
		}
		if roles := en.Roles(anna, caritas); !slices.Equal(roles, []model.Role{model.RoleCaseworker}) {
			t.Errorf("%s enforcer: Anna holds %v in CARITAS, want [caseworker]", name, roles)
		}
		if ok, err := en.Allowed(anna, wohnen, "case", "read"); ok || err != nil {
			t.Errorf("%s enforcer: Anna may still read cases in FB-WOHNEN (%v)", name, err)
		}
		if ok, err := en.Allowed(anna, caritas, "case", "read"); !ok || err != nil {
			t.Errorf("%s enforcer: Anna may not read referred cases at CARITAS (%v)", name, err)
		}
	}
	if n := len(e.mustApply(changed)); n != 0 {
		t.Errorf("re-applying the changed file made %d changes", n)
	}
}

func TestApplyUpdatesListedAndLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	e.mustApply(baseFile)
	others := func() string {
		return strings.Join(e.strings(`SELECT t::text FROM organisations t WHERE short_name IN ('STADT', 'FD-X', 'CARITAS')
			UNION ALL SELECT t::text FROM users t WHERE subject = 'bernd-1'
			UNION ALL SELECT t::text FROM role_grants t WHERE user_id = (SELECT id FROM users WHERE subject = 'bernd-1')`), "\n")
	}
	before := others()
	const v2 = `organisations:
  - short_name: fb-wohnen
    name: Fachdienst Wohnen und Wohnraumsicherung
    kind: municipal
    contact_email: wohnen@osnabrueck.example
    active: false
users:
  - display_name: Anna Becker-Schulz
    email: Anna@osnabrueck.example
    active: false
    grants:
      - {org: FB-WOHNEN, role: caseworker}
      - {org: FD-X, role: lead}
`
	events := e.count(`SELECT count(*) FROM audit_events`)
	changes := e.mustApply(v2)
	equal(t, "updates", changes, []string{
		"update organisation fb-wohnen: short_name, name, parent, contact_email, contact_phone, active",
		"update user Anna@osnabrueck.example: display_name, email, active",
	})
	if after := others(); after != before {
		t.Errorf("entries the file does not list were changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	equal(t, "audit", e.strings(`SELECT action FROM audit_events WHERE id > (SELECT min(id) - 1 + $1 FROM audit_events) ORDER BY id`, events),
		[]string{"organisation.update", "member.update"})
	var short string
	var parent *uuid.UUID
	var active bool
	var version int
	if err := e.db.SQL.QueryRow(`SELECT short_name, parent_id, active, version FROM organisations WHERE lower(short_name) = 'fb-wohnen'`).Scan(&short, &parent, &active, &version); err != nil {
		t.Fatal(err)
	}
	if short != "fb-wohnen" || parent != nil || active || version != 2 {
		t.Errorf("fb-wohnen: short %q parent %v active %t version %d", short, parent, active, version)
	}
	// Inactive users and organisations drop out of the policy.
	if roles := e.en.Roles(e.userID("anna@osnabrueck.example"), e.orgID("FD-X")); len(roles) != 0 {
		t.Errorf("a deactivated account still holds %v", roles)
	}
	if n := len(e.mustApply(v2)); n != 0 {
		t.Errorf("re-applying v2 made %d changes", n)
	}
}

func TestApplyKeepsSignInLinks(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	e.mustApply(baseFile)
	// Anna signs in for the first time: the sign-in links her pre-provisioned account.
	if _, err := e.db.SQL.Exec(`UPDATE users SET issuer = 'https://login.example/realms/stadt', subject = 'anna-1' WHERE email = 'anna@osnabrueck.example'`); err != nil {
		t.Fatal(err)
	}
	if changes := e.mustApply(baseFile); len(changes) != 0 {
		t.Errorf("an e-mail-only entry unlinked or changed the signed-in account: %q", changes)
	}
	var subject *string
	if err := e.db.SQL.QueryRow(`SELECT subject FROM users WHERE email = 'anna@osnabrueck.example'`).Scan(&subject); err != nil || subject == nil || *subject != "anna-1" {
		t.Errorf("Anna's subject is %v (%v), want anna-1", subject, err)
	}

	// A pre-provisioned account is linked by the file when it gives issuer and subject.
	e2 := newDirEnv(t)
	e2.mustApply(baseFile)
	linked := strings.Replace(baseFile, "    email: anna@osnabrueck.example\n", "    email: anna@osnabrueck.example\n    issuer: https://login.example/realms/stadt\n    subject: anna-1\n", 1)
	equal(t, "linking", e2.mustApply(linked), []string{"update user anna@osnabrueck.example: issuer, subject"})
	if n := len(e2.mustApply(linked)); n != 0 {
		t.Errorf("re-applying made %d changes", n)
	}
}

func TestApplyNeedsTheRights(t *testing.T) {
	t.Parallel()
	e := newDirEnv(t)
	nobody := model.Actor{UserID: uuid.New(), OrgID: uuid.New(), Name: "Niemand"}
	before := e.dump()
	_, err := e.svc.Directory.Apply(context.Background(), nobody, e.parse(baseFile), false)
	if !errors.Is(err, model.ErrForbidden) {
		t.Errorf("a user without rights: %v, want ErrForbidden", err)
	}
	if after := e.dump(); after != before {
		t.Errorf("a refused apply wrote to the database")
	}
}
