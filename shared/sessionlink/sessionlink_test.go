package sessionlink

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/local/testkit"
	"smsflow/shared/config"
)

func TestPutThenGetWithExpiry(t *testing.T) {
	mr := miniredis.RunT(t)
	s := New(redis.NewClient(&redis.Options{Addr: mr.Addr()}))
	sent := time.UnixMilli(1764660000123)
	if err := s.Put(context.Background(), []Link{{SerialNo: "2640:1", SessionContext: "sf1abc", SentAt: sent}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), []string{"2640:1", "2640:2"})
	if err != nil || len(got) != 1 || got["2640:1"].SessionContext != "sf1abc" || !got["2640:1"].SentAt.Equal(sent) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	mr.FastForward(TTL + time.Second)
	if got, _ := s.Get(context.Background(), []string{"2640:1"}); len(got) != 0 {
		t.Fatalf("a link outlived its TTL: %+v", got)
	}
}

func TestNilStoreIsANoOp(t *testing.T) {
	var s *Store
	if err := s.Put(context.Background(), []Link{{SerialNo: "x"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(context.Background(), []string{"x"}); err != nil || len(got) != 0 {
		t.Fatal(got, err)
	}
}

func TestStoreDownIsAnError(t *testing.T) {
	mr := miniredis.RunT(t)
	s := New(redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1}))
	mr.Close()
	if err := s.Put(context.Background(), []Link{{SerialNo: "x"}}); err == nil {
		t.Fatal("Put to a stopped store succeeded")
	}
	if _, err := s.Get(context.Background(), []string{"x"}); err == nil {
		t.Fatal("Get from a stopped store succeeded")
	}
}

// A stalled store ends each call at its caller's deadline, not at
// go-redis's own read timeout: the send bounds its Put (keepLinks, 300 ms)
// and the receipts function its Get (a share of the answer budget), and
// go-redis alone would wait SMSFLOW_REDIS_TIMEOUT, per retry.
func TestStalledStoreEndsAtTheCallersDeadline(t *testing.T) {
	s := Open(config.Redis{RedisAddr: testkit.SilentAddr(t), RedisTimeout: time.Minute})
	calls := map[string]func(context.Context) error{
		"Put": func(ctx context.Context) error {
			return s.Put(ctx, []Link{{SerialNo: "2640:1", SessionContext: "sf1abc"}})
		},
		"Get": func(ctx context.Context) error { _, err := s.Get(ctx, []string{"2640:1"}); return err },
	}
	for name, call := range calls {
		ended, err := testkit.CallWithDeadline(50*time.Millisecond, call)
		switch {
		case !ended:
			t.Errorf("%s on a stalled store outlived its caller's deadline", name)
		case !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("%s on a stalled store: %v, want the deadline's error", name, err)
		}
	}
}
