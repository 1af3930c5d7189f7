package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui"
)

func testCatalog(t *testing.T) *locale.Catalog {
	t.Helper()
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestEveryCodeHasMessages: every field error code (model.Codes) reads as a message of its
// own in German and English, and model.Codes lists every Code constant declared in model.
func TestEveryCodeHasMessages(t *testing.T) {
	cat := testCatalog(t)
	for _, tag := range []language.Tag{language.German, language.English} {
		l := cat.For(tag)
		for _, code := range model.Codes {
			if !l.Has("validation." + code) {
				t.Errorf("validation.%s is missing in ui/locales/validation.%s.toml", code, tag)
			}
		}
	}
	declared := codeConstants(t)
	for name, value := range declared {
		if name != "CodeTransitionRefused" && name != "CodeRoleConflict" && !slices.Contains(model.Codes, value) {
			t.Errorf("model.%s (%q) is not in model.Codes", name, value)
		}
	}
	if len(declared) < len(model.Codes) {
		t.Errorf("model.Codes has %d codes, model declares %d", len(model.Codes), len(declared))
	}
}

// codeConstants are the constants Code* of package model, by name.
func codeConstants(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]string{}
	files, err := filepath.Glob("../model/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no model sources: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if strings.HasPrefix(name.Name, "Code") && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[name.Name] = strings.Trim(lit.Value, "\"")
					}
				}
			}
			return true
		})
	}
	return out
}

// TestFieldErrorsUseCodeConstants: every ValidationError.Add and model.Invalid in the
// application's sources names its code by a model.Code* constant, never by a literal or a
// sentence (the services write no prose for users), so that every code is in model.Codes
// and has its messages.
func TestFieldErrorsUseCodeConstants(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "testutil") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		file, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if x, ok := fn.X.(*ast.Ident); name == "Add" && ok && (x.Name == "h" || x.Name == "problems" || strings.HasSuffix(x.Name, "Header")) {
					return true // http.Header.Add, directory problems: not field errors
				}
			case *ast.Ident:
				name = fn.Name
			}
			if name != "Invalid" && name != "Add" {
				return true
			}
			code := call.Args[1]
			switch c := code.(type) {
			case *ast.SelectorExpr:
				if x, ok := c.X.(*ast.Ident); ok && x.Name == "model" && strings.HasPrefix(c.Sel.Name, "Code") {
					checked++
					return true
				}
			case *ast.Ident:
				if strings.HasPrefix(c.Name, "Code") || c.Name == "code" {
					checked++
					return true
				}
			}
			if name == "Add" && !looksLikeFieldError(call) {
				return true
			}
			t.Errorf("%s: %s names its code by %s, not a model.Code* constant", fset.Position(call.Pos()), name, src[fset.Position(code.Pos()).Offset:fset.Position(code.End()).Offset])
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("only %d field errors found: does the scan still see the sources?", checked)
	}
}

// looksLikeFieldError tells v.Add(field, …) of a ValidationError from other Add methods
// (headers, directory problems, wait groups) by its first argument: a field is a string.
func looksLikeFieldError(call *ast.CallExpr) bool {
	sel := call.Fun.(*ast.SelectorExpr)
	x, ok := sel.X.(*ast.Ident)
	return ok && (x.Name == "v" || x.Name == "ve")
}

// TestFieldMessageLookup: the most specific message wins — a part of the UI's wording of a
// field, the field's wording, the part's wording of the code, the code — and the params
// fill it in; an unknown code reads as "invalid".
func TestFieldMessageLookup(t *testing.T) {
	de := testCatalog(t).For(language.German)
	for _, tc := range []struct {
		scope string
		fe    model.FieldError
		key   string
		text  string
	}{
		{scopeCases, model.FieldError{Field: "primary.family_name", Code: model.CodeRequired}, "validation.family_name.required", "Bitte geben Sie den Familiennamen ein."},
		{scopeCases, model.FieldError{Field: "members[2].given_names", Code: model.CodeTooLong, Params: model.Params{"max": 200}}, "validation.too_long", "Der Text ist zu lang (höchstens 200 Zeichen)."},
		{scopeAdmin, model.FieldError{Field: "email", Code: model.CodeNotEmail}, "validation.admin.email.not_email", ""},
		{scopeCases, model.FieldError{Field: "email", Code: model.CodeNotEmail}, "validation.not_email", "Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de ein."},
		{scopePartner, model.FieldError{Field: "body", Code: model.CodeRequired, Params: model.Params{"max": 8000}}, "validation.partner.body.required", "Bitte schreiben Sie einen Vermerk (höchstens 8000 Zeichen)."},
		{scopeCases, model.FieldError{Field: "body", Code: model.CodeRequired, Params: model.Params{"max": 8000}}, "validation.body.required", "Bitte schreiben Sie den Vermerk (höchstens 8000 Zeichen)."},
		{scopeAudit, model.FieldError{Field: "cursor", Code: model.CodeBadCursor}, "validation.audit.cursor.bad_cursor", ""},
		{scopeCases, model.FieldError{Field: "x", Code: "no_such_code"}, "validation.invalid", "Diese Angabe ist nicht gültig."},
	} {
		key, data := fieldMessage(de, tc.scope, tc.fe)
		if key != tc.key {
			t.Errorf("%s %+v: key %s, want %s", tc.scope, tc.fe, key, tc.key)
		}
		if got := de.T(key, data); tc.text != "" && got != tc.text {
			t.Errorf("%s %+v: %q, want %q", tc.scope, tc.fe, got, tc.text)
		}
	}
}

// TestTransitionText: a refused change of state names both states and the possible ones in
// the user's language, or says that the state is final.
func TestTransitionText(t *testing.T) {
	cat := testCatalog(t)
	de, en := cat.For(language.German), cat.For(language.English)
	for _, tc := range []struct {
		l    *locale.Localizer
		err  error
		want string
	}{
		{de, model.RefuseTransition("referral", "sent", "in_progress"), "Der Status kann nicht von „Gesendet“ zu „In Arbeit“ wechseln. Möglich ist: Angenommen, Abgelehnt, Zurückgezogen, Frist abgelaufen, Beendet (Einwilligung widerrufen)."},
		{de, model.RefuseTransition("referral", "declined", "completed"), "Der Status kann nicht von „Abgelehnt“ zu „Abgeschlossen“ wechseln. „Abgelehnt“ ist ein Endzustand."},
		{en, model.RefuseTransition("case", "closed", "paused"), "The status cannot change from “Closed” to “Paused”. Possible: Open."},
		{de, &model.TransitionError{Object: "consent", From: "revoked", To: "revoked"}, "Diese Einwilligung ist bereits widerrufen."},
	} {
		te := tc.err.(*model.TransitionError)
		if got := transitionText(tc.l, te); got != tc.want {
			t.Errorf("%v:\n got %q\nwant %q", te, got, tc.want)
		}
	}
}
