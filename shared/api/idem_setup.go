package api

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/idem"
)

// OpenIdempotency opens the configured store and limits for a function.
// configuredKey is SMSFLOW_PHONE_HASH_KEY as set (a shared store needs it);
// hashKey is the key in use (random per instance when none is set). Without
// Redis it says loudly that keys hold per instance; with Redis it checks
// the store once, and only warns when it is down: the function still
// serves unkeyed requests, and keyed ones answer 503 until it is back.
func OpenIdempotency(ctx context.Context, cfg config.Idempotency, configuredKey string, hashKey []byte, log *slog.Logger) (*Idempotency, error) {
	store, limits, err := idem.Open(cfg, configuredKey)
	if err != nil {
		return nil, err
	}
	if store.Shared() {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			log.Error(fmt.Sprintf("idempotency store %s cannot be reached at start: requests with an Idempotency-Key will answer 503 until it can: %v", cfg.RedisAddr, err))
		} else {
			warnIfEvicting(ctx, store, cfg.RedisAddr, log)
		}
	} else {
		log.Error(MemoryStoreWarning)
	}
	if limits.Empty() {
		log.Warn("no per-number send limits (SMSFLOW_SEND_LIMITS=off)")
	} else {
		log.Info("per-number send limits: " + limits.Describe() + " (templates by SMSFLOW_TEMPLATE_KINDS)")
	}
	if inert := limits.Inert(); len(inert) > 0 {
		log.Error(fmt.Sprintf("per-number send limits of kind %s apply to NO template: SMSFLOW_TEMPLATE_KINDS names none (e.g. SMS_123=%s), so those sends are not limited",
			strings.Join(inert, ", "), inert[0]))
	}
	return &Idempotency{Store: store, Limits: limits, Keyer: idem.NewKeyer(hashKey)}, nil
}

// warnIfEvicting says at ERROR level when the store may evict keys before
// their TTL: a stored answer or a claim evicted, and a retry sends the SMS
// again (docs/idempotency.md, "Eviction"). Managed Redis and Tair may
// refuse CONFIG: the policy is then unknown, and the function says so and
// carries on.
func warnIfEvicting(ctx context.Context, store *idem.Store, addr string, log *slog.Logger) {
	ev, err := idem.CheckEviction(ctx, store)
	switch {
	case err != nil:
		log.Warn(fmt.Sprintf("cannot read the maxmemory-policy of idempotency store %s (%v): make sure it is noeviction "+
			"(Tair and ApsaraDB for Redis default to volatile-lru, which may evict stored answers, and a retry would send again)", addr, err))
	case !ev.Safe():
		log.Error(fmt.Sprintf("IDEMPOTENCY STORE %s MAY EVICT: maxmemory-policy %s with maxmemory %d bytes; when it fills up, "+
			"stored answers and claims (they carry a TTL) can be evicted and a retry would send the SMS again. "+
			"Set maxmemory-policy noeviction (a full store then refuses writes: keyed requests answer 503, nothing is sent)",
			addr, ev.Policy, ev.MaxMemory))
	}
}
