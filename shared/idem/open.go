package idem

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
)

// Open returns the configured store and limits: Redis when an address is
// set, else a per-instance memory store (the caller says so loudly).
// hashKey derives store keys; with Redis it must be the same, configured key
// on every instance.
func Open(cfg config.Idempotency, hashKey string) (*Store, Limits, error) {
	limits, err := ParseLimits(cfg.SendLimits, cfg.TemplateKinds)
	if err != nil {
		return nil, Limits{}, fmt.Errorf("SMSFLOW_SEND_LIMITS / SMSFLOW_TEMPLATE_KINDS: %w", err)
	}
	if cfg.RedisAddr == "" {
		return NewMemory(cfg.Retention, cfg.Lease), limits, nil
	}
	if hashKey == "" {
		return nil, Limits{}, fmt.Errorf("SMSFLOW_PHONE_HASH_KEY is required with SMSFLOW_REDIS_ADDR: every instance must derive the same store keys")
	}
	opts := &redis.Options{
		Addr: cfg.RedisAddr, Username: cfg.RedisUsername, Password: cfg.RedisPassword, DB: cfg.RedisDB,
		DialTimeout: cfg.RedisTimeout, ReadTimeout: cfg.RedisTimeout, WriteTimeout: cfg.RedisTimeout,
		// One retry at most: a store that does not answer fast is down, and
		// the request is refused instead of waiting out the invocation.
		MaxRetries: 1, DialerRetries: 1, PoolSize: 20,
		// RESP2 avoids the HELLO handshake some Tair versions refuse.
		Protocol: 2, DisableIdentity: true,
	}
	if cfg.RedisTLS {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return NewRedis(redis.NewClient(opts), cfg.Retention, cfg.Lease), limits, nil
}

// Check pings the store once at start, so a misconfiguration shows in the
// first log line rather than the first send.
func Check(ctx context.Context, s *Store) error { return s.Ping(ctx) }
