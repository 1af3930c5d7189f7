package directory

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

const good = `# a comment
organisations:
  - short_name: STADT
    name: Stadt Osnabrück
    kind: municipal
    contact_email: info@osnabrueck.example
    contact_phone: +49 541 000-0
  - short_name: FB-WOHNEN
    name: Fachdienst Wohnen
    kind: municipal
    parent: STADT
  - short_name: CARITAS
    name: Caritasverband
    kind: welfare
    parent:
    active: false
users:
  - display_name: Anna Becker
    email: anna.becker@osnabrueck.example
    grants:
      - {org: FB-WOHNEN, role: caseworker}
      - org: fb-wohnen
        role: lead
  - display_name: Service Konto
    issuer: https://login.example/realms/stadt
    subject: 1234-abcd
    active: false
    grants: []
  - display_name: Grant Elsewhere
    email: ge@osnabrueck.example
    grants:
      - {org: IN-DB, role: dpo}
`

func TestParseGood(t *testing.T) {
	f, err := Parse("directory.yaml", []byte(good))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Organisations) != 3 || len(f.Users) != 3 {
		t.Fatalf("got %d organisations and %d users, want 3 and 3", len(f.Organisations), len(f.Users))
	}
	stadt, wohnen, caritas := f.Organisations[0], f.Organisations[1], f.Organisations[2]
	if stadt.Line != 3 || stadt.ShortName != "STADT" || stadt.Name != "Stadt Osnabrück" || stadt.Kind != model.OrgMunicipal ||
		stadt.ContactEmail != "info@osnabrueck.example" || stadt.ContactPhone != "+49 541 000-0" || !stadt.Active || stadt.Parent != "" {
		t.Errorf("STADT = %+v", stadt)
	}
	if wohnen.Parent != "STADT" || wohnen.ParentLine != 11 {
		t.Errorf("FB-WOHNEN parent %q at line %d, want STADT at 11", wohnen.Parent, wohnen.ParentLine)
	}
	if caritas.Active || caritas.Parent != "" {
		t.Errorf("CARITAS = %+v, want inactive root", caritas)
	}
	anna := f.Users[0]
	if anna.Line != 18 || anna.Email != "anna.becker@osnabrueck.example" || !anna.Active || len(anna.Grants) != 2 ||
		anna.Grants[0] != (Grant{Line: 21, Org: "FB-WOHNEN", Role: model.RoleCaseworker}) ||
		anna.Grants[1] != (Grant{Line: 22, Org: "fb-wohnen", Role: model.RoleLead}) {
		t.Errorf("Anna = %+v", anna)
	}
	svc := f.Users[1]
	if svc.Issuer != "https://login.example/realms/stadt" || svc.Subject != "1234-abcd" || svc.Active || len(svc.Grants) != 0 || svc.Label() != "1234-abcd" {
		t.Errorf("service user = %+v", svc)
	}
	// A grant in an organisation the file does not define is for Check to resolve.
	e := NewError(f.Name)
	f.Check(e, Existing{"IN-DB": ""})
	if err := e.Err(); err != nil {
		t.Errorf("Check with IN-DB stored: %v", err)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n"} {
		_, err := Parse("d.yaml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("Parse(%q) = %v, want \"the file is empty\"", text, err)
		}
	}
	f, err := Parse("d.yaml", []byte("organisations: []\nusers:\n"))
	if err != nil || len(f.Organisations)+len(f.Users) != 0 {
		t.Errorf("a file with empty lists: %v, %+v", err, f)
	}
}

