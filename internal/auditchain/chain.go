package auditchain

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/lotse-project/lotse/internal/model"
)

// HashSize is the length of a chain hash (SHA-256).
const HashSize = sha256.Size

// domain separates the chain's hashes from any other use of SHA-256; v1 is this layout.
const domain = "lotse-audit-chain-v1\x00"

// Genesis is the "previous hash" of the first entry of a chain.
var Genesis = make([]byte, HashSize)

// Canonical is the unambiguous serialisation of row: for each column of
// model.AuditRowColumns its name, then its value length-prefixed (NULL as a length of
// 0xFFFFFFFF), so that no two different rows serialise alike.
func Canonical(row model.SealedAuditRow) []byte {
	var b []byte
	for i, name := range model.AuditRowColumns {
		b = append(b, name...)
		b = append(b, 0)
		var v *string
		if i < len(row.Values) {
			v = row.Values[i]
		}
		if v == nil {
			b = binary.BigEndian.AppendUint32(b, 0xFFFFFFFF)
			continue
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(*v)))
		b = append(b, *v...)
	}
	return b
}

// Hash is the chain hash of row at seq after prev: SHA-256 over the domain, prev, seq and
// the canonical row. seq is part of it, so an entry cannot move to another place.
func Hash(prev []byte, seq int64, row model.SealedAuditRow) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(prev)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(seq)))
	h.Write(Canonical(row))
	return h.Sum(nil)
}
