package idem

import (
	"crypto/tls"

	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
)

// NewRedisClient is the one go-redis client setup for a configured Redis
// (or Tair): the idempotency store (Open) and the receipts function's
// duplicate filter both use it. cfg.RedisAddr must be set.
func NewRedisClient(cfg config.Redis) *redis.Client {
	opts := &redis.Options{
		Addr: cfg.RedisAddr, Username: cfg.RedisUsername, Password: cfg.RedisPassword, DB: cfg.RedisDB,
		DialTimeout: cfg.RedisTimeout, ReadTimeout: cfg.RedisTimeout, WriteTimeout: cfg.RedisTimeout,
		// A call also ends at its context's deadline when that comes first
		// (go-redis otherwise bounds reads by ReadTimeout alone): a store
		// call started near the invocation's deadline must not outlive it,
		// or FC ends the instance before the send's events are shipped.
		ContextTimeoutEnabled: true,
		// One retry at most: a store that does not answer fast is down, and
		// the caller falls back (refuses, or records anyway) instead of
		// waiting out the invocation.
		MaxRetries: 1, DialerRetries: 1,
		// An instance runs one invocation at a time: the send function makes
		// one store call at a time, dispatch up to 4 (the messages of a batch
		// it sends side by side), receipts one pipeline. go-redis opens
		// connections as needed up to this; every instance has its own pool,
		// so instances × PoolSize is what Redis may see (maxclients).
		PoolSize: 8,
		// RESP2 avoids the HELLO handshake some Tair versions refuse.
		Protocol: 2, DisableIdentity: true,
	}
	if cfg.RedisTLS {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return redis.NewClient(opts)
}
