package app

import (
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

// The directory for the separation-of-duties tests: a department, a partner, an officer.
const dutiesDirectory = `organisations:
  - short_name: STADT
    name: Stadt Osnabrück
    kind: municipal
  - short_name: FB-WOHNEN
    name: Fachdienst Wohnen
    kind: municipal
    parent: STADT
  - short_name: VEREIN
    name: Kleiner Verein
    kind: civil_society
users:
  - display_name: Petra Lange
    email: petra@osnabrueck.example
    grants:
      - {org: STADT, role: dpo}
  - display_name: Vera Verein
    email: vera@verein.example
    grants:
      - {org: VEREIN, role: caseworker}
`

// TestDirectoryApplySeparationOfDuties: `lotse directory apply` refuses a file that gives one
// account roles the separation of duties keeps apart, in a dry run as in a real one, at the
// line of the grant, and applies nothing.
func TestDirectoryApplySeparationOfDuties(t *testing.T) {
	url := testutil.NewDBURL(t)
	env := map[string]string{"LOTSE_DATABASE_URL": url}
	if code, _, stderr := runMain(t, env, "directory", "apply", writeFile(t, "ok.yaml", dutiesDirectory)); code != 0 {
		t.Fatalf("apply: exit %d; stderr:\n%s", code, stderr)
	}
	before := directoryRows(t, url)
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			name: "the officer made a caseworker",
			text: strings.Replace(dutiesDirectory, "      - {org: STADT, role: dpo}\n", "      - {org: STADT, role: dpo}\n      - {org: FB-WOHNEN, role: caseworker}\n", 1),
			want: []string{`bad.yaml:17: user "petra@osnabrueck.example": caseworker in FB-WOHNEN cannot be combined with dpo in STADT (line 16): separation of duties`},
		},
		{
			name: "caseworker first, then sysadmin",
			text: strings.Replace(dutiesDirectory, "      - {org: VEREIN, role: caseworker}\n", "      - {org: VEREIN, role: caseworker}\n      - {org: STADT, role: sysadmin}\n", 1),
			want: []string{`bad.yaml:21: user "vera@verein.example": sysadmin in STADT cannot be combined with caseworker in VEREIN (line 20)`},
		},
		{
			name: "an organisation administrator who also counsels, without the exception",
			text: strings.Replace(dutiesDirectory, "      - {org: VEREIN, role: caseworker}\n", "      - {org: VEREIN, role: caseworker}\n      - {org: VEREIN, role: org_admin}\n", 1),
			want: []string{`bad.yaml:21: user "vera@verein.example": org_admin in VEREIN cannot be combined with caseworker in VEREIN (line 20)`},
		},
	}
	for _, tc := range tests {
		for _, dry := range []bool{true, false} {
			name := tc.name
			args := []string{"directory", "apply", writeFile(t, "bad.yaml", tc.text)}
			if dry {
				name += ", dry run"
				args = append(args, "--dry-run")
			}
			t.Run(name, func(t *testing.T) {
				code, stdout, stderr := runMain(t, env, args...)
				if code != 1 {
					t.Errorf("exit %d, want 1; stdout %q", code, stdout)
				}
				for _, w := range append(tc.want, "nothing applied") {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr lacks %q:\n%s", w, stderr)
					}
				}
				if after := directoryRows(t, url); after != before {
					t.Errorf("rows %v, want %v", after, before)
				}
			})
		}
	}

	// With the partner's exception switched on (by the system administrator, here straight in
	// the database), the administrator who also counsels is fine, in that organisation only.
	d := testutil.Open(t, url)
	if _, err := d.SQL.Exec(`UPDATE organisations SET allow_admin_casework = true WHERE short_name = 'VEREIN'`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	both := strings.Replace(dutiesDirectory, "      - {org: VEREIN, role: caseworker}\n", "      - {org: VEREIN, role: caseworker}\n      - {org: VEREIN, role: org_admin}\n", 1)
	if code, stdout, stderr := runMain(t, env, "directory", "apply", writeFile(t, "both.yaml", both)); code != 0 || !strings.Contains(stdout, "grant org_admin in VEREIN to vera@verein.example") {
		t.Fatalf("apply with the exception: exit %d\n%s%s", code, stdout, stderr)
	}
	elsewhere := strings.Replace(both, "      - {org: VEREIN, role: org_admin}\n", "      - {org: VEREIN, role: org_admin}\n      - {org: FB-WOHNEN, role: lead}\n", 1)
	code, _, stderr := runMain(t, env, "directory", "apply", writeFile(t, "bad.yaml", elsewhere))
	if want := `bad.yaml:22: user "vera@verein.example": lead in FB-WOHNEN cannot be combined with org_admin in VEREIN (line 21)`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	// A file that makes the partner municipal while the exception is on is refused.
	municipal := strings.Replace(both, "kind: civil_society", "kind: municipal", 1)
	code, _, stderr = runMain(t, env, "directory", "apply", writeFile(t, "bad.yaml", municipal))
	if want := `bad.yaml:9: organisation "VEREIN": cannot become municipal while it allows its administrators case work`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
}

