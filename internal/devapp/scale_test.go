package devapp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/scale"
	"github.com/lotse-project/lotse/internal/testutil"
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

// TestSeedScaleSealsTheGeneratedAuditEvents: `seed scale` leaves every generated audit event
// in the hash chain, so that a server started on the city seals only what its requests write
// (docs/performance.md, "Fourth round").
func TestSeedScaleSealsTheGeneratedAuditEvents(t *testing.T) {
	t.Parallel()
	tdb := testutil.NewDatabase(t)
	cmd := SeedScaleCmd{Fraction: 0.005, Orgs: 300, Users: 5000, Cases: 100000, Tasks: 1000000, Referrals: 200000, Seed: 5}
	var out, errs bytes.Buffer
	if err := cmd.Run(&config.Config{MigrationDatabaseURL: tdb.OwnerURL}, &app.Env{Ctx: context.Background(), Stdout: &out, Stderr: &errs}); err != nil {
		t.Fatalf("seed scale: %v\n%s", err, errs.String())
	}
	var events, unsealed int
	if err := testutil.Open(t, tdb.OwnerURL).SQL.QueryRow(`SELECT count(*),
		count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)) FROM audit_events e`).Scan(&events, &unsealed); err != nil {
		t.Fatal(err)
	}
	if events == 0 || unsealed != 0 {
		t.Fatalf("%d generated audit events, %d of them unsealed; want some, all sealed", events, unsealed)
	}
	if want := fmt.Sprintf("sealed %d audit events", events); !strings.Contains(out.String(), want) {
		t.Errorf("the summary does not say %q:\n%s", want, out.String())
	}
}
