package obs

import (
	"crypto/rand"
	"log/slog"

	"smsflow/shared/config"
)

// PhoneHashKey returns the configured key for phone_hash, or a random one
// with an ERROR line: hashes then differ between instances, so numbers
// cannot be followed across them, but nothing reversible is logged. An FC
// instance of go1 runs one request at a time and FC scales out with more
// instances, so without the key two requests for one number routinely get
// two hashes: it is an error of configuration, not a curiosity.
func PhoneHashKey(p config.Privacy, log *slog.Logger) []byte {
	if p.PhoneHashKey != "" {
		return []byte(p.PhoneHashKey)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	log.Error("SMSFLOW_PHONE_HASH_KEY is not set: phone_hash uses a per-instance random key; " +
		"FC runs one request per instance and starts more as requests overlap, so one number gets a different phone_hash on every instance")
	return key
}
