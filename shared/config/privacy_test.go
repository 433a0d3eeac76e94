package config

import (
	"strings"
	"testing"
)

// testPhoneHashKey is what `openssl rand -hex 32` makes.
const testPhoneHashKey = "9f1c2a7e5b3d4c6a8e0f1b2d3c4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"

// loaders load each function's configuration that hashes numbers.
var loaders = map[string]func() error{
	"send":     func() error { _, err := Load[Send](); return err },
	"dispatch": func() error { _, err := Load[Dispatch](); return err },
	"receipts": func() error { _, err := Load[Receipts](); return err },
}

// Every function that hashes numbers refuses a key that makes phone_hash
// reversible (a short one, or the local stack's published one outside the
// local stack), and never quotes the key in its refusal.
func TestAPhoneHashKeyThatCouldBeGuessedIsRefused(t *testing.T) {
	// Off loopback: the real clouds' endpoints.
	for name, fn := range loaders {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SMSFLOW_REDIS_ADDR", "10.0.0.7:6379")
			for _, key := range []string{"Qz", "hunter2", "changeme-changeme-changeme", strings.Repeat("x", MinPhoneHashKeyLen-1), LocalStackPhoneHashKey} {
				t.Setenv("SMSFLOW_PHONE_HASH_KEY", key)
				err := fn()
				if err == nil || !strings.Contains(err.Error(), "SMSFLOW_PHONE_HASH_KEY") {
					t.Errorf("key of %d characters: %v, want it refused", len(key), err)
				} else if strings.Contains(err.Error(), key) {
					t.Errorf("the refusal quotes the key: %v", err)
				}
			}
			for _, key := range []string{testPhoneHashKey, strings.Repeat("x", MinPhoneHashKeyLen)} {
				t.Setenv("SMSFLOW_PHONE_HASH_KEY", key)
				if err := fn(); err != nil {
					t.Errorf("a key of %d characters was refused: %v", len(key), err)
				}
			}
		})
	}
	// The local stack's key opens the local stack.
	t.Setenv("SMSFLOW_REDIS_ADDR", "127.0.0.1:6379")
	t.Setenv("SMSFLOW_PHONE_HASH_KEY", LocalStackPhoneHashKey)
	t.Setenv("SMSFLOW_DYSMS_ENDPOINT", "127.0.0.1:9001")
	t.Setenv("SMSFLOW_SLS_ENDPOINT", "127.0.0.1:9002")
	for name, fn := range loaders {
		if err := fn(); err != nil {
			t.Errorf("%s on loopback refused the local stack's key: %v", name, err)
		}
	}
}

// receipt_id and the idempotency store's keys are keyed by
// SMSFLOW_PHONE_HASH_KEY: with a shared store, a random key per instance
// would take a retry, or a receipt pushed again, reaching another instance
// for a new one. Every function with a store refuses to run without the
// key (dispatch always has one: TestDispatchNeedsASharedStoreAndHashKey).
func TestReceiptsWithASharedStoreNeedTheHashKey(t *testing.T) {
	for _, name := range []string{"send", "receipts"} {
		fn := loaders[name]
		t.Setenv("SMSFLOW_REDIS_ADDR", "10.0.0.7:6379")
		if err := fn(); err == nil || !strings.Contains(err.Error(), "SMSFLOW_PHONE_HASH_KEY is required") {
			t.Fatalf("%s with a store and no key: %v", name, err)
		}
		t.Setenv("SMSFLOW_REDIS_ADDR", "")
		if err := fn(); err != nil {
			t.Fatalf("%s without a store (per-instance hashes, warned at start) refused: %v", name, err)
		}
	}
}
