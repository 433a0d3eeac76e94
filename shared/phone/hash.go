package phone

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Hasher turns a number into a keyed pseudonym, so one number can be
// followed across events without being stored. The key is a secret setting:
// without it, a hash of an 11-digit number is reversible by brute force.
type Hasher struct{ key []byte }

// NewHasher returns a Hasher keyed with key.
func NewHasher(key []byte) *Hasher { return &Hasher{key: append([]byte(nil), key...)} }

// Hash is hex(HMAC-SHA256(key, upstream form))[:32]: 128 bits are plenty to
// tell numbers apart and keep log lines short.
func (h *Hasher) Hash(n Number) string {
	if !n.Valid() {
		return ""
	}
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(n.Upstream()))
	return hex.EncodeToString(m.Sum(nil))[:32]
}
