package devapp

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/demo"
)

const readmePath = "../../README.md"

// The README's table of demo accounts is what `make run` prints (printDevBanner): the same
// accounts, in the same order, with the same roles and organisations.
func TestReadmeListsTheDemoAccounts(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	begin, end := strings.Index(text, "<!-- demo-accounts:begin -->"), strings.Index(text, "<!-- demo-accounts:end -->")
	if begin < 0 || end < begin {
		t.Fatal("README.md lacks the demo-accounts markers")
	}
	var got []string
	for _, line := range strings.Split(text[begin:end], "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| name ") && !strings.HasPrefix(line, "| ---") {
			got = append(got, line)
		}
	}
	l := roleLabels()
	var want []string
	for _, a := range demo.Accounts() {
		want = append(want, fmt.Sprintf("| %s | %s | %s | %s |", a.DisplayName, a.Email, l.T("role."+string(a.Role)), a.Org))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README.md's demo accounts differ from what `make run` prints; write these rows:\n%s", strings.Join(want, "\n"))
	}
}

// Every relative link in the README points at a file or folder that a fresh clone has.
func TestReadmeLinksExist(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`).FindAllStringSubmatch(string(b), -1)
	if len(links) == 0 {
		t.Fatal("no links found: the pattern is broken")
	}
	for _, m := range links {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(readmePath), target)); err != nil {
			t.Errorf("README.md links to %s, which a fresh clone lacks", target)
		}
	}
}