// TestPolicyConflictsCmd: `lotse policy conflicts` lists every stored combination that
// breaches the separation of duties (written before the rule, here straight into the
// database), with the account and both roles, and the organisations with the exception; it
// exits 1 while there is any, 0 once it is cleaned up.
func TestPolicyConflictsCmd(t *testing.T) {
	url := testutil.NewDBURL(t)
	env := map[string]string{"LOTSE_DATABASE_URL": url}
	if code, _, stderr := runMain(t, env, "directory", "apply", writeFile(t, "ok.yaml", dutiesDirectory)); code != 0 {
		t.Fatalf("apply: exit %d; stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := runMain(t, env, "policy", "conflicts")
	if code != 0 || !strings.Contains(stdout, "separation of duties: no conflicting grants") || !strings.Contains(stdout, "(allow_admin_casework): none") {
		t.Fatalf("clean database: exit %d\n%s%s", code, stdout, stderr)
	}
	d := testutil.Open(t, url)
	defer d.Close()
	for _, q := range []string{
		`INSERT INTO role_grants (id, user_id, org_id, role) SELECT gen_random_uuid(), u.id, o.id, 'caseworker'
		   FROM users u, organisations o WHERE u.email = 'petra@osnabrueck.example' AND o.short_name = 'FB-WOHNEN'`,
		`INSERT INTO role_grants (id, user_id, org_id, role) SELECT gen_random_uuid(), u.id, o.id, 'org_admin'
		   FROM users u, organisations o WHERE u.email = 'vera@verein.example' AND o.short_name = 'VEREIN'`,
	} {
		if _, err := d.SQL.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = runMain(t, env, "policy", "conflicts")
	for _, want := range []string{
		"separation of duties: 2 conflicting grant pairs",
		"Petra Lange <petra@osnabrueck.example> (",
		"): caseworker in FB-WOHNEN conflicts with dpo in STADT",
		"Vera Verein <vera@verein.example> (",
		"): caseworker in VEREIN conflicts with org_admin in VEREIN",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if code != 1 || !strings.Contains(stderr, "lotse: policy conflicts: grants breach the separation of duties") {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	// `lotse policy check` says why the officer's caseworker grant does not count.
	code, stdout, stderr = runMain(t, env, "policy", "check", "--user", "petra@osnabrueck.example", "--org", "FB-WOHNEN", "--action", "read", "--object", "case")
	if want := "denied: the role here does not count, it breaches the separation of duties: caseworker (conflicts with dpo in "; code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("policy check: exit %d, stdout lacks %q:\n%s%s", code, want, stdout, stderr)
	}
	// The partner's exception makes Vera's combination allowed, and is listed.
	if _, err := d.SQL.Exec(`UPDATE organisations SET allow_admin_casework = true WHERE short_name = 'VEREIN'`); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runMain(t, env, "policy", "conflicts")
	if code != 1 || !strings.Contains(stdout, "separation of duties: 1 conflicting grant pairs") || strings.Contains(stdout, "Vera") ||
		!strings.Contains(stdout, "(allow_admin_casework):\n  VEREIN (Kleiner Verein, ") {
		t.Errorf("with the exception: exit %d\n%s", code, stdout)
	}
	if _, err := d.SQL.Exec(`DELETE FROM role_grants WHERE role = 'caseworker' AND org_id = (SELECT id FROM organisations WHERE short_name = 'FB-WOHNEN')`); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runMain(t, env, "policy", "conflicts")
	if code != 0 || !strings.Contains(stdout, "no conflicting grants") {
		t.Errorf("cleaned up: exit %d\n%s%s", code, stdout, stderr)
	}
	assertNoCrash(t, stdout, stderr)
}
