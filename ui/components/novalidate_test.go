package components

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// formTag is a form's opening tag, attributes and all (templ expressions hold no ">").
var formTag = regexp.MustCompile(`<form\b[^>]*>`)

// TestEveryFormValidatesInTheApplication: every form carries novalidate, so a missing or wrong
// field is answered by the application's error summary and field message in the user's
// language, never only by the browser's bubble.
func TestEveryFormValidatesInTheApplication(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templ files: %v", err)
	}
	forms := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range formTag.FindAll(b, -1) {
			forms++
			if !regexp.MustCompile(`\bnovalidate\b`).Match(tag) {
				t.Errorf("%s: a form without novalidate: %s", f, tag)
			}
		}
	}
	if forms < 20 {
		t.Errorf("found only %d forms; does the pattern still match the templates?", forms)
	}
}
