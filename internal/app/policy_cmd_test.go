package app

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestPermissionsDocIsCurrent: docs/permissions.md, the permission concept the data
// protection officer signs, is exactly what `lotse policy matrix` prints today.
func TestPermissionsDocIsCurrent(t *testing.T) {
	assertDocCurrent(t, "docs/permissions.md", "policy", "matrix")
}

// TestPrivacyDocsAreCurrent: the record of processing activities and the deletion concept in
// docs/ are exactly what the data catalogue generates today.
func TestPrivacyDocsAreCurrent(t *testing.T) {
	assertDocCurrent(t, "docs/processing-record.md", "privacy", "record")
	assertDocCurrent(t, "docs/deletion-concept.md", "privacy", "deletion")
}

// assertDocCurrent fails when the committed document path (from the repository's root) is
// not exactly what `lotse args...` prints, naming the first line that differs.
func assertDocCurrent(t *testing.T, path string, args ...string) {
	t.Helper()
	regen := "run `go run ./cmd/lotse " + strings.Join(args, " ") + " > " + path + "` (or `make docs`)"
	code, stdout, stderr := runMain(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	doc, err := os.ReadFile("../../" + path)
	if err != nil {
		t.Fatalf("%v; %s", err, regen)
	}
	if string(doc) != stdout {
		a, b := strings.Split(string(doc), "\n"), strings.Split(stdout, "\n")
		line := 0
		for line < len(a) && line < len(b) && a[line] == b[line] {
			line++
		}
		got, want := "(end of file)", "(end of output)"
		if line < len(a) {
			got = a[line]
		}
		if line < len(b) {
			want = b[line]
		}
		t.Fatalf("%s is stale: %s\nfirst difference in line %d:\n  file:   %s\n  output: %s", path, regen, line+1, got, want)
	}
}

func TestPolicyMatrix(t *testing.T) {
	rules, err := policyRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := renderMatrix(rules)
	if again := renderMatrix(rules); again != out {
		t.Fatal("two renderings differ")
	}
	// Every policy line appears as a row of its role's table.
	for _, r := range rules {
		section := out[strings.Index(out, "### `"+r[0]+"`"):]
		if i := strings.Index(section[1:], "\n### "); i >= 0 {
			section = section[:i+1]
		}
		row := "| `" + r[2] + "` | `" + r[3] + "` | `" + r[1] + "` | `" + r[4] + "` |"
		if !strings.Contains(section, row) {
			t.Errorf("the table of %s lacks %s", r[0], row)
		}
	}
	for _, want := range []string{
		"Berechtigungskonzept", "Do not edit by hand", "policies/policy.csv",
		"| `org_tree` |", "| `self` |", "| `partner` |",
		"Funktionstrennung: Die Rollen `coordinator`, `org_admin`, `sysadmin`, `dpo` haben keine Berechtigung",
		"| `case.read` | org (municipal), referred, assigned | org_tree, referred, assigned | — | — | — | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the matrix lacks %q", want)
		}
	}
	// A role without a line is listed as having no permission.
	var noDPO [][]string
	for _, r := range rules {
		if r[0] != string(model.RoleDPO) {
			noDPO = append(noDPO, r)
		}
	}
	out = renderMatrix(noDPO)
	if !strings.Contains(out, "### `dpo`: Datenschutzbeauftragte:r / data protection officer\n\nKeine Berechtigung. No permission.\n") {
		t.Error("a role without lines is not shown as having no permission")
	}
}

