package idem

import (
	"context"
	"errors"
	"time"
)

// backend is the storage a Store runs on: a few compare-and-set operations
// on whole values, and a sliding-window counter. Redis and memory provide it.
type backend interface {
	// setNX stores val under key unless the key exists.
	setNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error)
	get(ctx context.Context, key string) ([]byte, bool, error)
	// swap replaces old by val (ttl 0 keeps the key's expiry); false when
	// the value is no longer old.
	swap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error)
	// drop deletes key if it still holds old.
	drop(ctx context.Context, key string, old []byte) (bool, error)
	// take adds member to every window unless one of them is full, in which
	// case it adds nothing and answers how long until there is room. It is
	// safe to retry: a window that already holds member is not full for it
	// and does not get it twice. now is the instance's clock; a shared
	// backend counts on its own, one for every instance.
	take(ctx context.Context, windows []windowKey, member string, now time.Time) (time.Duration, error)
	// untake removes member from the windows' keys.
	untake(ctx context.Context, keys []string, member string) error
	ping(ctx context.Context) error
	close() error
}

// windowKey is one sliding window of one subject (a phone hash).
type windowKey struct {
	key   string
	limit int
	per   time.Duration
}

// ErrUnavailable wraps every failure to reach the store. Callers must not
// send a keyed message while the store cannot say it is safe.
var ErrUnavailable = errors.New("idempotency store unavailable")
