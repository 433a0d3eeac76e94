package idem

import (
	"context"
	"fmt"

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
	return NewRedis(NewRedisClient(cfg.Redis), cfg.Retention, cfg.Lease), limits, nil
}

// Check pings the store once at start, so a misconfiguration shows in the
// first log line rather than the first send.
func Check(ctx context.Context, s *Store) error { return s.Ping(ctx) }