// org renders one organisation entry.
func org(short, kind, parent string) string {
	return fmt.Sprintf("  - short_name: %s\n    name: Org %s\n    kind: %s\n    parent: %s\n", short, short, kind, parent)
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		existing Existing // for the Check stage, which runs when Parse succeeds
		want     []string // "line: fragment", each must appear as "d.yaml:line: ...fragment..."
	}{
		{
			name: "malformed YAML: bad indentation",
			text: "organisations:\n  - short_name: A\n    name: x\n   kind: municipal\n",
			want: []string{"4: malformed YAML"},
		},
		{
			name: "malformed YAML: unclosed flow mapping",
			text: "users:\n  - display_name: X\n    email: x@example.org\n    grants:\n      - {org: A, role: lead\n",
			want: []string{"5: malformed YAML"},
		},
		{
			name: "malformed YAML: tab",
			text: "organisations:\n\t- short_name: A\n",
			want: []string{"2: malformed YAML"},
		},
		{
			name: "two documents",
			text: "organisations: []\n---\nusers: []\n",
			want: []string{"2: one YAML document"},
		},
		{
			name: "not a mapping",
			text: "- a\n- b\n",
			want: []string{"1: the file must be a mapping"},
		},
		{
			name: "unknown top-level key",
			text: "organisations: []\ngroups: []\n",
			want: []string{`2: the file: unknown key "groups"`},
		},
		{
			name: "unknown organisation key",
			text: "organisations:\n" + org("A", "municipal", "") + "    colour: blue\n",
			want: []string{`6: organisation "A": unknown key "colour"`},
		},
		{
			name: "unknown grant key",
			text: "organisations:\n" + org("A", "municipal", "") + "users:\n  - display_name: X\n    email: x@example.org\n    grants:\n      - {org: A, role: lead, until: 2027}\n",
			want: []string{`10: user "x@example.org": grant: unknown key "until"`},
		},
		{
			name: "repeated key",
			text: "organisations:\n  - short_name: A\n    name: x\n    name: y\n    kind: municipal\n",
			want: []string{`4: organisation "A": key "name" repeats line 3`},
		},
		{
			name: "duplicate organisation, case-insensitive",
			text: "organisations:\n" + org("A", "municipal", "") + org("b", "welfare", "") + org("B", "welfare", ""),
			want: []string{`10: organisation "B" is defined twice (first at line 6)`},
		},
		{
			name: "duplicate user by e-mail, case-insensitive",
			text: "users:\n  - display_name: X\n    email: x@example.org\n  - display_name: Y\n    email: X@Example.org\n",
			want: []string{`4: user "X@Example.org" is defined twice: the same email as line 2`},
		},
		{
			name: "duplicate user by issuer and subject",
			text: "users:\n  - display_name: X\n    issuer: https://idp.example\n    subject: s1\n  - display_name: Y\n    issuer: https://idp.example\n    subject: s1\n",
			want: []string{`5: user "s1" is defined twice: the same issuer and subject as line 2`},
		},
		{
			name: "unknown parent",
			text: "organisations:\n" + org("A", "municipal", "") + org("B", "municipal", "NOPE"),
			want: []string{`9: organisation "B": parent "NOPE" is not defined in the file or the database`},
		},
		{
			name: "unknown grant organisation",
			text: "organisations:\n" + org("A", "municipal", "") + "users:\n  - display_name: X\n    email: x@example.org\n    grants:\n      - {org: A, role: lead}\n      - {org: NOPE, role: caseworker}\n",
			want: []string{`11: user "x@example.org": grant organisation "NOPE" is not defined`},
		},
		{
			name: "cycle a -> b -> a",
			text: "organisations:\n" + org("ROOT", "municipal", "") + org("A", "municipal", "B") + org("B", "municipal", "A"),
			want: []string{`9: organisation "A": parent "B" makes a cycle in the organisation tree: A → B → A`},
		},
		{
			name: "own parent",
			text: "organisations:\n" + org("A", "municipal", "a"),
			want: []string{`5: organisation "A": an organisation cannot be its own parent`},
		},
		{
			name:     "cycle through a stored organisation",
			text:     "organisations:\n" + org("A", "municipal", "DB1"),
			existing: Existing{"DB1": "DB2", "DB2": "A"},
			want:     []string{`5: organisation "A": parent "DB1" makes a cycle in the organisation tree: A → DB1 (database) → DB2 (database) → A`},
		},
		{
			name: "bad kind",
			text: "organisations:\n" + org("A", "ministry", ""),
			want: []string{`4: organisation "A": unknown kind "ministry"`},
		},
		{
			name: "missing kind and name",
			text: "organisations:\n  - short_name: A\n",
			want: []string{`2: organisation "A": name is required`, `2: organisation "A": kind is required`},
		},
		{
			name: "bad short name",
			text: "organisations:\n" + org("-A B", "municipal", ""),
			want: []string{`2: organisation "-A B": short_name must be`},
		},
		{
			name: "bad role",
			text: "organisations:\n" + org("A", "municipal", "") + "users:\n  - display_name: X\n    email: x@example.org\n    grants:\n      - org: A\n        role: boss\n",
			want: []string{`11: user "x@example.org": grant: unknown role "boss"`},
		},
		{
			name: "duplicate grant",
			text: "organisations:\n" + org("A", "municipal", "") + "users:\n  - display_name: X\n    email: x@example.org\n    grants:\n      - {org: A, role: lead}\n      - {org: a, role: lead}\n",
			want: []string{`11: user "x@example.org": grant lead in a repeats line 10`},
		},
		{
			name: "bad e-mail",
			text: "users:\n  - display_name: X\n    email: Anna <anna@example.org>\n",
			want: []string{`3: user "Anna <anna@example.org>": email "Anna <anna@example.org>" is not an e-mail address`},
		},
		{
			name: "bad contact e-mail",
			text: "organisations:\n  - short_name: A\n    name: x\n    kind: school\n    contact_email: nobody\n",
			want: []string{`5: organisation "A": contact_email "nobody" is not an e-mail address`},
		},
		{
			name: "missing identity",
			text: "users:\n  - display_name: X\n    grants: []\n",
			want: []string{`2: user: needs an email, or an issuer and a subject`},
		},
		{
			name: "subject without issuer",
			text: "users:\n  - display_name: X\n    subject: abc\n",
			want: []string{`3: user "abc": subject needs an issuer`},
		},
		{
			name: "issuer without subject",
			text: "users:\n  - display_name: X\n    email: x@example.org\n    issuer: https://idp.example\n",
			want: []string{`4: user "x@example.org": issuer needs a subject`},
		},
		{
			name: "missing display name",
			text: "users:\n  - email: x@example.org\n",
			want: []string{`2: user "x@example.org": display_name is required`},
		},
		{
			name: "active not a boolean",
			text: "users:\n  - display_name: X\n    email: x@example.org\n    active: yes\n",
			want: []string{`4: user "x@example.org": active must be true or false`},
		},
		{
			name: "organisations not a list",
			text: "organisations:\n  short_name: A\n",
			want: []string{`2: organisations must be a list`},
		},
		{
			name: "every problem at once, in line order",
			text: "organisations:\n" + org("A", "ministry", "") + org("A", "municipal", "") + "users:\n  - display_name: X\n    grants:\n      - {org: A, role: boss}\n",
			want: []string{`4: organisation "A": unknown kind`, `6: organisation "A" is defined twice`, `11: user: needs an email`, `13: user: grant: unknown role "boss"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("d.yaml", []byte(tc.text))
			if err == nil {
				e := NewError(f.Name)
				f.Check(e, tc.existing)
				err = e.Err()
			}
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.text)
			}
			if !errors.Is(err, model.ErrInvalid) {
				t.Errorf("error does not unwrap to ErrInvalid: %v", err)
			}
			var de *Error
			if !errors.As(err, &de) || len(de.Problems) != len(tc.want) {
				t.Errorf("want %d problems, got: %v", len(tc.want), err)
			}
			msg := err.Error()
			last := -1
			for _, w := range tc.want {
				line, frag, _ := strings.Cut(w, ": ")
				needle := "d.yaml:" + line + ": "
				i := strings.Index(msg, needle)
				if i < 0 || !strings.Contains(msg[i:], frag) {
					t.Errorf("error does not name line %s with %q:\n%s", line, frag, msg)
					continue
				}
				if i < last {
					t.Errorf("problems are not in line order:\n%s", msg)
				}
				last = i
			}
		})
	}
}

// TestParseRefusesBadCharacters: a control character other than tab and newline (written as a
// YAML escape; YAML refuses raw ones and invalid UTF-8 itself) in a value is a problem at
// its line, naming the key; a tab is text.
func TestParseRefusesBadCharacters(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"NUL", `"Stadt\0"`}, {"bell", `"Stadt\a"`}, {"carriage return", `"Stadt\r"`}, {"C1", `"Stadt\x85"`}, {"DEL", `"Stadt\x7f"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(good, "name: Stadt Osnabrück", "name: "+tc.value, 1)
			_, err := Parse("directory.yaml", []byte(doc))
			if err == nil || !errors.Is(err, model.ErrInvalid) {
				t.Fatalf("Parse accepted %s: %v", tc.value, err)
			}
			if want := `directory.yaml:4: organisation "STADT": name ` + model.MsgBadCharacters; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		})
	}
	doc := strings.Replace(good, "name: Stadt Osnabrück", "name: \"Stadt\\tOsnabrück\"", 1)
	if _, err := Parse("directory.yaml", []byte(doc)); err != nil {
		t.Errorf("a tab is text: %v", err)
	}
}
