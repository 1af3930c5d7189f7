package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

// lotse runs Main with args (flags only, no environment, so the test can run in parallel).
func lotse(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestAuditCommands: keygen writes a key pair once; seal signs a checkpoint with it; verify
// says the chain is intact with the right public key, and with another key says in one line
// that the checkpoints were not signed by it (exit 1, nothing changed); an unreadable key and
// a prune with nothing due are clear too.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile, otherFile := filepath.Join(dir, "audit.pem"), filepath.Join(dir, "other.pem")
	for _, f := range []string{keyFile, otherFile} {
		if code, out, errOut := lotse("audit", "keygen", f); code != 0 || !strings.Contains(out, "key id") {
			t.Fatalf("keygen: %d %s %s", code, out, errOut)
		}
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", st, err)
	}
	if code, _, errOut := lotse("audit", "keygen", keyFile); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("keygen over an existing key: %d %s", code, errOut)
	}
	priv, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}

	tdb := testutil.NewDatabase(t)
	d := testutil.Open(t, tdb.URL)
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO audit_events (action, object_type) VALUES ('case.read', 'case'), ('case.read', 'case'), ('case.update', 'case')`); err != nil {
		t.Fatal(err)
	}
	db := "--database-url=" + tdb.URL
	if code, out, errOut := lotse("audit", "seal", db, "--audit-signing-key="+string(priv)); code != 0 || !strings.Contains(out, "sealed 3 events") || !strings.Contains(out, "checkpoint at seq 3") {
		t.Fatalf("seal: %d %s %s", code, out, errOut)
	}
	before := testutil.Fingerprint(t, d.SQL, "audit_events", "audit_chain", "audit_checkpoints")
	if code, out, errOut := lotse("audit", "verify", db, "--public-key", keyFile+".pub"); code != 0 || !strings.HasPrefix(out, "chain intact: 3 events (seq 1 to 3), 1 checkpoints") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	code, out, errOut := lotse("audit", "verify", db, "--public-key", otherFile+".pub")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "the checkpoints were not signed by this key") {
		t.Fatalf("verify with another key: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := lotse("audit", "verify", db, "--public-key", keyFile); code != 1 || !strings.Contains(errOut, "is not an Ed25519 public key") || strings.Contains(errOut, "PRIVATE") {
		t.Fatalf("verify with a private key as public key: %d %q", code, errOut)
	}
	if after := testutil.Fingerprint(t, d.SQL, "audit_events", "audit_chain", "audit_checkpoints"); after != before {
		t.Error("verify changed the audit tables")
	}

	// A key rotation: the next checkpoint is signed by the other key. Verification needs the
	// earlier public key beside the new one: as a second --public-key, both in one file, or
	// as LOTSE_AUDIT_EARLIER_KEYS_FILE beside the configured signing key.
	otherPriv, err := os.ReadFile(otherFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO audit_events (action, object_type) VALUES ('case.read', 'case')`); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := lotse("audit", "seal", db, "--audit-signing-key="+string(otherPriv)); code != 0 || !strings.Contains(out, "checkpoint at seq 4") {
		t.Fatalf("seal with the new key: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := lotse("audit", "verify", db, "--public-key", otherFile+".pub"); code != 1 || !strings.Contains(errOut, "the checkpoint at seq 3") || !strings.Contains(errOut, "which was not given") {
		t.Fatalf("verify after a rotation without the earlier key: %d %q", code, errOut)
	}
	if code, out, errOut := lotse("audit", "verify", db, "--public-key", otherFile+".pub", "--public-key", keyFile+".pub"); code != 0 || !strings.HasPrefix(out, "chain intact: 4 events") {
		t.Fatalf("verify with both keys: %d %s %s", code, out, errOut)
	}
	pubs := []byte{}
	for _, f := range []string{keyFile + ".pub", otherFile + ".pub"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, b...)
	}
	ring := filepath.Join(dir, "ring.pem")
	if err := os.WriteFile(ring, pubs, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := lotse("audit", "verify", db, "--public-key", ring); code != 0 || !strings.HasPrefix(out, "chain intact: 4 events") {
		t.Fatalf("verify with both keys in one file: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := lotse("audit", "verify", db, "--audit-signing-key="+string(otherPriv), "--audit-earlier-keys-file="+keyFile+".pub"); code != 0 || !strings.HasPrefix(out, "chain intact: 4 events") {
		t.Fatalf("verify with the configured key and the earlier keys file: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := lotse("audit", "verify", db, "--audit-signing-key="+string(otherPriv)); code != 1 || !strings.Contains(errOut, "which was not given") {
		t.Fatalf("verify with the configured key alone after a rotation: %d %q", code, errOut)
	}
	if code, out, errOut := lotse("audit", "prune", "--before", "2001-01-01", db, "--migration-database-url="+tdb.OwnerURL, "--public-key", ring); code != 0 || !strings.Contains(out, "nothing to delete") {
		t.Fatalf("prune: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := lotse("audit", "prune", "--before", "01.01.2001", "--migration-database-url="+tdb.OwnerURL); code != 1 || !strings.Contains(errOut, "YYYY-MM-DD") {
		t.Fatalf("prune with a bad day: %d %s", code, errOut)
	}
}
