package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTablesAreScrollableRegions: every table of the pages sits in KERN's responsive wrapper,
// and that wrapper is a named region that takes the keyboard focus, so that a table wider
// than the screen can be scrolled without a mouse (WCAG 2.1.1, axe "scrollable-region-focusable").
func TestTablesAreScrollableRegions(t *testing.T) {
	files, err := filepath.Glob("components/*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templ files: %v", err)
	}
	wrapper := regexp.MustCompile(`<div class="kern-table-responsive"[^>]*>`)
	named := regexp.MustCompile(`role="region"`)
	focus := regexp.MustCompile(`tabindex="0"`)
	label := regexp.MustCompile(`aria-label(ledby)?=`)
	tables := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i, line := range lines {
			if w := wrapper.FindString(line); w != "" && !(named.MatchString(w) && focus.MatchString(w) && label.MatchString(w)) {
				t.Errorf("%s:%d: the table wrapper is not a named, focusable region: %s", f, i+1, strings.TrimSpace(line))
			}
			if !strings.Contains(line, "<table") {
				continue
			}
			tables++
			prev := ""
			for j := i - 1; j >= 0 && prev == ""; j-- {
				prev = strings.TrimSpace(lines[j])
			}
			if !wrapper.MatchString(prev) {
				t.Errorf("%s:%d: a table outside the responsive wrapper (after %q)", f, i+1, prev)
			}
		}
	}
	if tables < 10 {
		t.Errorf("only %d tables found: is the pattern still right?", tables)
	}
}
