package mutation

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// mutant is one single change to one file of the authorization core. old must occur in the
// file exactly once, so that a refactoring that moves the rule fails here instead of
// silently testing nothing.
type mutant struct {
	name, file, old, new string
}

// mutants are the rules of need-to-know, each broken once. Keep one per rule; add one for
// every new rule in scopes.go.
var mutants = []mutant{
	{"a revoked consent still covers", "internal/store/scopes.go",
		"return `(` + c + `.revoked_at IS NULL AND ?::date", "return `(TRUE AND ?::date"},
	{"an expired consent covers", "internal/store/scopes.go",
		"BETWEEN ` + c + `.valid_from AND ` + c + `.valid_until", ">= ` + c + `.valid_from"},
	{"a consent for another recipient covers", "internal/store/scopes.go",
		" AND ccr.org_id = ` + r + `.to_org_id))`", "))`"},
	{"a declined referral counts as active", "internal/store/scopes.go",
		"AND ar.to_org_id = ANY(?::uuid[])\n\t\tAND ar.status IN ` + sqlActiveReferral",
		"AND ar.to_org_id = ANY(?::uuid[])\n\t\tAND ar.status IN ` + sqlList(append(model.ActiveReferralStatuses, model.ReferralDeclined))"},
	{"the status lists of the queries leave the model's", "internal/store/statuses.go",
		"sqlActiveReferral = sqlList(model.ActiveReferralStatuses)", "sqlActiveReferral = sqlList(append(model.ActiveReferralStatuses, model.ReferralCompleted))"},
	{"a task keeps the referral it hangs on alive in any state", "internal/store/scopes.go",
		"WHERE ar.id = ` + id + ` AND ar.status IN ` + sqlActiveReferral", "WHERE ar.id = ` + id + ` AND TRUE`"},
	{"a task of an ended referral stays with its organisation", "internal/store/scopes.go",
		"return `(` + t + `.referral_id IS NULL", "return `(TRUE OR ` + t + `.referral_id IS NULL"},
	{"a closed task still shows its case", "internal/store/scopes.go",
		"AND at.status NOT IN ` + sqlClosedTask + ` AND ", "AND "},
	{"a recipient reads notes not shared with it", "internal/store/scopes.go",
		"OR (notes.visibility = 'shared' AND `+activeReferral(\"notes.case_id\", \"notes.area\")",
		"OR (notes.visibility IN ('shared', 'org') AND `+activeReferral(\"notes.case_id\", \"notes.area\")"},
	{"a recipient reads shared notes of areas not referred", "internal/store/scopes.go",
		"activeReferral(\"notes.case_id\", \"notes.area\")", "activeReferral(\"notes.case_id\", \"\")"},
	{"a recipient sees plan rows of areas not referred", "internal/store/scopes.go",
		"activeReferral(\"area_statuses.case_id\", \"area_statuses.area\")", "activeReferral(\"area_statuses.case_id\", \"\")"},
	{"the recipient keeps an ended referral", "internal/store/scopes.go",
		"AND referrals.status IN `+sqlActiveReferral+`", "AND TRUE"},
	{"a legal basis shows names whatever it releases", "internal/store/search.go",
		"AND ((ar.legal_basis <> '' AND '", "AND ((ar.legal_basis <> '' OR '"},
	{"the data protection officer reads cases", "policies/policy.csv",
		"p, dpo, *, audit, read, all\n", "p, dpo, *, audit, read, all\np, dpo, *, case, read, org\n"},
}

// TestScopeMutantsAreCaught runs the exact-set property test against every mutant and fails
// for each one that survives it. It takes a few minutes: each mutant is a build of the
// service tests and a run of the property test.
func TestScopeMutantsAreCaught(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the mutation check builds with the go command, which is not on PATH: %v", err)
	}
	dir := t.TempDir()
	sem := make(chan struct{}, 2) // two cores: two builds at a time
	var wg sync.WaitGroup
	for i, m := range mutants {
		src, err := os.ReadFile(filepath.Join(root, m.file))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(src, []byte(m.old)); n != 1 {
			t.Errorf("mutant %q: its text occurs %d times in %s, want once: update the mutant with the rule", m.name, n, m.file)
			continue
		}
		mutated := filepath.Join(dir, strings.ReplaceAll(m.file, "/", "_")+"."+string(rune('a'+i)))
		if err := os.WriteFile(mutated, bytes.Replace(src, []byte(m.old), []byte(m.new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay := filepath.Join(dir, "overlay-"+string(rune('a'+i))+".json")
		b, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, m.file): mutated}})
		if err := os.WriteFile(overlay, b, 0o644); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func(m mutant, overlay string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			// One seed catches a mutant almost always and costs a third; a mutant that
			// survives it gets every seed before it counts as a survivor.
			run := func(pattern string) ([]byte, error) {
				cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "-overlay", overlay, "-run", pattern, "./internal/service/")
				cmd.Dir = root
				return cmd.CombinedOutput()
			}
			out, err := run("^TestListsReturnExactlyWhatMayBeSeen$/^seed=1$")
			if err == nil {
				out, err = run("^TestListsReturnExactlyWhatMayBeSeen$")
			}
			switch {
			case err == nil:
				t.Errorf("mutant survived: %q (%s): no test fails when this rule breaks", m.name, m.file)
			case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")):
				t.Errorf("mutant %q does not compile: fix the mutant\n%s", m.name, tail(out))
			case bytes.Contains(out, []byte("testutil: ")) || !bytes.Contains(out, []byte("--- FAIL: TestListsReturnExactlyWhatMayBeSeen")):
				t.Errorf("mutant %q: the run failed without a failing property test\n%s", m.name, tail(out))
			default:
				t.Logf("mutant caught: %q\n%s", m.name, firstFailure(out))
			}
		}(m, overlay)
	}
	wg.Wait()
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// firstFailure is the first line of the property test that reports a difference.
func firstFailure(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "property_test.go:") {
			if len(l) > 300 {
				l = l[:300] + "…"
			}
			return strings.TrimSpace(l)
		}
	}
	return ""
}
