package idem

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"smsflow/local/testkit"
	"smsflow/shared/config"
)

// A Redis that accepts and never answers: a store call must end at its
// context's deadline, not wait out SMSFLOW_REDIS_TIMEOUT (here a minute,
// far past any invocation), so the function still answers and ships its
// events before FC's deadline.
func TestRedisCallsEndAtTheirContextsDeadline(t *testing.T) {
	c := NewRedisClient(config.Redis{RedisAddr: testkit.SilentAddr(t), RedisTimeout: time.Minute})
	defer c.Close()
	ended, err := testkit.CallWithDeadline(100*time.Millisecond, func(ctx context.Context) error { return c.Get(ctx, "k").Err() })
	var ne net.Error
	switch {
	case !ended:
		t.Fatal("GET on a silent Redis still waits 20 s after its context's 100 ms deadline: it waits out the 1-minute Redis timeout instead")
	case err == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()):
		t.Fatalf("GET on a silent Redis past the context's deadline answered %v, want a timeout", err)
	}
}
