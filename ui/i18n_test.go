package ui_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui"
)

func catalog(t *testing.T) (*locale.Catalog, map[string]map[string]bool) {
	t.Helper()
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]map[string]bool{}
	for _, tag := range locale.Supported {
		keys[tag.String()] = map[string]bool{}
		for _, k := range cat.Keys(tag) {
			keys[tag.String()][k] = true
		}
	}
	return cat, keys
}

// TestCataloguesHaveTheSameKeys: every message exists in German and in English.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	_, keys := catalog(t)
	for a, ka := range keys {
		for b, kb := range keys {
			var missing []string
			for k := range ka {
				if !kb[k] {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			for _, k := range missing {
				t.Errorf("%q is in the %s catalogue (ui/locales/*.%s.toml) but not in the %s one", k, a, a, b)
			}
		}
	}
	if len(keys["de"]) < 40 {
		t.Fatalf("only %d German messages", len(keys["de"]))
	}
}

// Where code names message keys: T(ctx, "key") in components, l.T("key") in Go, navigation
// entries {key: "nav.x"}. Keys put together at run time ("role."+r) are checked as families below.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`\bT\(ctx,\s*"([^"]+)"\s*[,)]`),
	regexp.MustCompile(`\.T\("([^"]+)"\s*[,)]`),
	regexp.MustCompile(`\bkey:\s*"([^"]+)"`),
}

// Error categories that become pages: the codes of classify and of login errors in web.
var errorCodes = []*regexp.Regexp{
	regexp.MustCompile(`return (?:http\.Status\w+|he\.Code), "(\w+)"`),
	regexp.MustCompile(`loginError\(http\.Status\w+, "(\w+)"`),
}

// TestUsedKeysExist scans the Go code and the templ components for the message keys they
// use, and the key families built at run time (roles, languages, error categories), and
// fails on any key missing from a catalogue: a missing key would show its name to people.
func TestUsedKeysExist(t *testing.T) {
	_, keys := catalog(t)
	used := map[string]string{} // key -> where
	codes := map[string]string{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || n == ".git" || n == "vendor" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !(strings.HasSuffix(p, ".templ") || strings.HasSuffix(p, ".go")) || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "_templ.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range keyUses {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = p
			}
		}
		if strings.HasPrefix(filepath.ToSlash(p), "../internal/web/") {
			for _, re := range errorCodes {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					codes[m[1]] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"login.title", "frame.skip", "nav.home", "error.request_id"} {
		if used[k] == "" {
			t.Fatalf("the scan did not find the use of %q: is the pattern still right?", k)
		}
	}
	for _, c := range []string{"not_found", "internal", "login_failed"} {
		if codes[c] == "" {
			t.Fatalf("the scan did not find the error code %q", c)
		}
	}
	for _, r := range model.Roles {
		used["role."+string(r)] = "model.Roles"
	}
	for _, tag := range locale.Supported {
		used["lang."+tag.String()] = "locale.Supported"
	}
	for _, a := range model.AuditActions {
		used["auditlog.action."+a] = "model.AuditActions"
	}
	for _, p := range model.AuditPurposes {
		used["auditlog.purpose."+strings.ReplaceAll(p, " ", "_")] = "model.AuditPurposes"
	}
	for _, o := range model.AuditObjects() {
		used["auditlog.object."+o] = "model.AuditObjects"
		used["auditlog.objtype."+o] = "model.AuditObjects"
	}
	for c, where := range codes {
		used["error."+c+".title"] = where
		used["error."+c+".text"] = where
	}
	var all []string
	for k := range used {
		all = append(all, k)
	}
	slices.Sort(all)
	for _, k := range all {
		for lang, ks := range keys {
			if !ks[k] {
				t.Errorf("%s uses message %q, missing in ui/locales/*.%s.toml", used[k], k, lang)
			}
		}
	}
}

// TestCountsInflect: a message that puts a count before a word says "1 Fall" and "2 Fälle"
// ("1 case", "2 cases"), not "1 Fälle". A message whose count stands alone in parentheses
// ("(3)") needs no inflection.
func TestCountsInflect(t *testing.T) {
	cat, keys := catalog(t)
	checked := 0
	for _, tag := range locale.Supported {
		l := cat.For(tag)
		for k := range keys[tag.String()] {
			one := l.T(k, map[string]any{"Count": 1})
			two := l.T(k, map[string]any{"Count": 2})
			if one == two || strings.Contains(l.T(k, map[string]any{"Count": 7}), "(7)") {
				continue
			}
			checked++
			if two == strings.ReplaceAll(one, "1", "2") {
				t.Errorf("%s %q reads %q for one and %q for two: the word after the count does not inflect (use {{if eq .Count 1}}…{{else}}…{{end}})", tag, k, one, two)
			}
		}
	}
	if checked < 4 {
		t.Fatalf("only %d messages with counts checked: is the test still right?", checked)
	}
}
