// Package sessionlink remembers, per Tencent SerialNo, the SessionContext a
// send passed (and Tencent echoed in SendStatusSet) and when it was sent.
// Tencent's delivery callback carries only the SerialNo (`sid`, doc
// 382/43547), so the receipts function looks the SessionContext up here to
// join each receipt to the trace of its send, as Alibaba's out_id does.
// Without a store (no SMSFLOW_REDIS_ADDR) receipts still arrive, joined by
// biz_id (the SerialNo) only.
package sessionlink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
	"smsflow/shared/idem"
	"smsflow/shared/sms"
)

// TTL is how long a link is kept: longer than Tencent keeps trying to
// report a message (operators report within 72 hours).
const TTL = 72 * time.Hour

const keyPrefix = "smsflow:tc-sid:"

// Link is what a send leaves for its receipt (sms.SessionLink).
type Link = sms.SessionLink

// Store keeps links in Redis (or Tair). A nil *Store does nothing, so a
// function without Redis needs no special case.
type Store struct {
	c redis.UniversalClient
}

// Open answers the store, or nil without a Redis address.
func Open(cfg config.Redis) *Store {
	if cfg.RedisAddr == "" {
		return nil
	}
	return New(idem.NewRedisClient(cfg))
}

// New wraps a client (tests give miniredis's or redistest's). Calls end at
// their context's deadline only if the client has ContextTimeoutEnabled,
// as idem.NewRedisClient sets: go-redis otherwise bounds a read by its own
// timeout alone, and the receipts function looks links up within Tencent's
// answer budget.
func New(c redis.UniversalClient) *Store { return &Store{c: c} }

// Put stores links in one pipeline.
func (s *Store) Put(ctx context.Context, links []Link) error {
	if s == nil || len(links) == 0 {
		return nil
	}
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, l := range links {
			p.Set(ctx, keyPrefix+l.SerialNo, strconv.FormatInt(l.SentAt.UnixMilli(), 10)+" "+l.SessionContext, TTL)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing %d session links: %w", len(links), err)
	}
	return nil
}

// Get answers the links known for serials (missing ones are left out).
func (s *Store) Get(ctx context.Context, serials []string) (map[string]Link, error) {
	out := map[string]Link{}
	if s == nil || len(serials) == 0 {
		return out, nil
	}
	keys := make([]string, len(serials))
	for i, sn := range serials {
		keys[i] = keyPrefix + sn
	}
	vals, err := s.c.MGet(ctx, keys...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return out, fmt.Errorf("reading %d session links: %w", len(serials), err)
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		ms, sc, ok := strings.Cut(str, " ")
		n, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil {
			continue
		}
		out[serials[i]] = Link{SerialNo: serials[i], SessionContext: sc, SentAt: time.UnixMilli(n)}
	}
	return out, nil
}
