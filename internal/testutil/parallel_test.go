package testutil

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// dbConstructors are the functions that give a test its own database. A test that calls one of
// them, directly or through a helper of its package (newCaseFixture, newCW, world.New, ...),
// has nothing to share and must run with t.Parallel().
var dbConstructors = []string{
	"github.com/lotse-project/lotse/internal/testutil.NewDatabase",
	"github.com/lotse-project/lotse/internal/testutil.NewEmptyDatabase",
	"github.com/lotse-project/lotse/internal/testutil.NewDBURL",
	"github.com/lotse-project/lotse/internal/testutil.NewEmptyDBURL",
	"github.com/lotse-project/lotse/internal/testutil.NewDB",
	"github.com/lotse-project/lotse/internal/testutil/world.New",
}

// sequentialTests may create a database and still run alone. Each entry says why; an entry
// that is no longer needed (the test is parallel or has no database) fails the check, so the
// list only shrinks.
var sequentialTests = map[string]string{
	// t.Setenv (directly or via runMain/clearLotseEnv/defaultConfig) panics in a parallel test:
	// these tests configure Lotse through its LOTSE_* environment, exactly as an operator does.
	// The value names the helper that sets the environment.
	"internal/app.TestMainSchemaAhead":                       "runMain",
	"internal/app.TestMainSchemaBehind":                      "runMain",
	"internal/app.TestMainMigrateUpStatusDown":               "runMain",
	"internal/app.TestDevEndToEnd":                           "t.Setenv of LOTSE_DATABASE_URL etc.",
	"internal/app.TestDirectoryApplyCmd":                     "runMain",
	"internal/app.TestDirectoryApplyCmdBadInput":             "runMain",
	"internal/app.TestSeedDemoTwice":                         "runMain",
	"internal/app.TestDirectoryApplySeparationOfDuties":      "runMain",
	"internal/app.TestPolicyConflictsCmd":                    "runMain",
	"internal/app.TestPolicyCheck":                           "runMain",
	"internal/app.TestMainServeRefusesPrivilegedRole":        "runMain",
	"internal/app.TestServeGracefulStop":                     "defaultConfig",
	"internal/app.TestServeGraceExpires":                     "defaultConfig",
	"internal/jobs.TestDeliverJobRetriesAndShowsInLotseJobs": "t.Setenv for the lotse jobs command",
	"internal/app.TestServeDrainsReadinessFirst":             "defaultConfig",
	"internal/app.TestTracesCarryNoPersonalData":             "t.Setenv of the OTEL_* variables the exporter reads",
	"internal/devapp.TestRestoreDrill":                       "t.Setenv in its lotse helper, which runs app.Main",
	// Real processes or clusters under load with a bound of a second (a grant counting on
	// both instances; the replica's lag against its limit): alone, so that the bound
	// measures Lotse and not the neighbouring tests.
	"internal/app.TestRollingRestartLosesNothing": "real instances under load, one-second bound",
	"internal/app.TestReadReplica":                "a primary and a standby cluster, lag bound",
}

