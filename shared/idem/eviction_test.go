package idem

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/shared/idem/redistest"
)

func evictionOf(t *testing.T, addr string) (Eviction, error) {
	t.Helper()
	s := NewRedis(redis.NewClient(&redis.Options{Addr: addr}), time.Hour, time.Minute)
	defer s.Close()
	return CheckEviction(context.Background(), s)
}

// Every key of ours carries a TTL, so a volatile-* policy may evict a
// stored answer before it expires; only noeviction (or no memory limit)
// keeps them all.
// conformance: KV-01
func TestCheckEvictionOnARealRedis(t *testing.T) {
	lru := redistest.Start(t, "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru")
	ev, err := evictionOf(t, lru.Addr)
	if err != nil || ev.Policy != "volatile-lru" || ev.MaxMemory != 64<<20 || ev.Safe() {
		t.Errorf("volatile-lru with 64mb: %+v safe=%v err=%v", ev, ev.Safe(), err)
	}
	safe := redistest.Start(t, "--maxmemory", "64mb", "--maxmemory-policy", "noeviction")
	if ev, err := evictionOf(t, safe.Addr); err != nil || !ev.Safe() {
		t.Errorf("noeviction: %+v err=%v", ev, err)
	}
	// No memory limit: whatever the policy, nothing is ever evicted.
	unlimited := redistest.Start(t, "--maxmemory", "0", "--maxmemory-policy", "allkeys-lru")
	if ev, err := evictionOf(t, unlimited.Addr); err != nil || !ev.Safe() {
		t.Errorf("no maxmemory: %+v err=%v", ev, err)
	}
}

// Managed Redis may disable CONFIG; the policy is then unknown, which is
// not an error that stops anything.
// conformance: KV-02
func TestCheckEvictionWithoutConfig(t *testing.T) {
	disabled := redistest.Start(t, "--rename-command", "CONFIG", "")
	if _, err := evictionOf(t, disabled.Addr); !errors.Is(err, ErrConfigUnavailable) {
		t.Errorf("CONFIG disabled: %v, want ErrConfigUnavailable", err)
	}
	if _, err := evictionOf(t, miniredis.RunT(t).Addr()); !errors.Is(err, ErrConfigUnavailable) {
		t.Errorf("miniredis (no CONFIG): %v, want ErrConfigUnavailable", err)
	}
	if _, err := CheckEviction(context.Background(), NewMemory(time.Hour, time.Minute)); !errors.Is(err, ErrNotRedis) {
		t.Errorf("memory store: %v", err)
	}
}
