package obs

import (
	"crypto/rand"
	"log/slog"

	"smsflow/shared/config"
)

// PhoneHashKey returns the configured key for phone_hash, or a random one
// with a loud warning: hashes then differ between instances, so numbers
// cannot be followed across them, but nothing reversible is logged.
func PhoneHashKey(p config.Privacy, log *slog.Logger) []byte {
	if p.PhoneHashKey != "" {
		return []byte(p.PhoneHashKey)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	log.Warn("SMSFLOW_PHONE_HASH_KEY is not set: phone_hash uses a per-instance random key and will not match across instances")
	return key
}