// TestDatabaseTestsRunInParallel fails when a top-level Test function of the repository creates
// its own database without calling t.Parallel() before it. A database per test is what makes
// parallel tests safe; without t.Parallel() they wait for each other and `make test` is slow.
func TestDatabaseTestsRunInParallel(t *testing.T) {
	t.Parallel()
	root, module := moduleRoot(t)
	var problems []string
	seen := map[string]bool{}
	for _, tc := range sequentialViolations(t, root, module) {
		seen[tc.name] = tc.parallel
		if _, ok := sequentialTests[tc.name]; ok {
			continue
		}
		if !tc.parallel {
			problems = append(problems, tc.pos+": "+tc.name+" creates its own database but does not call t.Parallel() before it")
		}
	}
	for name := range sequentialTests {
		parallel, creates := seen[name]
		switch {
		case !creates:
			problems = append(problems, "sequentialTests: "+name+" does not create a database (any more): remove it from the list")
		case parallel:
			problems = append(problems, "sequentialTests: "+name+" calls t.Parallel(): remove it from the list")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestParallelCheckFindsSequentialDatabaseTests runs the check on a small module written for the
// purpose: a direct call, a call through a helper and through a method are found, a parallel
// test and a test without a database are not.
func TestParallelCheckFindsSequentialDatabaseTests(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module github.com/lotse-project/lotse\n")
	write("p/p_test.go", `package p

import (
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
	w "github.com/lotse-project/lotse/internal/testutil/world"
)

type fix struct{}

func newFix(t *testing.T) *fix { testutil.NewDB(t); return &fix{} }
func (f *fix) reset(t *testing.T) { _ = w.New(t) }
func indirect(t *testing.T) *fix { return newFix(t) }

func TestDirect(t *testing.T)   { testutil.NewDBURL(t) }
func TestHelper(t *testing.T)   { indirect(t) }
func TestMethod(t *testing.T)   { var f fix; f.reset(t) }
func TestSubtest(t *testing.T)  { t.Run("x", func(t *testing.T) { newFix(t) }) }
func TestLate(t *testing.T)     { newFix(t); t.Parallel() }
func TestParallel(t *testing.T) { t.Parallel(); newFix(t) }
func TestNoDB(t *testing.T)     {}
`)
	got := map[string]bool{}
	for _, tc := range sequentialViolations(t, dir, "github.com/lotse-project/lotse") {
		got[tc.name] = tc.parallel
	}
	want := map[string]bool{"p.TestDirect": false, "p.TestHelper": false, "p.TestMethod": false,
		"p.TestSubtest": false, "p.TestLate": false, "p.TestParallel": true}
	for name, parallel := range want {
		p, ok := got[name]
		if !ok || p != parallel {
			t.Errorf("%s: found=%v parallel=%v, want found=true parallel=%v", name, ok, p, parallel)
		}
	}
	if len(got) != len(want) {
		t.Errorf("found %v, want exactly %v", got, want)
	}
}

type dbTest struct {
	name     string // package path relative to the module root + "." + function, e.g. internal/app.TestServe
	pos      string
	parallel bool // t.Parallel() is called before the first database
}

// moduleRoot finds go.mod above the package directory and returns its directory and module path.
func moduleRoot(t *testing.T) (string, string) {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return dir, strings.TrimSpace(m)
				}
			}
			t.Fatalf("no module line in %s/go.mod", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// pkgFuncs is what the check knows of one directory: the calls of each function and method.
type pkgFuncs struct {
	path  string                         // import path
	calls map[string]map[string]struct{} // "f" or "*.m" -> called keys ("importpath.f", "importpath.*.m")
	tests []*ast.FuncDecl
	files map[*ast.FuncDecl]*ast.File
}

// sequentialViolations returns every top-level test of the module under root that creates a
// database, directly or through functions of the module (followed across packages, methods
// matched by name within their package), and whether it calls t.Parallel() before.
func sequentialViolations(t *testing.T, root, module string) []dbTest {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := map[string]*pkgFuncs{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		ip := module
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		pf := pkgs[ip]
		if pf == nil {
			pf = &pkgFuncs{path: ip, calls: map[string]map[string]struct{}{}, files: map[*ast.FuncDecl]*ast.File{}}
			pkgs[ip] = pf
		}
		imports := importNames(f)
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			key := fd.Name.Name
			if fd.Recv != nil {
				key = "*." + key
			}
			set := pf.calls[key]
			if set == nil {
				set = map[string]struct{}{}
				pf.calls[key] = set
			}
			for _, c := range callKeys(fd.Body, ip, imports) {
				set[c.key] = struct{}{}
			}
			if fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Test") && strings.HasSuffix(p, "_test.go") && isTestFunc(fd) {
				pf.tests = append(pf.tests, fd)
				pf.files[fd] = f
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Fixed point: a function creates a database when it calls one that does.
	creates := map[string]bool{}
	for _, c := range dbConstructors {
		creates[c] = true
	}
	for changed := true; changed; {
		changed = false
		for ip, pf := range pkgs {
			for fn, calls := range pf.calls {
				key := ip + "." + fn
				if creates[key] {
					continue
				}
				for c := range calls {
					if creates[c] {
						creates[key] = true
						changed = true
						break
					}
				}
			}
		}
	}

	var out []dbTest
	for ip, pf := range pkgs {
		for _, fd := range pf.tests {
			f := pf.files[fd]
			imports := importNames(f)
			first := token.NoPos
			for _, c := range callKeys(fd.Body, ip, imports) {
				if creates[c.key] && (first == token.NoPos || c.pos < first) {
					first = c.pos
				}
			}
			if first == token.NoPos {
				continue
			}
			tname := fd.Type.Params.List[0].Names[0].Name
			parallel := false
			for _, st := range fd.Body.List {
				if st.Pos() >= first {
					break
				}
				if isParallelCall(st, tname) {
					parallel = true
					break
				}
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(ip, module), "/")
			pos := fset.Position(fd.Pos())
			relFile, _ := filepath.Rel(root, pos.Filename)
			out = append(out, dbTest{
				name:     rel + "." + fd.Name.Name,
				pos:      relFile + ":" + strconv.Itoa(pos.Line),
				parallel: parallel,
			})
		}
	}
	return out
}

type callKey struct {
	key string
	pos token.Pos
}

// callKeys lists the calls in body (function literals included): f() as "pkg.f", imp.F() as
// "imppath.F", x.m() as "pkg.*.m".
func callKeys(body ast.Node, pkg string, imports map[string]string) []callKey {
	var out []callKey
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			out = append(out, callKey{pkg + "." + fn.Name, call.Pos()})
		case *ast.IndexExpr: // generic f[T]()
			if id, ok := fn.X.(*ast.Ident); ok {
				out = append(out, callKey{pkg + "." + id.Name, call.Pos()})
			}
		case *ast.SelectorExpr:
			if id, ok := fn.X.(*ast.Ident); ok {
				if path, ok := imports[id.Name]; ok {
					out = append(out, callKey{path + "." + fn.Sel.Name, call.Pos()})
					return true
				}
			}
			out = append(out, callKey{pkg + ".*." + fn.Sel.Name, call.Pos()})
		}
		return true
	})
	return out
}

// isTestFunc: func TestX(t *testing.T).
func isTestFunc(fd *ast.FuncDecl) bool {
	ps := fd.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) != 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "T"
}

// isParallelCall: the statement `t.Parallel()` for the test's parameter t.
func isParallelCall(st ast.Stmt, tname string) bool {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Parallel" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == tname
}

// importNames maps the names under which f refers to its imports to their paths.
func importNames(f *ast.File) map[string]string {
	imports := map[string]string{}
	for _, is := range f.Imports {
		path, _ := strconv.Unquote(is.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if is.Name != nil {
			name = is.Name.Name
		}
		imports[name] = path
	}
	return imports
}
