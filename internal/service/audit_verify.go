package service

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The keys VerifyChain checks the checkpoints with, as ChainCheck.Key names them.
const (
	ChainKeyConfigured = "configured" // the public half of LOTSE_AUDIT_SIGNING_KEY
	ChainKeyGiven      = "given"      // a public key the officer gave
	ChainKeyNone       = "none"       // none: the signatures were not checked
)

// maxPublicKey bounds the text of a public key the officer gives (a PEM key is ~110 bytes).
const maxPublicKey = 2000

// ChainCheck is what the officer's check of the audit chain found.
type ChainCheck struct {
	Report ChainReport
	// Key says which key checked the signatures (ChainKey*), KeyID its id ("" for none).
	Key, KeyID string
}

// SetVerifyKeys sets the installation's public keys (the current signing key's first, then
// those it signed with before a rotation), which VerifyChain uses unless the officer gives
// keys.
func (s *Audit) SetVerifyKeys(keys []ed25519.PublicKey) { s.verifyKeys = keys }

// VerifyChain lets the data protection officer run the verification of `lotse audit verify`
// (AuditChain.Verify, with the same default grace for unsealed events) from the browser.
// publicKey is a public key as PEM or base64 (empty: the installation's); one that does not
// parse is refused before anything is read or recorded. The run is recorded as audit.verify
// with its result, which holds no personal data.
func (s *Audit) VerifyChain(ctx context.Context, a model.Actor, publicKey string) (ChainCheck, error) {
	if _, err := s.require(a, objAudit, "verify", false); err != nil {
		return ChainCheck{}, err
	}
	out := ChainCheck{Key: ChainKeyConfigured}
	keys := s.verifyKeys
	switch text := strings.TrimSpace(publicKey); {
	case len(text) > maxPublicKey:
		return out, model.Invalid("public_key", model.CodeTooLong, model.Params{"max": maxPublicKey})
	case text != "":
		p, err := auditchain.ParsePublicKeys(text)
		if err != nil {
			return out, model.Invalid("public_key", model.CodeInvalid)
		}
		keys, out.Key = p, ChainKeyGiven
	case len(keys) == 0:
		out.Key = ChainKeyNone
	}
	out.KeyID = keyIDs(keys)
	rep, err := NewAuditChain(s.store, nil, 0, s.log).Verify(ctx, keys, UnsealedGrace)
	if err != nil {
		return out, err
	}
	out.Report = rep
	result := "intact"
	if rep.Problem != nil {
		result = rep.Problem.Kind
	}
	ev := event(a, "audit.verify", objAudit, uuid.Nil, model.JSONMap{"result": result, "key": out.Key, "entries": rep.Entries})
	ev.ObjectID = ""
	ev.Purpose = auditPurpose
	if err := s.store.Tx(ctx, a, func(tx *store.Tx) error { return tx.Audit().Record(ctx, ev) }); err != nil {
		return out, fmt.Errorf("service: record audit verification: %w", err)
	}
	return out, nil
}

// VerifyKeyID is the id of the installation's keys ("" when none is set up), for the page
// that offers the check.
func (s *Audit) VerifyKeyID() string { return keyIDs(s.verifyKeys) }

// keyIDs names keys by their ids, separated by commas.
func keyIDs(keys []ed25519.PublicKey) string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = auditchain.KeyID(k)
	}
	return strings.Join(ids, ", ")
}
