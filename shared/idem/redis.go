package idem

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewRedis returns a store on a Redis (or Tair) client. Use a standard,
// non-cluster instance: the send-limit script touches one key per number
// and window in one call.
func NewRedis(c *redis.Client, retention, lease time.Duration) *Store {
	return &Store{b: newRedisBackend(c), kind: KindRedis, retention: retention, lease: lease, now: time.Now}
}

// redisBackend holds its scripts rather than package variables: a script
// hashes its source when made, and a package variable would make every
// process that links idem pay that at start, memory store or not (start-up
// is measured: issue 10).
type redisBackend struct {
	c      *redis.Client
	script struct{ swap, drop, take *redis.Script }
	// shift moves Redis's clock for the send-limit windows: tests only,
	// to step through windows without waiting. Nil in production.
	shift func() time.Duration
}

func newRedisBackend(c *redis.Client) *redisBackend {
	r := &redisBackend{c: c}
	r.script.swap, r.script.drop, r.script.take = redis.NewScript(swapScript), redis.NewScript(dropScript), redis.NewScript(takeScript)
	return r
}

func (r *redisBackend) setNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	// SET key val NX PX ttl: the claim and its expiry in one atomic command.
	err := r.c.SetArgs(ctx, key, val, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

func (r *redisBackend) get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// swapScript replaces a value only if it is still the one the caller read.
const swapScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '0' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`

func (r *redisBackend) swap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	n, err := r.script.swap.Run(ctx, r.c, []string{key}, old, val, strconv.FormatInt(ttl.Milliseconds(), 10)).Int()
	return n == 1, err
}

const dropScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`

func (r *redisBackend) drop(ctx context.Context, key string, old []byte) (bool, error) {
	n, err := r.script.drop.Run(ctx, r.c, []string{key}, old).Int()
	return n == 1, err
}

// takeScript is a sliding-window log per key (a sorted set of send times):
// trim what fell out of each window; if any window is full answer the wait
// until its oldest counted send leaves it; else count the send everywhere.
// It is idempotent per member: go-redis runs it again when its reply was
// lost (MaxRetries), and the second run must not count the send twice, nor
// find the window full of its own first run. A key that already holds the
// member is not full for it and is not added to again (ZADD NX keeps the
// first run's time).
//
// The time is Redis's own (TIME), not the instance's: one clock for every
// instance, so an instance whose clock runs ahead cannot see the others'
// sends leave a window early (nor one behind keep them longer). Redis 5
// and later replicate a script by its effects, which TIME needs;
// replicate_commands asks older ones for it (a no-op on 5 and later).
// ARGV: shift (ms, 0 but in tests), member, then per key its window (ms)
// and limit.
const takeScript = `
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local per = tonumber(ARGV[1 + 2*i])
  local limit = tonumber(ARGV[2 + 2*i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - per)
  if not redis.call('ZSCORE', key, ARGV[2]) then
    local n = redis.call('ZCARD', key)
    if n >= limit then
      local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
      local w = tonumber(oldest[2]) + per - now
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'NX', now, ARGV[2])
  redis.call('PEXPIRE', key, tonumber(ARGV[1 + 2*i]))
end
return 0`

// take counts on Redis's clock: now (the instance's) is not used.
func (r *redisBackend) take(ctx context.Context, windows []windowKey, member string, _ time.Time) (time.Duration, error) {
	var shift time.Duration
	if r.shift != nil {
		shift = r.shift()
	}
	keys := make([]string, len(windows))
	args := []any{shift.Milliseconds(), member}
	for i, w := range windows {
		keys[i] = w.key
		args = append(args, w.per.Milliseconds(), w.limit)
	}
	ms, err := r.script.take.Run(ctx, r.c, keys, args...).Int64()
	return time.Duration(ms) * time.Millisecond, err
}

func (r *redisBackend) untake(ctx context.Context, keys []string, member string) error {
	pipe := r.c.Pipeline()
	for _, k := range keys {
		pipe.ZRem(ctx, k, member)
	}
	_, err := pipe.Exec(ctx)
	return err
}

func (r *redisBackend) ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }
func (r *redisBackend) close() error                   { return r.c.Close() }
