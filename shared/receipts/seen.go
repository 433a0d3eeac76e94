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
type Seen interface {
	// Claim marks a receipt id as recorded and answers whether this call
	// was the first to do so. An error means the store cannot tell: the
	// caller records the receipt anyway.
	Claim(ctx context.Context, id string) (first bool, err error)
	// Forget releases claims whose receipts were not stored after all, so
	// the push Alibaba makes again records them.
	Forget(ctx context.Context, ids []string) error
}

// SeenRetention is how long a recorded receipt id is remembered. Alibaba
// re-pushes within about 16 minutes; a repeat after 3 days is rare, and is
// still counted once at query time (count(DISTINCT receipt_id)).
const SeenRetention = 72 * time.Hour

// SeenKeyPrefix prefixes the Redis key of a recorded receipt id.
const SeenKeyPrefix = "smsflow:receipt:"

// RedisSeen is Seen on Redis (or Tair): one key per receipt id,
// SET smsflow:receipt:<id> 1 NX PX <retention>.
type RedisSeen struct {
	C         *redis.Client
	Retention time.Duration
}

// NewRedisSeen remembers receipt ids in c for SeenRetention.
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

// Claim sets the id's key only if it is not there, with its expiry, in one
// atomic command.
func (s *RedisSeen) Claim(ctx context.Context, id string) (bool, error) {
	err := s.C.SetArgs(ctx, SeenKeyPrefix+id, "1", redis.SetArgs{Mode: "NX", TTL: s.Retention}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

// Forget deletes the ids' keys.
func (s *RedisSeen) Forget(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = SeenKeyPrefix + id
	}
	return s.C.Del(ctx, keys...).Err()
}
