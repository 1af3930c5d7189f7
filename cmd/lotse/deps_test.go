package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// devOnly are the packages that only the development variant (cmd/lotse-dev) may link, by
// import path prefix, and why the production binary must not.
var devOnly = []struct{ prefix, why string }{
	{"github.com/lotse-project/lotse/internal/bench", "the load harness (lotse-dev bench), which signs in as many accounts and writes notes"},
	{"github.com/tsenart/vegeta/", "the load generator of that harness"},
	{"github.com/lotse-project/lotse/internal/devapp", "the development commands (dev, seed demo, seed scale, bench)"},
	{"github.com/lotse-project/lotse/internal/devidp", "an identity provider that signs anyone in as any demo account with one click"},
	{"github.com/zitadel/", "the OpenID provider library behind devidp; Lotse is only a relying party"},
	{"github.com/go-chi/", "the router of that provider"},
	{"github.com/rs/cors", "the CORS handler of that provider"},
	{"github.com/lotse-project/lotse/internal/pglocal", "starts private PostgreSQL clusters (initdb, pg_ctl, as the postgres OS user); production gets LOTSE_DATABASE_URL"},
	{"github.com/lotse-project/lotse/internal/demo", "demo accounts with known addresses and made-up cases, never for a production database"},
	{"github.com/lotse-project/lotse/internal/scale", "the city-scale generator: a city of made-up cases and accounts written straight into the tables"},
	{"github.com/lotse-project/lotse/internal/image", "the container image builder (lotse-dev image, make image): a build tool, not part of the server"},
	{"github.com/google/go-containerregistry/", "the image library behind that builder"},
}

// testOnly may appear in neither binary.
var testOnly = []string{
	"github.com/lotse-project/lotse/internal/testutil",
	"github.com/oauth2-proxy/mockoidc",
	"github.com/chromedp/",
	// The Helm chart's test (deploy/helm): Helm and the Kubernetes types it renders into.
	"helm.sh/",
	"k8s.io/",
	"sigs.k8s.io/",
	"github.com/prometheus-operator/",
}

// deps lists the non-standard packages that the packages named by args (go list flags and
// patterns) link, built as `make build` builds (CGO_ENABLED=0, no build tags).
func deps(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, args...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Fields(string(out))
}

func withPrefix(pkgs []string, prefix string) []string {
	var out []string
	for _, p := range pkgs {
		if p == prefix || (strings.HasPrefix(p, prefix) && (strings.HasSuffix(prefix, "/") || strings.HasPrefix(p[len(prefix):], "/"))) {
			out = append(out, p)
		}
	}
	return out
}

// TestProductionBinaryCarriesNoDevelopmentCode: `go list -deps ./cmd/lotse` lists none of the
// development packages, while the development variant lists every one of them (so the
// names checked are the names in use).
func TestProductionBinaryCarriesNoDevelopmentCode(t *testing.T) {
	prod, dev := deps(t, "."), deps(t, "../lotse-dev")
	if len(withPrefix(prod, "github.com/lotse-project/lotse/internal/app")) == 0 {
		t.Fatalf("go list -deps of cmd/lotse does not list internal/app; the listing is broken: %v", prod)
	}
	for _, d := range devOnly {
		if len(withPrefix(dev, d.prefix)) == 0 {
			t.Errorf("the development variant does not link %s; is the name still right?", d.prefix)
		}
		if hits := withPrefix(prod, d.prefix); len(hits) > 0 {
			t.Errorf("the production binary links %v: %s", hits, d.why)
		}
	}
	for _, p := range testOnly {
		if hits := append(withPrefix(prod, p), withPrefix(dev, p)...); len(hits) > 0 {
			t.Errorf("a binary links test code %v", hits)
		}
	}
}

// TestProductionBinaryEmbedsTheTimeZones: the container image has no /usr/share/zoneinfo
// (internal/image), so the production binary carries Go's time zone database (time/tzdata)
// for Europe/Berlin: working days, the digest time, the dates on the pages.
func TestProductionBinaryEmbedsTheTimeZones(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if !slices.Contains(pkgs, "time") {
		t.Fatalf("go list -deps of cmd/lotse does not list time; the listing is broken: %d packages", len(pkgs))
	}
	if !slices.Contains(pkgs, "time/tzdata") {
		t.Error("the production binary does not link time/tzdata: the image has no zoneinfo, so Europe/Berlin would not load; import _ \"time/tzdata\" in cmd/lotse")
	}
}

// TestNoArchivedYAML: Lotse reads YAML with go.yaml.in/yaml/v3, the maintained successor of
// the archived gopkg.in/yaml.v3; no package of the module, tests included, links the old one
// (only the oapi-codegen tool still needs it, which is why go.sum keeps it).
func TestNoArchivedYAML(t *testing.T) {
	all := deps(t, "-test", "github.com/lotse-project/lotse/...")
	if len(withPrefix(all, "go.yaml.in/yaml/v3")) == 0 {
		t.Errorf("nothing links go.yaml.in/yaml/v3; the listing is broken: %d packages", len(all))
	}
	if hits := withPrefix(all, "gopkg.in/yaml.v3"); len(hits) > 0 {
		t.Errorf("the module links the archived %v: import go.yaml.in/yaml/v3", hits)
	}
}
