package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestOneEntryPoint: every store call runs inside Store.Tx or Store.Read (or, for a read of
// one statement, Store.One; for a heavy read, Store.Heavy, which reads the replica's handle
// and writes its audit events through run), the entry points that know the acting user (where the transaction-local actor context for row-level
// security will be set). So no method of Store but run may touch the process's database
// handle: repositories hang off a Tx, and Store's other methods (PolicySnapshot) go through
// Read. The test reads the package's source; a method that reaches s.db directly fails it.
func TestOneEntryPoint(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	methods := 0
	for _, name := range sources(t) {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			recv := storeReceiver(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "db" {
					return true
				}
				x, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				if recv != "" && x.Name == recv && fn.Name.Name != "run" && fn.Name.Name != "One" {
					t.Errorf("%s: Store.%s uses the database handle outside the entry points (Store.Tx, Store.Read, Store.One)", fset.Position(sel.Pos()), fn.Name.Name)
				}
				return true
			})
			if recv != "" {
				methods++
			}
		}
	}
	if methods < 3 {
		t.Fatalf("found %d methods of Store: the test does not see the package", methods)
	}
}

// storeReceiver is the receiver name of a method of *Store, or "".
func storeReceiver(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 || len(fn.Recv.List[0].Names) != 1 {
		return ""
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return ""
	}
	if id, ok := star.X.(*ast.Ident); !ok || id.Name != "Store" {
		return ""
	}
	return fn.Recv.List[0].Names[0].Name
}

// sources lists the package's Go source files, tests aside, for the tests that read them.
func sources(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			out = append(out, name)
		}
	}
	if len(out) < 5 {
		t.Fatalf("found %d source files: the test does not see the package", len(out))
	}
	return out
}
