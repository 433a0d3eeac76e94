package config

import (
	"strings"
	"testing"
	"time"
)

func TestIdempotencyDefaults(t *testing.T) {
	c, err := Load[Idempotency]()
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisAddr != "" || c.Retention != 24*time.Hour || c.Lease != 2*time.Minute || c.SendLimits != "verification=1/1m,5/1h" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestDispatchNeedsASharedStoreAndHashKey(t *testing.T) {
	if _, err := Load[Dispatch](); err == nil || !strings.Contains(err.Error(), "SMSFLOW_REDIS_ADDR") {
		t.Fatalf("without a store: %v", err)
	}
	t.Setenv("SMSFLOW_REDIS_ADDR", "127.0.0.1:6379")
	if _, err := Load[Dispatch](); err == nil || !strings.Contains(err.Error(), "SMSFLOW_PHONE_HASH_KEY") {
		t.Fatalf("without a hash key: %v", err)
	}
	t.Setenv("SMSFLOW_PHONE_HASH_KEY", "k")
	if _, err := Load[Dispatch](); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SMSFLOW_IDEMPOTENCY_LEASE", "48h")
	if _, err := Load[Dispatch](); err == nil {
		t.Fatal("a lease longer than the retention was accepted")
	}
}
