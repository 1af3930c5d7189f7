package ui_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/ui"
)

// TestOwnCSSIsFlat: lotse.css is plain CSS whose rules all close. A rule left open (a merge
// that lost a "}") is not an error in the browser: with CSS nesting, every rule after it
// becomes a nested rule of the open one and silently stops applying to the page. Only at-rules
// (@media) may hold rules.
func TestOwnCSSIsFlat(t *testing.T) {
	b, err := ui.Static.ReadFile("static/lotse.css")
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	var stack []string // the preludes of the open blocks
	start := 0
	for i, ch := range css {
		switch ch {
		case '{':
			prelude := strings.TrimSpace(css[start:i])
			if n := len(stack); n > 0 && !strings.HasPrefix(stack[n-1], "@") {
				t.Fatalf("rule %q opens inside the rule %q: a \"}\" is missing before it", prelude, stack[n-1])
			}
			stack = append(stack, prelude)
			start = i + 1
		case '}':
			if len(stack) == 0 {
				t.Fatalf("a \"}\" closes nothing at byte %d", i)
			}
			stack = stack[:len(stack)-1]
			start = i + 1
		case ';':
			start = i + 1
		}
	}
	if len(stack) > 0 {
		t.Fatalf("rule %q is not closed", stack[len(stack)-1])
	}
}
