package config

import "fmt"

// MinPhoneHashKeyLen is the shortest SMSFLOW_PHONE_HASH_KEY accepted: 32
// characters, what `openssl rand -hex 16` makes (128 bits). phone_hash and
// receipt_id are HMACs of phone numbers, a space small enough to search:
// whoever reads the logs and can guess the key can recover the numbers.
const MinPhoneHashKeyLen = 32

// LocalStackPhoneHashKey keys phone_hash on the local stack. The
// repository publishes it, so it is refused unless the function talks to
// loopback, like the local stack's token.
const LocalStackPhoneHashKey = "smsflow-local-phone-hash-key"

// validate refuses a key that would make phone_hash reversible: one too
// short to be a random secret, or the local stack's published one outside
// the local stack (local). The error never quotes the key. An unset key is
// refused with a shared store (sharedStore): every instance must derive
// the same store keys from it (idempotency keys, receipt ids), or a retry
// or a repeated push reaching another instance is taken for a new one.
// Without a store it only costs phone_hash's stability (obs.PhoneHashKey
// says so at start).
func (p Privacy) validate(local, sharedStore bool) error {
	switch {
	case p.PhoneHashKey == "" && sharedStore:
		return fmt.Errorf("SMSFLOW_PHONE_HASH_KEY is required with SMSFLOW_REDIS_ADDR: every instance must derive the same store keys (idempotency keys, receipt ids) from it")
	case p.PhoneHashKey == "":
		return nil
	case p.PhoneHashKey == LocalStackPhoneHashKey:
		if !local {
			return fmt.Errorf("SMSFLOW_PHONE_HASH_KEY is the local stack's published key: anybody could recover numbers from phone_hash; make a real one (openssl rand -hex 32)")
		}
		return nil
	case len(p.PhoneHashKey) < MinPhoneHashKeyLen:
		return fmt.Errorf("SMSFLOW_PHONE_HASH_KEY is %d characters, under %d: a guessable key lets whoever reads the logs recover numbers from phone_hash; make one with openssl rand -hex 32", len(p.PhoneHashKey), MinPhoneHashKeyLen)
	}
	return nil
}
