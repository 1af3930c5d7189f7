package auditchain

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lotse-project/lotse/internal/model"
)

// message is what a checkpoint's signature covers: position, hash, time and key id, in a
// fixed text form (signed_at in UTC with microseconds, as Postgres stores it).
func message(cp model.AuditCheckpoint) []byte {
	return fmt.Appendf(nil, "lotse-audit-checkpoint-v1\nseq=%d\nhash=%s\nsigned_at=%s\nkey_id=%s\n",
		cp.Seq, hex.EncodeToString(cp.Hash), cp.SignedAt.UTC().Format("2006-01-02T15:04:05.000000Z"), cp.KeyID)
}

// Sign makes the checkpoint of the chain's head (seq, hash) at time at.
func Sign(priv ed25519.PrivateKey, seq int64, hash []byte, at time.Time) model.AuditCheckpoint {
	cp := model.AuditCheckpoint{
		Seq: seq, Hash: hash, SignedAt: at.UTC().Truncate(time.Microsecond),
		KeyID: KeyID(priv.Public().(ed25519.PublicKey)),
	}
	cp.Signature = ed25519.Sign(priv, message(cp))
	return cp
}

// Valid says whether cp's signature was made by pub over cp's seq, hash, time and key id.
func Valid(pub ed25519.PublicKey, cp model.AuditCheckpoint) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, message(cp), cp.Signature)
}
