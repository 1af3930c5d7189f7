package devapp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/scale"
)

// TestSeedScaleWritesAccounts: `seed scale --accounts-only --accounts-out` writes the accounts
// the same flags generate, without a database; a bad fraction is refused.
func TestSeedScaleWritesAccounts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "accounts.tsv")
	var out, errs bytes.Buffer
	if code := app.Main([]string{"seed", "scale", "--fraction", "0.02", "--seed", "5", "--accounts-out", path, "--accounts-only"}, &out, &errs, Commands()...); code != 0 {
		t.Fatalf("seed scale --accounts-only: exit %d: %s", code, errs.String())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	got, err := scale.ReadAccounts(f)
	if err != nil {
		t.Fatal(err)
	}
	want := scale.Accounts(scale.Config{Sizes: scale.FullCity.Scaled(0.02), Seed: 5})
	if len(want) != 100 || !slices.Equal(got, want) {
		t.Fatalf("%d accounts in the file, %d generated (want 100), or they differ", len(got), len(want))
	}
	for _, bad := range []string{"0", "-1", "11"} {
		if code := app.Main([]string{"seed", "scale", "--fraction", bad, "--accounts-out", path, "--accounts-only"}, &out, &errs, Commands()...); code == 0 {
			t.Errorf("--fraction %s accepted", bad)
		}
	}
}
