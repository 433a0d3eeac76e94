package idem

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Eviction is what a Redis says about evicting keys when it is full.
type Eviction struct {
	Policy    string // maxmemory-policy
	MaxMemory int64  // maxmemory in bytes; 0 = no limit (self-hosted default)
}

// Safe reports whether Redis keeps every stored answer until it expires:
// policy noeviction (a full Redis refuses writes, and keyed requests answer
// 503 with nothing sent), or no memory limit, so no eviction ever runs.
// Any other policy may drop an idempotency record or a send-limit window
// before its TTL (every key of ours has one, so even volatile-* policies
// apply), and a retry would then send the SMS again.
func (e Eviction) Safe() bool { return e.Policy == "noeviction" || e.MaxMemory == 0 }

// ErrConfigUnavailable: the server refused CONFIG GET (managed Redis and
// Tair may restrict CONFIG; an ACL user may lack it). The policy is then
// unknown, not unsafe.
var ErrConfigUnavailable = errors.New("CONFIG GET refused")

// ErrNotRedis: a memory store has no eviction policy.
var ErrNotRedis = errors.New("not a Redis store")

// CheckEviction reads the store's maxmemory and maxmemory-policy.
func CheckEviction(ctx context.Context, s *Store) (Eviction, error) {
	r, ok := s.b.(*redisBackend)
	if !ok {
		return Eviction{}, ErrNotRedis
	}
	vals, err := r.c.ConfigGet(ctx, "maxmemory*").Result()
	if err != nil {
		return Eviction{}, fmt.Errorf("%w: %w", ErrConfigUnavailable, err)
	}
	policy, ok := vals["maxmemory-policy"]
	if !ok {
		return Eviction{}, fmt.Errorf("%w: no maxmemory-policy in the answer", ErrConfigUnavailable)
	}
	max, err := strconv.ParseInt(vals["maxmemory"], 10, 64)
	if err != nil {
		return Eviction{}, fmt.Errorf("%w: maxmemory %q: %w", ErrConfigUnavailable, vals["maxmemory"], err)
	}
	return Eviction{Policy: policy, MaxMemory: max}, nil
}
