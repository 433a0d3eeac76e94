package config

import (
	"reflect"
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
	t.Setenv("SMSFLOW_PHONE_HASH_KEY", testPhoneHashKey)
	if _, err := Load[Dispatch](); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SMSFLOW_IDEMPOTENCY_LEASE", "48h")
	if _, err := Load[Dispatch](); err == nil {
		t.Fatal("a lease longer than the retention was accepted")
	}
}

// The receipts function reads the Redis connection variables, the same ones
// as the idempotency store, and none of the idempotency-only ones.
func TestReceiptsShareTheRedisConnection(t *testing.T) {
	t.Setenv("SMSFLOW_REDIS_ADDR", "10.0.0.7:6379")
	t.Setenv("SMSFLOW_REDIS_DB", "3")
	t.Setenv("SMSFLOW_REDIS_TLS", "true")
	t.Setenv("SMSFLOW_PHONE_HASH_KEY", testPhoneHashKey)
	r, err := Load[Receipts]()
	if err != nil {
		t.Fatal(err)
	}
	i, err := Load[Idempotency]()
	if err != nil {
		t.Fatal(err)
	}
	want := Redis{RedisAddr: "10.0.0.7:6379", RedisDB: 3, RedisTLS: true, RedisTimeout: 500 * time.Millisecond}
	if r.Redis != want || i.Redis != want {
		t.Fatalf("receipts %+v, idempotency %+v, want %+v", r.Redis, i.Redis, want)
	}
	t.Setenv("SMSFLOW_REDIS_TIMEOUT", "1ms")
	if _, err := Load[Receipts](); err == nil || !strings.Contains(err.Error(), "SMSFLOW_REDIS_TIMEOUT") {
		t.Fatalf("a 1ms timeout: %v", err)
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Receipts]()) {
		if k := f.Tag.Get("env"); strings.HasPrefix(k, "SMSFLOW_IDEMPOTENCY_") || k == "SMSFLOW_SEND_LIMITS" || k == "SMSFLOW_TEMPLATE_KINDS" {
			t.Errorf("receipts read the idempotency-only %s", k)
		}
	}
}

// SMSFLOW_REDIS_ADDR is not secret, so it is logged, and go-redis quotes it
// in every dial error ("dial tcp: address redis://:pw@host:6379: too many
// colons"), which reaches SLS on every request. A URL or userinfo in it is
// refused at start, and the refusal does not quote it either.
func TestARedisAddressWithCredentialsIsRefusedWithoutQuotingIt(t *testing.T) {
	for _, addr := range []string{
		"redis://:s3cret-pw@r-bp1.redis.rds.aliyuncs.com:6379",
		"rediss://user:s3cret-pw@r-bp1.redis.rds.aliyuncs.com:6379/0",
		"user:s3cret-pw@r-bp1.redis.rds.aliyuncs.com:6379",
		"s3cret-pw@10.0.0.7:6379",
		"r-bp1.redis.rds.aliyuncs.com", // no port: go-redis would guess
	} {
		t.Setenv("SMSFLOW_REDIS_ADDR", addr)
		for name, load := range map[string]func() error{
			"receipts":    func() error { _, err := Load[Receipts](); return err },
			"idempotency": func() error { _, err := Load[Idempotency](); return err },
		} {
			err := load()
			if err == nil || !strings.Contains(err.Error(), "SMSFLOW_REDIS_ADDR") {
				t.Fatalf("%s, %s: got %v, want a refusal naming SMSFLOW_REDIS_ADDR", name, addr, err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("%s: the refusal quotes the password: %v", name, err)
			}
		}
	}
	for _, addr := range []string{"10.0.0.7:6379", "r-bp1.redis.rds.aliyuncs.com:6379", "[::1]:6379", ""} {
		t.Setenv("SMSFLOW_REDIS_ADDR", addr)
		if _, err := Load[Idempotency](); err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
	}
}
