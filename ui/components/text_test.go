package components

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// markTranslator renders every message as ⟦key⟧, so that any letter outside ⟦…⟧ on a
// rendered page was written into a component instead of coming from ui/locales.
type markTranslator struct{}

func (markTranslator) T(id string, _ ...map[string]any) string { return "⟦" + id + "⟧" }

// Fixture data is marked the same way: it comes from the database or the configuration.
var (
	orgA = Membership{OrgID: "⟦org-a⟧", Name: "⟦Stadt⟧", Roles: []string{"caseworker", "lead"}}
	orgB = Membership{OrgID: "⟦org-b⟧", Name: "⟦Caritas⟧", Roles: []string{"caseworker"}}

	fullUser   = User{Name: "⟦Kim Muster⟧", Acting: &orgA, Memberships: []Membership{orgA, orgB}}
	noRoleUser = User{Name: "⟦Neu⟧"}

	frames = map[string]Frame{
		"anonymous": {Languages: []LanguageLink{{Tag: "de", Key: "lang.de", Href: "/?lang=de", Current: true}, {Tag: "en", Key: "lang.en", Href: "/?lang=en"}}},
		"signed in": {
			Operator: "⟦Stadt Osnabrück⟧", CSRF: "⟦token⟧", User: &fullUser,
			Nav:       []NavItem{{Key: "nav.home", Href: "/", Active: true}, {Key: "nav.other", Href: "/x"}},
			Languages: []LanguageLink{{Tag: "de", Key: "lang.de", Href: "/?lang=de"}, {Tag: "en", Key: "lang.en", Href: "/?lang=en", Current: true}},
		},
		"signed in, no role": {CSRF: "⟦token⟧", User: &noRoleUser},
	}

	// pages renders every page component; a test makes sure each templ component is here.
	pages = map[string][]templ.Component{
		"ErrorPage": {ErrorPage(ErrorView{Status: 404, Code: "not_found", RequestID: "⟦rid⟧"}), ErrorPage(ErrorView{Status: 500, Code: "internal"})},
		"Login":     {Login([]Provider{{Name: "⟦Stadt-Anmeldung⟧", URL: "/auth/login/a"}, {Name: "⟦Zweite⟧", URL: "/auth/login/b"}}), Login(nil)},
		"LoggedOut": {LoggedOut()},
		"Home":      {Home(HomeView{User: fullUser}), Home(HomeView{User: noRoleUser}), Home(HomeView{User: User{Name: "⟦Eine⟧", Acting: &orgB, Memberships: []Membership{orgB}}})},
		"Layout":    {Layout("⟦title⟧")},
	}
)

// allowed are words that are no translation: the product's name.
var allowed = regexp.MustCompile(`⟦[^⟧]*⟧|\bLotse\b`)

// visibleAttrs are attributes people read or hear.
var visibleAttrs = map[string]bool{"aria-label": true, "title": true, "alt": true, "placeholder": true, "aria-description": true, "label": true}

// TestNoHardCodedText renders every page in every frame with the marking translator and
// fails on any letter in text or in a visible attribute that did not come through T.
func TestNoHardCodedText(t *testing.T) {
	for name, comps := range pages {
		for fname, f := range frames {
			for i, c := range comps {
				ctx := WithEnv(context.Background(), &Env{Lang: "de", L: markTranslator{}, Frame: f})
				var b strings.Builder
				if err := c.Render(ctx, &b); err != nil {
					t.Fatalf("%s #%d in frame %q: %v", name, i, fname, err)
				}
				for _, txt := range hardCodedText(t, b.String()) {
					t.Errorf("%s #%d in frame %q: hard-coded text %q: put it into ui/locales and use T(ctx, key)", name, i, fname, txt)
				}
			}
		}
	}
}

// hardCodedText returns the text of the page that has letters outside ⟦…⟧.
func hardCodedText(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	check := func(s string) {
		rest := allowed.ReplaceAllString(s, "")
		if strings.IndexFunc(rest, unicode.IsLetter) >= 0 {
			out = append(out, strings.TrimSpace(s))
		}
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if p := n.Parent; p == nil || (p.Data != "script" && p.Data != "style") {
				check(n.Data)
			}
		case html.ElementNode:
			for _, a := range n.Attr {
				if visibleAttrs[a.Key] || (a.Key == "value" && n.Data == "input" && attr(n, "type") != "hidden") {
					check(a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestHardCodedTextIsFound: the check above does find text written into markup.
func TestHardCodedTextIsFound(t *testing.T) {
	got := hardCodedText(t, `<html lang="de"><head><title>⟦a⟧ – Lotse</title></head><body><p>⟦b⟧ Hallo</p>`+
		`<nav aria-label="Menü"></nav><p>12 · ⟦c⟧</p><input type="submit" value="Senden"><input type="hidden" name="x" value="abc"></body></html>`)
	want := []string{"⟦b⟧ Hallo", "Menü", "Senden"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", got, want)
	}
}

var templDecl = regexp.MustCompile(`(?m)^templ ([A-Z]\w*)\(`)

// TestEveryComponentIsChecked: each exported component of the *.templ files is rendered by
// TestNoHardCodedText.
func TestEveryComponentIsChecked(t *testing.T) {
	files, _ := filepath.Glob("*.templ")
	var missing []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templDecl.FindAllStringSubmatch(string(b), -1) {
			if _, ok := pages[m[1]]; !ok {
				missing = append(missing, m[1])
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("components without a rendering in text_test.go's pages: %v", missing)
	}
}
