package config

import (
	"fmt"
	"time"
)

// Redis is a connection to a Redis or Tair (standard, non-cluster)
// instance. The idempotency store (Idempotency) and the receipts function's
// duplicate filter (Receipts) share it: one set of variables, one client
// setup (idem.NewRedisClient).
type Redis struct {
	// RedisAddr is host:port. Empty: no shared store (each user says what
	// it does instead).
	RedisAddr     string `env:"SMSFLOW_REDIS_ADDR" max:"128"`
	RedisUsername string `env:"SMSFLOW_REDIS_USERNAME" max:"64"`
	RedisPassword string `env:"SMSFLOW_REDIS_PASSWORD" secret:"true" max:"128"`
	RedisDB       int    `env:"SMSFLOW_REDIS_DB" max:"3"`
	// RedisTLS connects with TLS (Tair's public endpoints need it).
	RedisTLS bool `env:"SMSFLOW_REDIS_TLS" max:"5"`
	// RedisTimeout bounds one store call: past it the store counts as down.
	RedisTimeout time.Duration `env:"SMSFLOW_REDIS_TIMEOUT" envDefault:"500ms" max:"16"`
}

// Validate checks the address and the timeout.
func (r Redis) Validate() error {
	if err := validateRedisAddr(r.RedisAddr); err != nil {
		return err
	}
	if r.RedisDB < 0 {
		return fmt.Errorf("SMSFLOW_REDIS_DB cannot be negative, got %d", r.RedisDB)
	}
	if r.RedisTimeout < 10*time.Millisecond {
		return fmt.Errorf("SMSFLOW_REDIS_TIMEOUT must be at least 10ms, got %s", r.RedisTimeout)
	}
	return nil
}

// Idempotency configures the idempotency store and per-number send limits
// (shared/idem, docs/idempotency.md).
type Idempotency struct {
	// Redis is the store. Without an address the HTTP function keeps keys
	// in its own memory (and says so loudly); the dispatch function refuses
	// to start. Past SMSFLOW_REDIS_TIMEOUT the store counts as down and
	// keyed requests are refused (503) rather than risk a double send.
	Redis
	// Retention is how long a stored answer is replayed for its key.
	Retention time.Duration `env:"SMSFLOW_IDEMPOTENCY_RETENTION" envDefault:"24h" max:"16"`
	// Lease is how long a claim may stay in flight before its owner counts
	// as dead and the outcome as unknown. Keep it above the function
	// timeout, or a slow but live send is declared unknown.
	Lease time.Duration `env:"SMSFLOW_IDEMPOTENCY_LEASE" envDefault:"2m" max:"16"`
	// SendLimits are per-number limits by template kind:
	// "verification=1/1m,5/1h;notification=50/24h"; kind "*" covers
	// templates that TemplateKinds does not name; "off" turns them off.
	SendLimits string `env:"SMSFLOW_SEND_LIMITS" envDefault:"verification=1/1m,5/1h" max:"256"`
	// TemplateKinds names each template's kind: "SMS_OTP=verification,...".
	TemplateKinds string `env:"SMSFLOW_TEMPLATE_KINDS" max:"1024"`
}

// Validate checks the durations (the limit syntax is checked by idem.Open).
func (c Idempotency) Validate() error {
	if err := c.Redis.Validate(); err != nil {
		return err
	}
	switch {
	case c.Retention < time.Minute:
		return fmt.Errorf("SMSFLOW_IDEMPOTENCY_RETENTION must be at least 1m, got %s", c.Retention)
	case c.Lease < 5*time.Second || c.Lease >= c.Retention:
		return fmt.Errorf("SMSFLOW_IDEMPOTENCY_LEASE must be at least 5s and below the retention, got %s", c.Lease)
	}
	return nil
}

// Dispatch is the configuration of functions/dispatch.
type Dispatch struct {
	Dysms
	Privacy
	Logs
	Idempotency
	Tencent
}

// Validate checks what env parsing cannot. The dispatch function gets its
// messages at least once: without a shared store a redelivery would send
// again, so a store and a stable hash key (to derive its keys) are required.
func (c Dispatch) Validate() error {
	if err := c.Dysms.Validate(); err != nil {
		return err
	}
	if err := c.Tencent.Validate(); err != nil {
		return err
	}
	if err := c.Idempotency.Validate(); err != nil {
		return err
	}
	if err := c.Logs.Validate(); err != nil {
		return err
	}
	if c.RedisAddr == "" {
		return fmt.Errorf("SMSFLOW_REDIS_ADDR is required: at-least-once delivery without a shared idempotency store would send duplicates")
	}
	return c.Privacy.validate(IsLoopback(c.Dysms.Endpoint), true)
}

// validateRedisAddr accepts host:port only. The address is not secret, so
// it is logged, and go-redis quotes it in every dial error; a connection
// URL or userinfo pasted here ("redis://:<password>@host:6379") would put
// the password in SLS on every request. The error never quotes the value.
func validateRedisAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if p := hostPortProblem(addr, true); p != "" {
		return fmt.Errorf("SMSFLOW_REDIS_ADDR must be host:port (not a URL, no user or password: those go in SMSFLOW_REDIS_USERNAME and SMSFLOW_REDIS_PASSWORD): %s", p)
	}
	return nil
}
