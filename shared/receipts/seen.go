package receipts

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
	"smsflow/shared/idem"
)

// Seen remembers which receipts are recorded, so a receipt Alibaba pushes
// again is recorded once (docs/receipts.md, "Duplicates, parts, order").
// A claim is taken for a short hold before the receipts are stored and
// kept for SeenRetention once they are: a claim whose push was not stored
// lapses by itself before Alibaba pushes again, even when releasing it
// fails.
type Seen interface {
	// Claim marks the ids as being recorded for hold and answers, per id,
	// whether this call was the first to claim it, in one round trip. An
	// error means the store cannot tell: the caller records them anyway.
	Claim(ctx context.Context, ids []string, hold time.Duration) (first []bool, err error)
	// Keep makes the claims of stored receipts last SeenRetention.
	Keep(ctx context.Context, ids []string) error
	// Forget releases claims whose receipts were not stored after all, so
	// the push Alibaba makes again records them.
	Forget(ctx context.Context, ids []string) error
}

// SeenRetention is how long a recorded receipt id is remembered. Alibaba
// re-pushes within about 16 minutes; a repeat after 3 days is rare, and is
// still counted once at query time (count(DISTINCT receipt_id)).
const SeenRetention = 72 * time.Hour

// ClaimHold is how long a claim lasts before its receipts are stored:
// shorter than Alibaba's first re-push (1 minute), so a push that failed is
// recorded when it comes again even if its claims could not be released.
const ClaimHold = 30 * time.Second

// SeenKeyPrefix prefixes the Redis key of a recorded receipt id.
const SeenKeyPrefix = "smsflow:receipt:"

// RedisSeen is Seen on Redis (or Tair): one key per receipt id,
// SET smsflow:receipt:<id> 1 NX PX <hold>, then PEXPIRE <retention>.
// Every call is one pipelined round trip, bounded by ctx's deadline.
type RedisSeen struct {
	C         *redis.Client
	Retention time.Duration
}

// NewRedisSeen remembers receipt ids in c for SeenRetention. Calls end at
// their context's deadline (a share of the 700 ms answer budget) only if c
// has ContextTimeoutEnabled, as idem.NewRedisClient sets.
func NewRedisSeen(c *redis.Client) *RedisSeen { return &RedisSeen{C: c, Retention: SeenRetention} }

// OpenSeen answers the configured Seen: Redis when SMSFLOW_REDIS_ADDR is
// set (the idempotency store's connection settings and client setup), else
// nil, and repeats are logged again and counted once at query time.
func OpenSeen(cfg config.Redis) Seen {
	if cfg.RedisAddr == "" {
		return nil
	}
	return NewRedisSeen(idem.NewRedisClient(cfg))
}

// Claim sets each id's key only if it is not there, with the hold as its
// expiry: one atomic command per id, all in one pipeline.
func (s *RedisSeen) Claim(ctx context.Context, ids []string, hold time.Duration) ([]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StatusCmd, len(ids))
	err := s.pipeline(ctx, func(p redis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.SetArgs(ctx, SeenKeyPrefix+id, "1", redis.SetArgs{Mode: "NX", TTL: hold})
		}
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	first := make([]bool, len(ids))
	for i, c := range cmds {
		switch err := c.Err(); {
		case err == nil:
			first[i] = true
		case !errors.Is(err, redis.Nil): // Nil: NX found the key
			return nil, err
		}
	}
	return first, nil
}

// Keep extends the ids' claims to the retention.
func (s *RedisSeen) Keep(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.pipeline(ctx, func(p redis.Pipeliner) {
		for _, id := range ids {
			p.PExpire(ctx, SeenKeyPrefix+id, s.Retention)
		}
	})
}

// Forget deletes the ids' keys.
func (s *RedisSeen) Forget(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.pipeline(ctx, func(p redis.Pipeliner) {
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = SeenKeyPrefix + id
		}
		p.Del(ctx, keys...)
	})
}

// pipeline runs fill's commands in one round trip and gives up at ctx's
// deadline: go-redis applies its own read/write timeouts to the socket,
// not the context's, and the push's answer cannot wait for them.
func (s *RedisSeen) pipeline(ctx context.Context, fill func(redis.Pipeliner)) error {
	_, err := s.C.Pipelined(ctx, func(p redis.Pipeliner) error {
		fill(p)
		return nil
	})
	return err
}
