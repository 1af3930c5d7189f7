package app

import (
	"net"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestMainServeRefusesPrivilegedRole: `lotse serve` given a role that could rewrite the audit
// trail (its owner, or a superuser) exits 1 with one line naming the role and the reason, and
// never listens. The application role itself serves (TestDevEndToEnd and every test built on
// testutil's harness run the server as it).
func TestMainServeRefusesPrivilegedRole(t *testing.T) {
	tdb := testutil.NewDatabase(t)
	for _, tc := range []struct {
		name, url, role, reason string
	}{
		{"owner of the audit table", tdb.OwnerURL, testutil.OwnerRole, "owns audit_events"},
		{"superuser", testutil.Server(t).URL(tdb.Name), "", "is a superuser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			code, stdout, stderr := runMain(t, map[string]string{"LOTSE_DATABASE_URL": tc.url, "LOTSE_HTTP_ADDR": addr}, "serve")
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			assertOneLine(t, stderr)
			for _, want := range []string{"could rewrite the audit trail", tc.reason, tc.role, "LOTSE_MIGRATION_DATABASE_URL"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
			assertNoCrash(t, stdout, stderr)
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				t.Errorf("something listens on %s: serve started despite the refusal", addr)
			}
		})
	}
}
