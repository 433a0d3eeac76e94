package api

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/idem"
	"smsflow/shared/idem/redistest"
	"smsflow/shared/sms"
)

// slowProxy forwards to a Redis; once armed, it holds the reply to the
// first script run (EVALSHA) whose request mentions match for delay: a
// Redis that ran the script but answered late.
func slowProxy(t *testing.T, target string, delay time.Duration, match string) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var fired atomic.Bool
	fired.Store(true) // armed by the returned func
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			var hold atomic.Bool
			go func() { // client -> server
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if bytes.Contains(bytes.ToLower(buf[:n]), []byte("evalsha")) && bytes.Contains(buf[:n], []byte(match)) && fired.CompareAndSwap(false, true) {
							hold.Store(true)
						}
						s.Write(buf[:n])
					}
					if err != nil {
						s.Close()
						return
					}
				}
			}()
			go func() { // server -> client
				buf := make([]byte, 64<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						if hold.CompareAndSwap(true, false) {
							time.Sleep(delay)
						}
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						if err != io.EOF {
							c.Close()
						}
						c.Close()
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() { fired.Store(false) }
}

// The batch's time for sending ends while Begin is on its way (Claim and
// the send limit done): the message is "retry", nothing was sent, and the
// limit it counted is given back although its context has ended, so the
// redelivery is sent instead of refused by our own limit for good.
func TestADeadlineThatCutsBeginLeavesNoLimitCountBehind(t *testing.T) {
	srv := redistest.Start(t)
	addr, arm := slowProxy(t, srv.Addr, 500*time.Millisecond, "smsflow:idem:")
	store := idem.NewRedis(idem.NewRedisClient(config.Redis{RedisAddr: addr, RedisTimeout: 2 * time.Second}), time.Hour, time.Minute)
	defer store.Close()
	ctx := context.Background()
	// Load the scripts.
	w, _ := store.Claim(ctx, idem.StoreKey("warm"), "fp", "")
	_ = store.Begin(ctx, w.Key, w.Token)
	_, _, _ = store.Take(ctx, "warmup", []idem.Window{{Limit: 1, Per: time.Minute}}, []string{"other"})
	arm()
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
