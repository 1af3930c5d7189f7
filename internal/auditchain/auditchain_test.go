package auditchain_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/model"
)

// TestKeysAndCheckpoints: the key formats docs/audit.md names all read, others are refused
// without repeating the input, and a checkpoint verifies with its key only and only as signed.
func TestKeysAndCheckpoints(t *testing.T) {
	t.Parallel()
	privPEM, pubPEM, id, err := auditchain.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := auditchain.ParsePrivateKey(string(privPEM))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auditchain.ParsePublicKey(string(pubPEM))
	if err != nil || !pub.Equal(priv.Public()) || auditchain.KeyID(pub) != id {
		t.Fatalf("public key %v, id %s: %v", pub, id, err)
	}
	for name, s := range map[string]string{"hex seed": hex.EncodeToString(priv.Seed()), "base64 seed": base64.StdEncoding.EncodeToString(priv.Seed()) + "\n"} {
		if k, err := auditchain.ParsePrivateKey(s); err != nil || !k.Equal(priv) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, bad := range []string{"", "geheim-123", string(pubPEM), hex.EncodeToString(priv.Seed()[:31])} {
		if _, err := auditchain.ParsePrivateKey(bad); err == nil || (bad != "" && strings.Contains(err.Error(), bad)) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := auditchain.ParsePublicKey(string(privPEM)); err == nil || strings.Contains(err.Error(), "PRIVATE") {
		t.Errorf("a private key read as public key: %v", err)
	}

	cp := auditchain.Sign(priv, 7, make([]byte, 32), time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC))
	if !auditchain.Valid(pub, cp) {
		t.Fatal("a fresh checkpoint does not verify")
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if auditchain.Valid(other, cp) {
		t.Error("a checkpoint verifies with another key")
	}
	for name, change := range map[string]func(c *model.AuditCheckpoint){
		"seq":  func(c *model.AuditCheckpoint) { c.Seq++ },
		"hash": func(c *model.AuditCheckpoint) { c.Hash = append([]byte{1}, c.Hash[1:]...) },
		"time": func(c *model.AuditCheckpoint) { c.SignedAt = c.SignedAt.Add(time.Second) },
		"key":  func(c *model.AuditCheckpoint) { c.KeyID = "x" },
	} {
		c := cp
		change(&c)
		if auditchain.Valid(pub, c) {
			t.Errorf("a checkpoint with another %s verifies", name)
		}
	}
}

// TestCanonicalIsUnambiguous: NULL and the empty string, and values shifted between
// columns, serialise differently.
func TestCanonicalIsUnambiguous(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	row := func(vals ...*string) model.SealedAuditRow { return model.SealedAuditRow{Values: vals} }
	a := auditchain.Hash(auditchain.Genesis, 1, row(s("1"), nil, s("")))
	for _, b := range []model.SealedAuditRow{row(s("1"), s(""), nil), row(s("1"), s(""), s("")), row(s("1"), nil, nil), row(s("1x"), nil, s(""))} {
		if string(auditchain.Hash(auditchain.Genesis, 1, b)) == string(a) {
			t.Errorf("%v serialises like the first row", b)
		}
	}
	if string(auditchain.Hash(auditchain.Genesis, 2, row(s("1"), nil, s("")))) == string(a) {
		t.Error("the seq is not part of the hash")
	}
}
