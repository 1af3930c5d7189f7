package app_test

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/devapp"
)

// envVars collects every LOTSE_* variable of the command grammar with its default, walking
// the global configuration and every command's own settings.
func envVars(t reflect.Type, out map[string]string) {
	for _, f := range reflect.VisibleFields(t) {
		if env := f.Tag.Get("env"); env != "" {
			out[env] = f.Tag.Get("default")
			if _, ok := f.Tag.Lookup("secret"); ok {
				out[env+"_FILE"] = ""
			}
		}
		if f.Type.Kind() == reflect.Struct && !f.Anonymous {
			envVars(f.Type, out)
		}
	}
}

// TestReadmeTableMatchesConfig keeps the README's configuration table and the code in step:
// every variable with its default, nothing more, nothing less. It lives in package app_test
// because the grammar of the development variant (package devapp, which imports app) counts.
func TestReadmeTableMatchesConfig(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "<!-- config-table:start -->")
	end := strings.Index(readme, "<!-- config-table:end -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no config-table markers")
	}
	row := regexp.MustCompile("(?m)^\\| `(LOTSE_[A-Z0-9_]+)` \\| ([^|]*) \\|")
	inReadme := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(readme[start:end], -1) {
		inReadme[m[1]] = strings.Trim(strings.TrimSpace(m[2]), "`")
	}
	inCode := map[string]string{}
	envVars(reflect.TypeOf(app.CLI{}), inCode)
	for _, c := range devapp.Commands() { // the development variant's commands are documented too
		envVars(reflect.TypeOf(c.Cmd).Elem(), inCode)
	}
	if len(inCode) < 10 {
		t.Fatalf("found only %d variables in the grammar; the walk is broken", len(inCode))
	}
	for env, def := range inCode {
		got, ok := inReadme[env]
		switch {
		case !ok:
			t.Errorf("README.md lacks %s", env)
		case got != def:
			t.Errorf("README.md says %s defaults to %q, the code says %q", env, got, def)
		}
	}
	for env := range inReadme {
		if _, ok := inCode[env]; !ok {
			t.Errorf("README.md documents %s, which the code does not know", env)
		}
	}
}
