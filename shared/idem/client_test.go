package idem

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"smsflow/shared/config"
)

// A Redis that accepts and never answers: a store call must end at its
// context's deadline, not wait out SMSFLOW_REDIS_TIMEOUT (here a minute,
// far past any invocation), so the function still answers and ships its
// events before FC's deadline.
func TestRedisCallsEndAtTheirContextsDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	c := NewRedisClient(config.Redis{RedisAddr: ln.Addr().String(), RedisTimeout: time.Minute})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Get(ctx, "k").Err() }()
	select {
	case err := <-done:
		var ne net.Error
		if err == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("GET on a silent Redis past the context's deadline answered %v, want a timeout", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("GET on a silent Redis still waits 20 s after its context's 100 ms deadline: it waits out the 1-minute Redis timeout instead")
	}
}
