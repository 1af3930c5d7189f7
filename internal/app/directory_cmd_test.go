package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

const cliDirectory = `organisations:
  - short_name: STADT
    name: Stadt Osnabrück
    kind: municipal
  - short_name: FB-WOHNEN
    name: Fachdienst Wohnen
    kind: municipal
    parent: STADT
users:
  - display_name: Anna Becker
    email: anna@osnabrueck.example
    grants:
      - {org: FB-WOHNEN, role: lead}
`

var cliChanges = []string{
	"create organisation STADT",
	"create organisation FB-WOHNEN",
	"create user anna@osnabrueck.example",
	"grant lead in FB-WOHNEN to anna@osnabrueck.example",
}

// directoryRows counts what the directory writes: organisations, users, grants, and the
// audit events of those objects.
func directoryRows(t *testing.T, url string) [4]int {
	t.Helper()
	d := testutil.Open(t, url)
	var n [4]int
	for i, table := range []string{"organisations", "users", "role_grants", "audit_events WHERE object_type IN ('organisation', 'member', 'grant')"} {
		if err := d.SQL.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	return n
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDirectoryApplyCmd(t *testing.T) {
	url := testutil.NewDBURL(t)
	env := map[string]string{"LOTSE_DATABASE_URL": url}
	file := writeFile(t, "directory.yaml", cliDirectory)
	want := strings.Join(cliChanges, "\n") + "\n"

	code, stdout, stderr := runMain(t, env, "directory", "apply", file, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d; stderr:\n%s", code, stderr)
	}
	if stdout != want+"dry run: 4 changes, nothing applied\n" {
		t.Errorf("dry run stdout:\n%s", stdout)
	}
	if n := directoryRows(t, url); n != [4]int{} {
		t.Errorf("the dry run wrote rows (organisations, users, grants, audit events): %v", n)
	}

	code, stdout, stderr = runMain(t, env, "directory", "apply", file)
	if code != 0 {
		t.Fatalf("apply: exit %d; stderr:\n%s", code, stderr)
	}
	if stdout != want+"applied 4 changes\n" {
		t.Errorf("apply stdout:\n%s", stdout)
	}
	if n := directoryRows(t, url); n != [4]int{2, 1, 1, 4} {
		t.Errorf("rows (organisations, users, grants, audit events) = %v, want [2 1 1 4]", n)
	}
	d := testutil.Open(t, url)
	var actor string
	if err := d.SQL.QueryRow(`SELECT DISTINCT actor_name FROM audit_events`).Scan(&actor); err != nil || actor != "system: directory" {
		t.Errorf("audit actor %q (%v), want \"system: directory\"", actor, err)
	}

	code, stdout, stderr = runMain(t, env, "directory", "apply", file)
	if code != 0 || stdout != "applied 0 changes\n" {
		t.Errorf("second apply: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := directoryRows(t, url); n != [4]int{2, 1, 1, 4} {
		t.Errorf("the second apply wrote: %v", n)
	}
	assertNoCrash(t, stdout, stderr)
}

func TestDirectoryApplyCmdBadInput(t *testing.T) {
	url := testutil.NewDBURL(t)
	env := map[string]string{"LOTSE_DATABASE_URL": url}
	stored := writeFile(t, "stored.yaml", cliDirectory)
	if code, _, stderr := runMain(t, env, "directory", "apply", stored); code != 0 {
		t.Fatalf("apply: exit %d; stderr:\n%s", code, stderr)
	}
	before := directoryRows(t, url)

	tests := []struct {
		name     string
		text     string
		args     []string // after the file; nil for none
		env      map[string]string
		code     int
		contains []string
	}{
		{
			name:     "malformed YAML",
			text:     "organisations:\n  - short_name: A\n    name: x\n   kind: municipal\n",
			code:     1,
			contains: []string{"bad.yaml:4: malformed YAML", "nothing applied"},
		},
		{
			name: "unknown organisation, after valid entries",
			text: cliDirectory + `  - display_name: Bernd
    email: bernd@osnabrueck.example
    grants:
      - {org: FB-GIBTSNICHT, role: caseworker}
`,
			code:     1,
			contains: []string{`bad.yaml:17: user "bernd@osnabrueck.example": grant organisation "FB-GIBTSNICHT" is not defined in the file or the database`, "nothing applied"},
		},
		{
			name: "unknown organisation, dry run",
			text: cliDirectory + `  - display_name: Bernd
    email: bernd@osnabrueck.example
    grants:
      - {org: FB-GIBTSNICHT, role: caseworker}
`,
			args:     []string{"--dry-run"},
			code:     1,
			contains: []string{"bad.yaml:17:", "FB-GIBTSNICHT"},
		},
		{
			name: "several problems",
			text: strings.Replace(cliDirectory, "kind: municipal\n  - short_name: FB-WOHNEN", "kind: ministry\n  - short_name: FB-WOHNEN", 1) +
				"  - display_name: Anna Doppelt\n    email: ANNA@osnabrueck.example\n",
			code:     1,
			contains: []string{"bad.yaml: 2 problems", "bad.yaml:4: organisation \"STADT\": unknown kind \"ministry\"", "bad.yaml:14: user \"ANNA@osnabrueck.example\" is defined twice"},
		},
		{
			name: "cycle with the stored tree",
			text: "organisations:\n  - short_name: STADT\n    name: Stadt\n    kind: municipal\n    parent: FB-WOHNEN\n",
			code: 1,
			contains: []string{
				`bad.yaml:5: organisation "STADT": parent "FB-WOHNEN" makes a cycle in the organisation tree: STADT → FB-WOHNEN (database) → STADT`,
			},
		},
		{
			name:     "no database configured",
			text:     cliDirectory,
			env:      map[string]string{},
			code:     2,
			contains: []string{"LOTSE_DATABASE_URL"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, "bad.yaml", tc.text)
			e := env
			if tc.env != nil {
				e = tc.env
			}
			code, stdout, stderr := runMain(t, e, append([]string{"directory", "apply", file}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if !strings.HasPrefix(stderr, "lotse: ") {
				t.Errorf("stderr does not start with \"lotse: \":\n%s", stderr)
			}
			for _, w := range tc.contains {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			assertNoCrash(t, stdout, stderr)
			if after := directoryRows(t, url); after != before {
				t.Errorf("a rejected file changed the database: %v, before %v", after, before)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		code, _, stderr := runMain(t, env, "directory", "apply", filepath.Join(t.TempDir(), "nope.yaml"))
		if code != 1 || !strings.Contains(stderr, "nope.yaml") {
			t.Errorf("exit %d; stderr:\n%s", code, stderr)
		}
		assertOneLine(t, stderr)
	})
}
