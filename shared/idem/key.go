package idem

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"smsflow/shared/sms"
)

// MaxKeyLen bounds an idempotency key (Stripe's limit; a UUID is 36).
const MaxKeyLen = 255

// keyChars: letters, digits and the punctuation of UUIDs, ULIDs, base64
// and colon-separated ids (^[A-Za-z0-9._:~+/=-]+$). No spaces or quotes,
// so a key is unambiguous in a header and in a log search.
func keyChars(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:~+/=-", c) >= 0) {
			return false
		}
	}
	return true
}

// ParseKey validates an idempotency key as sent. The header may carry it as
// a structured-field string ("...", the IETF draft's form) or bare. Only
// HTTP's whitespace (SP, HTAB) is trimmed: "k\u00a0" is not the key "k".
func ParseKey(raw string) (string, error) {
	k := strings.Trim(raw, " \t")
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	switch {
	case k == "":
		return "", fmt.Errorf("the idempotency key is empty")
	case len(k) > MaxKeyLen:
		return "", fmt.Errorf("the idempotency key is %d characters; at most %d", len(k), MaxKeyLen)
	case !keyChars(k):
		return "", fmt.Errorf("the idempotency key may hold only letters, digits and . _ : ~ + / = -")
	}
	return k, nil
}

// Keyer derives store keys and fingerprints with a keyed HMAC (the phone
// hash key), so nothing in the store can be reversed to a caller's key, a
// number or a code.
type Keyer struct{ key []byte }

// NewKeyer returns a Keyer; every instance sharing a store needs the same key.
func NewKeyer(key []byte) *Keyer { return &Keyer{key: append([]byte(nil), key...)} }

func (k *Keyer) mac(parts ...string) string {
	m := hmac.New(sha256.New, k.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Hash is the idempotency key's pseudonym within scope (the caller, or the
// event source): what events log and what the store key is built from.
func (k *Keyer) Hash(scope, key string) string { return k.mac("idem", scope, key) }

// StoreKey is the store key of a hashed idempotency key.
func StoreKey(hash string) string { return "smsflow:idem:" + hash }

// Fingerprint identifies the normalised request: the same message however
// its JSON was written (field order, number format), and a different one
// if anything that reaches Alibaba differs.
func (k *Keyer) Fingerprint(req sms.Request) string {
	numbers := make([]string, len(req.Numbers))
	for i, n := range req.Numbers {
		numbers[i] = n.Upstream()
	}
	names := make([]string, 0, len(req.TemplateParams))
	for name := range req.TemplateParams {
		names = append(names, name)
	}
	sort.Strings(names)
	params := make([][2]string, len(names))
	for i, name := range names {
		params[i] = [2]string{name, req.TemplateParams[name]}
	}
	canon, _ := json.Marshal(struct {
		Numbers  []string    `json:"n"`
		Sign     string      `json:"s"`
		Template string      `json:"t"`
		Params   [][2]string `json:"p"`
		OutID    string      `json:"o"`
	}{numbers, req.SignName, req.TemplateCode, params, req.OutID})
	return k.mac("fingerprint", string(canon))
}
