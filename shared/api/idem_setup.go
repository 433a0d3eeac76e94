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
		}
	} else {
		log.Error(MemoryStoreWarning)
	}
	if limits.Empty() {
		log.Warn("no per-number send limits (SMSFLOW_SEND_LIMITS is empty)")
	} else {
		log.Info("per-number send limits: " + limits.Describe() + " (templates by SMSFLOW_TEMPLATE_KINDS)")
	}
	if inert := limits.Inert(); len(inert) > 0 {
		log.Error(fmt.Sprintf("per-number send limits of kind %s apply to NO template: SMSFLOW_TEMPLATE_KINDS names none (e.g. SMS_123=%s), so those sends are not limited",
			strings.Join(inert, ", "), inert[0]))
	}
	return &Idempotency{Store: store, Limits: limits, Keyer: idem.NewKeyer(hashKey)}, nil
}
