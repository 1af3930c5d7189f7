package components

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/a-h/templ/generator"
	parser "github.com/a-h/templ/parser/v2"
)

// TestGeneratedCodeIsCurrent generates every *.templ the way `make generate` does (templ
// generate -path ui/components, with the version header) and compares the result with the
// committed *_templ.go: a changed template without its generated code fails here.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	generated, _ := filepath.Glob("*_templ.go")
	if len(generated) != len(files) {
		t.Errorf("%d templates but %d generated files: run `make generate`", len(files), len(generated))
	}
	for _, f := range files {
		tf, err := parser.Parse(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var b bytes.Buffer
		if _, err := generator.Generate(tf, &b, generator.WithVersion(templ.Version()), generator.WithFileName(f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want, err := format.Source(b.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		target := strings.TrimSuffix(f, ".templ") + "_templ.go"
		got, err := os.ReadFile(target)
		if err != nil {
			t.Errorf("%s: %v (run `make generate`)", target, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `make generate`", target)
		}
	}
}
