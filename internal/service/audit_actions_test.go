package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// actionLiteral is what an audit action looks like in the code: an object the audit knows
// (the part before the dot of model.AuditActions) and a verb.
func actionLiteral() *regexp.Regexp {
	return regexp.MustCompile(`^(` + strings.Join(model.AuditObjects(), "|") + `)\.[a-z_]+$`)
}

// TestAuditActionsAreListed: every action the services write is in model.AuditActions (which
// gives it a readable name for the data protection officer), and every listed action is still
// written somewhere. Action names are string literals passed to event and caseEvent (or to
// the transitions and records that pass them on); the scan reads every string literal of the
// package's code that has the shape of an action.
func TestAuditActionsAreListed(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	shape := actionLiteral()
	written := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && shape.MatchString(s) {
					written[s] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
	}
	for _, a := range []string{"case.read", "referral.accept", "audit.export"} {
		if written[a] == "" {
			t.Fatalf("the scan did not find %q: is it still right?", a)
		}
	}
	for a, where := range written {
		if !slices.Contains(model.AuditActions, a) {
			t.Errorf("%s writes the audit action %q, which model.AuditActions lacks (add it there and name it in ui/locales)", where, a)
		}
	}
	for _, a := range model.AuditActions {
		if written[a] == "" {
			t.Errorf("model.AuditActions lists %q, which no service writes any more", a)
		}
	}
}
