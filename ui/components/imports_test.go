package components

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// beyondViews are packages that ui/components must not link, not even through its tests:
// the components take view structs that the web layer fills (plain strings, numbers, flags
// and ids, already masked and named), so no template can reach past what its view holds or
// re-derive a decision of the services.
var beyondViews = []string{
	"github.com/lotse-project/lotse/internal/model",
	"github.com/lotse-project/lotse/internal/service",
	"github.com/lotse-project/lotse/internal/store",
	"github.com/lotse-project/lotse/internal/db",
	"github.com/lotse-project/lotse/internal/authz",
	"github.com/lotse-project/lotse/internal/web",
}

// TestComponentsTakeViewsOnly: `go list -deps -test` of this package lists none of
// beyondViews.
func TestComponentsTakeViewsOnly(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps -test: %v\n%s", err, stderr)
	}
	deps := strings.Fields(string(out))
	// The tests read the message catalogue's languages: the listing includes test imports.
	if !slices.Contains(deps, "github.com/lotse-project/lotse/internal/locale") {
		t.Fatalf("go list -deps -test does not list internal/locale, which dates_test.go imports; the listing is broken: %v", deps)
	}
	for _, d := range deps {
		for _, p := range beyondViews {
			if d == p || strings.HasPrefix(d, p+"/") {
				t.Errorf("ui/components links %s: give the component a view struct and let the web layer fill it", d)
			}
		}
	}
}
