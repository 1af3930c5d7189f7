package auditchain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
)

// The key formats, as docs/audit.md documents them.
var (
	ErrPrivateKey = errors.New("is not an Ed25519 private key: give a PEM file (PRIVATE KEY, PKCS #8, as `lotse audit keygen` writes it) or a 32-byte seed in hex or base64")
	ErrPublicKey  = errors.New("is not an Ed25519 public key: give a PEM file (PUBLIC KEY, as `lotse audit keygen` writes it) or 32 bytes in hex or base64")
)

// ParsePrivateKey reads a signing key: PEM PKCS #8 ("PRIVATE KEY") or a raw 32-byte seed in
// hex or base64 (for a secret store that holds a short string). Errors never repeat the key.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		if block.Type != "PRIVATE KEY" {
			return nil, ErrPrivateKey
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, ErrPrivateKey
		}
		priv, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, ErrPrivateKey
		}
		return priv, nil
	}
	seed, ok := raw32(s)
	if !ok {
		return nil, ErrPrivateKey
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey reads a verification key: PEM PKIX ("PUBLIC KEY") or 32 bytes in hex or
// base64.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		if block.Type != "PUBLIC KEY" {
			return nil, ErrPublicKey
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, ErrPublicKey
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, ErrPublicKey
		}
		return pub, nil
	}
	b, ok := raw32(s)
	if !ok {
		return nil, ErrPublicKey
	}
	return ed25519.PublicKey(b), nil
}

// ParsePublicKeys reads one or more verification keys: PEM blocks ("PUBLIC KEY") one after
// the other, as a key ring after rotations, or a single key as ParsePublicKey takes it.
func ParsePublicKeys(s string) ([]ed25519.PublicKey, error) {
	rest := []byte(strings.TrimSpace(s))
	if block, _ := pem.Decode(rest); block == nil {
		k, err := ParsePublicKey(s)
		if err != nil {
			return nil, err
		}
		return []ed25519.PublicKey{k}, nil
	}
	var keys []ed25519.PublicKey
	for len(rest) > 0 {
		block, r := pem.Decode(rest)
		if block == nil {
			return nil, ErrPublicKey
		}
		k, err := ParsePublicKey(string(pem.EncodeToMemory(block)))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		rest = []byte(strings.TrimSpace(string(r)))
	}
	return keys, nil
}

func raw32(s string) ([]byte, bool) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, true
		}
	}
	return nil, false
}

// KeyID names a public key in checkpoints and messages: the first 8 bytes of its SHA-256,
// in hex. It is a hint for people; the signature is what counts.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// GenerateKey makes a new key pair and returns both halves as PEM.
func GenerateKey() (privPEM, pubPEM []byte, id string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, "", err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, "", err
	}
	pk, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, "", err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}), KeyID(pub), nil
}
