package model

import (
	"slices"
	"testing"
)

func TestTextOK(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "Müller": true, "a\tb\nc": true, "🙂 ü ß": true, "\ufffd": true, "\u2028": true,
		"\x00": false, "a\x07": false, "a\r\nb": false, "\x1b[31m": false, "\x7f": false, "\u0085": false, "\u009f": false,
		"\xff": false, "a\xc0\x80": false, "\xed\xa0\x80": false, "caf\xe9": false,
	} {
		if got := TextOK(s); got != want {
			t.Errorf("TextOK(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckTextNamesEveryField(t *testing.T) {
	bad := "x\x00"
	in := CaseCreate{
		District: bad,
		Primary:  PersonInput{FamilyName: "ok", NameVariants: []string{"ok", bad, bad}, Email: bad},
		Members:  []PersonInput{{}, {ResidenceStatus: bad}},
	}
	v := &ValidationError{}
	CheckText(v, "", &in)
	CheckText(v, "", CasePatch{StatusReason: &bad})
	CheckText(v, "", map[string]string{"reason": bad, "ok": "fine"})
	var got []string
	for _, f := range v.Fields {
		if f.Code != CodeBadCharacters {
			t.Errorf("%s: code %q", f.Field, f.Code)
		}
		got = append(got, f.Field)
	}
	want := []string{"district", "primary.name_variants", "primary.email", "members[1].residence_status", "status_reason", "reason"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
	v = &ValidationError{}
	CheckText(v, "", NoteCreate{Body: "Termin\tam\nMontag"})
	if err := v.Err(); err != nil {
		t.Errorf("good text refused: %v", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"FamilyName": "family_name", "ResponsibleUserID": "responsible_user_id", "Q": "q", "ID": "id", "OrgID": "org_id", "URLPath": "url_path",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