func TestPolicyCheck(t *testing.T) {
	ctx := context.Background()
	url := testutil.NewDBURL(t)
	st := store.New(testutil.Open(t, url).Gorm, nil)

	fd := model.Organisation{Kind: model.OrgMunicipal, Name: "Fachdienst Integration", ShortName: "FD-Int", Active: true}
	caritas := model.Organisation{Kind: model.OrgWelfare, Name: "Caritas", ShortName: "caritas", Active: true}
	closed := model.Organisation{Kind: model.OrgMunicipal, Name: "Aufgelöstes Amt", ShortName: "alt", Active: false}
	anna := model.User{Issuer: "t", Email: "anna@example.org", DisplayName: "Anna", Active: true}
	bob := model.User{Issuer: "t", Email: "bob@example.org", DisplayName: "Bob", Active: true}
	carl := model.User{Issuer: "t", Email: "carl@example.org", DisplayName: "Carl", Active: false}
	dora := model.User{Issuer: "t", Email: "dora@example.org", DisplayName: "Dora", Active: true}
	if err := st.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		for _, o := range []*model.Organisation{&fd, &caritas, &closed} {
			if err := tx.Organisations().Create(ctx, o); err != nil {
				return err
			}
		}
		for _, u := range []*model.User{&anna, &bob, &carl, &dora} {
			if err := tx.Users().Create(ctx, u); err != nil {
				return err
			}
		}
		for _, g := range []model.Grant{
			{UserID: anna.ID, OrgID: fd.ID, Role: model.RoleCaseworker},
			{UserID: anna.ID, OrgID: fd.ID, Role: model.RoleLead},
			{UserID: anna.ID, OrgID: closed.ID, Role: model.RoleCaseworker},
			{UserID: bob.ID, OrgID: caritas.ID, Role: model.RoleCaseworker},
			{UserID: carl.ID, OrgID: fd.ID, Role: model.RoleCaseworker},
		} {
			if err := tx.Grants().Create(ctx, &g); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{"LOTSE_DATABASE_URL": url}
	tests := []struct {
		name     string
		args     []string
		contains []string
		absent   []string
	}{
		{
			name: "allowed through two roles",
			args: []string{"--user", "ANNA@example.org", "--org", "fd-int", "--action", "read", "--object", "task"},
			contains: []string{
				"user:         Anna <anna@example.org>",
				"kind municipal, class municipal",
				"roles there:  caseworker, lead",
				"allowed with scope org_tree: rule `p, lead, *, task, read, org_tree`\n",
				"allowed with scope org: rule `p, caseworker, *, task, read, org`\n",
			},
			absent: []string{"denied"},
		},
		{
			name:     "denied, by ids",
			args:     []string{"--user", anna.ID.String(), "--org", fd.ID.String(), "--action", "read", "--object", "audit"},
			contains: []string{"denied: no rule grants caseworker or lead read on audit in a municipal organisation\n"},
			absent:   []string{"allowed", "note:"},
		},
		{
			name:     "partner cannot create a case",
			args:     []string{"--user", "bob@example.org", "--org", "Caritas", "--action", "create", "--object", "case"},
			contains: []string{"kind welfare, class partner", "denied: no rule grants caseworker create on case in a partner organisation\n"},
		},
		{
			name:     "partner reads referred cases",
			args:     []string{"--user", "bob@example.org", "--org", "caritas", "--action", "read", "--object", "case"},
			contains: []string{"allowed with scope referred: rule `p, caseworker, *, case, read, referred`", "allowed with scope assigned:"},
			absent:   []string{"scope org:"},
		},
		{
			name:     "inactive user",
			args:     []string{"--user", "carl@example.org", "--org", "fd-int", "--action", "read", "--object", "case"},
			contains: []string{"roles there:  caseworker", "denied: the user is inactive"},
		},
		{
			name:     "inactive organisation",
			args:     []string{"--user", "anna@example.org", "--org", "alt", "--action", "read", "--object", "case"},
			contains: []string{"roles there:  caseworker", "denied: the organisation is inactive"},
		},
		{
			name:     "no role there",
			args:     []string{"--user", "dora@example.org", "--org", "fd-int", "--action", "read", "--object", "case"},
			contains: []string{"roles there:  none", "denied: the user holds no role in this organisation"},
		},
		{
			name:     "unknown object",
			args:     []string{"--user", "anna@example.org", "--org", "fd-int", "--action", "read", "--object", "cases"},
			contains: []string{"denied: no rule grants", `note: no rule mentions the object "cases"; the objects are case, plan,`},
		},
		{
			name:     "unknown action",
			args:     []string{"--user", "anna@example.org", "--org", "fd-int", "--action", "delete", "--object", "case"},
			contains: []string{`note: no rule mentions the action "delete" on case; its actions are read, create, update`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, env, append([]string{"policy", "check"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			t.Logf("lotse policy check %s\n%s", strings.Join(tt.args, " "), stdout)
			for _, s := range tt.contains {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q:\n%s", s, stdout)
				}
			}
			assertNoCrash(t, stdout, stderr)
		})
	}

	bad := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		contains string
	}{
		{"unknown user", env, []string{"--user", "nobody@example.org", "--org", "fd-int", "--action", "read", "--object", "case"}, 1, "no user has this id or e-mail address"},
		{"unknown user id", env, []string{"--user", "0190d5a6-0000-7000-8000-000000000000", "--org", "fd-int", "--action", "read", "--object", "case"}, 1, "no user"},
		{"unknown organisation", env, []string{"--user", "anna@example.org", "--org", "fd-xyz", "--action", "read", "--object", "case"}, 1, `no organisation has the id or short name "fd-xyz"`},
		{"missing flag", env, []string{"--user", "anna@example.org", "--org", "fd-int", "--action", "read"}, 2, "--object"},
		{"no database", nil, []string{"--user", "anna@example.org", "--org", "fd-int", "--action", "read", "--object", "case"}, 2, "LOTSE_DATABASE_URL"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tt.env, append([]string{"policy", "check"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if tt.code == 1 {
				assertOneLine(t, stderr)
			}
			if !strings.Contains(stderr, tt.contains) {
				t.Errorf("stderr lacks %q:\n%s", tt.contains, stderr)
			}
			if strings.Contains(stderr, "nobody@example.org") {
				t.Errorf("stderr repeats the e-mail address:\n%s", stderr)
			}
			assertNoCrash(t, stdout, stderr)
		})
	}
}
