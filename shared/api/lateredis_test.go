package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/idem"
	"smsflow/shared/idem/redistest"
	"smsflow/shared/sms"
)

// The batch's time for sending ends while Begin is on its way (Claim and
// the send limit done): the message is "retry", nothing was sent, and the
// limit it counted is given back although its context has ended, so the
// redelivery is sent instead of refused by our own limit for good.
func TestADeadlineThatCutsBeginLeavesNoLimitCountBehind(t *testing.T) {
	srv := redistest.Start(t)
	late := redistest.NewLateReplies(t, srv.Addr, 500*time.Millisecond, "evalsha", "smsflow:idem:")
	store := idem.NewRedis(idem.NewRedisClient(config.Redis{RedisAddr: late.Addr, RedisTimeout: 2 * time.Second}), time.Hour, time.Minute)
	defer store.Close()
	ctx := context.Background()
	// Load the scripts.
	w, _ := store.Claim(ctx, idem.StoreKey("warm"), "fp", "")
	_ = store.Begin(ctx, w.Key, w.Token)
	_, _, _ = store.Take(ctx, "warmup", []idem.Window{{Limit: 1, Per: time.Minute}}, []string{"other"})
	late.Arm()
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1")}}
	h := idemHandler(t, s, store, nil)
	short, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	d := h.Deliver(short, Message{Body: []byte(okBody), ID: "otp-1", Source: "test"})
	cancel()
	if d.Disposition != DispositionRetry || s.calls.Load() != 0 {
		t.Fatalf("setup: %+v calls %d", d, s.calls.Load())
	}
	time.Sleep(600 * time.Millisecond)
	// EventBridge redelivers, with time to spare.
	d = h.Deliver(ctx, Message{Body: []byte(okBody), ID: "otp-1", Source: "test"})
	if d.Disposition != DispositionSent || s.calls.Load() != 1 {
		t.Fatalf("redelivery of a message nothing was sent for: %+v, sender called %d times (want sent)", d, s.calls.Load())
	}
}

// A queued message's idempotency_key must be a JSON string: 123, "123"
// and 1e2 must not become keys by their spelling.
func TestANonStringIdempotencyKeyInAMessageIsRefused(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1"), accepted("B2")}}
	h := idemHandler(t, s, memStore(), nil)
	for _, k := range []string{`123`, `true`, `{"k":1}`} {
		body := strings.Replace(noticeBody, `{`, `{"idempotency_key":`+k+`,`, 1)
		d := h.Deliver(context.Background(), Message{Body: []byte(body), ID: "m-" + k, Source: "test"})
		if d.Disposition != DispositionPoison || d.Code != CodeInvalidIdempotencyKey {
			t.Errorf("idempotency_key %s: %+v, want poison with %s", k, d, CodeInvalidIdempotencyKey)
		}
	}
	if s.calls.Load() != 0 {
		t.Errorf("sent %d time(s)", s.calls.Load())
	}
}
