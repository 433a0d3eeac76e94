package idem

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/shared/idem/redistest"
)

// clock is a settable time for the store's leases and windows.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// backends runs f against every store kind: memory, miniredis and a real
// redis-server (the one production talks to).
func backends(t *testing.T, f func(t *testing.T, s *Store, c *clock)) {
	t.Run("memory", func(t *testing.T) {
		c := &clock{t: time.Now()}
		s := NewMemory(time.Hour, time.Minute)
		s.now, s.b.(*memory).now = c.now, c.now
		f(t, s, c)
	})
	t.Run("miniredis", func(t *testing.T) {
		m := miniredis.RunT(t)
		c := &clock{t: time.Now()}
		s := NewRedis(redis.NewClient(&redis.Options{Addr: m.Addr()}), time.Hour, time.Minute)
		s.now = c.now
		onClock(s, c)
		defer s.Close()
		f(t, s, c)
	})
	t.Run("redis-server", func(t *testing.T) {
		srv := redistest.Start(t)
		c := &clock{t: time.Now()}
		s := NewRedis(redis.NewClient(&redis.Options{Addr: srv.Addr}), time.Hour, time.Minute)
		s.now = c.now
		onClock(s, c)
		defer s.Close()
		f(t, s, c)
	})
}

// onClock moves a Redis store's send-limit clock (Redis's own) with c: by
// as much as c was moved since.
func onClock(s *Store, c *clock) {
	start := c.now()
	s.b.(*redisBackend).shift = func() time.Duration { return c.now().Sub(start) }
}

func TestClaimLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		key := StoreKey("k1")
		first, err := s.Claim(ctx, key, "fp-a", "trace-1")
		if err != nil || first.Status != Claimed || first.Token == "" {
			t.Fatalf("first claim: %+v %v", first, err)
		}
		if again, _ := s.Claim(ctx, key, "fp-a", "trace-2"); again.Status != InFlight || again.Record.TraceID != "trace-1" {
			t.Fatalf("second claim while in flight: %+v", again)
		}
		if other, _ := s.Claim(ctx, key, "fp-b", "trace-3"); other.Status != Mismatch {
			t.Fatalf("claim with another payload: %+v", other)
		}
		if err := s.Complete(ctx, key, "not-the-owner", Result{Status: "accepted"}); err == nil {
			t.Fatal("a stranger completed the claim")
		}
		res := Result{Status: "accepted", BizID: "B1", HTTPStatus: 200, Body: []byte(`{"status":"accepted"}`)}
		if err := s.Complete(ctx, key, first.Token, res); err != nil {
			t.Fatal(err)
		}
		replay, err := s.Claim(ctx, key, "fp-a", "trace-4")
		if err != nil || replay.Status != Replay || replay.Record.Result.BizID != "B1" || string(replay.Record.Result.Body) != `{"status":"accepted"}` {
			t.Fatalf("replay: %+v %v", replay, err)
		}
		if other, _ := s.Claim(ctx, key, "fp-b", ""); other.Status != Mismatch {
			t.Fatalf("done key with another payload: %+v", other)
		}
	})
}

func TestReleaseLetsARetrySend(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		key := StoreKey("k2")
		first, _ := s.Claim(ctx, key, "fp", "")
		if err := s.Release(ctx, key, "stranger"); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Claim(ctx, key, "fp", ""); again.Status != InFlight {
			t.Fatalf("a stranger's release freed the claim: %+v", again)
		}
		if err := s.Release(ctx, key, first.Token); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Claim(ctx, key, "fp", ""); again.Status != Claimed {
			t.Fatalf("claim after release: %+v", again)
		}
	})
}

func TestExpiredLeaseBecomesUnknownNeverASend(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		key := StoreKey("k3")
		crashed, _ := s.Claim(ctx, key, "fp", "trace-1")
		if err := s.Begin(ctx, key, crashed.Token); err != nil {
			t.Fatal(err)
		}
		c.add(61 * time.Second) // past the one-minute lease
		got, err := s.Claim(ctx, key, "fp", "trace-2")
		if err != nil || got.Status != Replay || got.Record.Result.Status != "unknown" || !got.Record.Result.Abandoned || got.Record.TraceID != "trace-1" {
			t.Fatalf("claim after the owner's lease ran out: %+v %v", got, err)
		}
		if again, _ := s.Claim(ctx, key, "fp", ""); again.Status != Replay || again.Record.Result.Status != "unknown" {
			t.Fatalf("abandoned claim is not stable: %+v", again)
		}
		// The owner was only slow: its late, true answer replaces unknown.
		if err := s.Complete(ctx, key, crashed.Token, Result{Status: "accepted", BizID: "late"}); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Claim(ctx, key, "fp", ""); again.Record.Result.BizID != "late" {
			t.Fatalf("late answer not stored: %+v", again)
		}
	})
}

func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if cl, err := s.Claim(context.Background(), StoreKey("race"), "fp", ""); err == nil && cl.Status == Claimed {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won", won.Load())
		}
	})
}

func TestSendLimits(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		windows := []Window{{1, time.Minute}, {3, time.Hour}}
		r1, wait, err := s.Take(ctx, "verification", windows, []string{"h1"})
		if err != nil || wait != 0 {
			t.Fatalf("first send: wait %s err %v", wait, err)
		}
		c.add(20 * time.Second)
		if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h1"}); wait < 39*time.Second || wait > 40*time.Second {
			t.Fatalf("second send within the minute: wait %s, want 40s", wait)
		}
		// A two-number request with one limited number counts nothing.
		if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h2", "h1"}); wait == 0 {
			t.Fatal("a request with a limited number was allowed")
		}
		if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h2"}); wait != 0 {
			t.Fatal("the refused request counted against its other number")
		}
		// A send that did not happen is refunded.
		if err := s.Refund(ctx, r1); err != nil {
			t.Fatal(err)
		}
		if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h1"}); wait != 0 {
			t.Fatalf("after a refund: wait %s", wait)
		}
		for range 2 {
			c.add(61 * time.Second)
			if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h1"}); wait != 0 {
				t.Fatalf("next minute: wait %s", wait)
			}
		}
		c.add(61 * time.Second)
		if _, wait, _ := s.Take(ctx, "verification", windows, []string{"h1"}); wait < 50*time.Minute {
			t.Fatalf("fourth send in the hour: wait %s, want the hour window", wait)
		}
		// Other kinds count apart.
		if _, wait, _ := s.Take(ctx, "notification", windows, []string{"h1"}); wait != 0 {
			t.Fatal("kinds share windows")
		}
	})
}

func TestStoreDownIsUnavailable(t *testing.T) {
	srv := redistest.Start(t)
	s := NewRedis(redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond}), time.Hour, time.Minute)
	defer s.Close()
	srv.Stop()
	if _, err := s.Claim(context.Background(), StoreKey("k"), "fp", ""); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("claim with the store down: %v", err)
	}
	if _, _, err := s.Take(context.Background(), "v", []Window{{1, time.Minute}}, []string{"h"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("take with the store down: %v", err)
	}
}

func TestRetentionForgetsAnswers(t *testing.T) {
	m := miniredis.RunT(t)
	s := NewRedis(redis.NewClient(&redis.Options{Addr: m.Addr()}), time.Hour, time.Minute)
	ctx := context.Background()
	cl, _ := s.Claim(ctx, StoreKey("r"), "fp", "")
	_ = s.Complete(ctx, StoreKey("r"), cl.Token, Result{Status: "accepted"})
	if ttl := m.TTL(StoreKey("r")); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("stored answer TTL %s, want the retention", ttl)
	}
	m.FastForward(time.Hour + time.Second)
	if again, _ := s.Claim(ctx, StoreKey("r"), "fp", ""); again.Status != Claimed {
		t.Fatalf("after the retention window: %+v", again)
	}
}

func TestLapsedClaimThatNeverSentIsTakenOver(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		key := StoreKey("k4")
		lost, _ := s.Claim(ctx, key, "fp", "trace-1")
		c.add(61 * time.Second)
		got, err := s.Claim(ctx, key, "fp", "trace-2")
		if err != nil || got.Status != Claimed || got.Token == lost.Token {
			t.Fatalf("claim after a lapsed, never-begun claim: %+v %v", got, err)
		}
		if err := s.Begin(ctx, key, lost.Token); err == nil {
			t.Fatal("the lapsed owner could still begin sending")
		}
	})
}

// lostReplies runs every write twice, answering the second result: what a
// client that retries a timed-out command sees when the first try did
// reach the server (go-redis retries read timeouts with MaxRetries ≥ 1).
type lostReplies struct{ backend }

func (l lostReplies) setNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	_, _ = l.backend.setNX(ctx, key, val, ttl)
	return l.backend.setNX(ctx, key, val, ttl)
}

func (l lostReplies) swap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	_, _ = l.backend.swap(ctx, key, old, val, ttl)
	return l.backend.swap(ctx, key, old, val, ttl)
}

func TestClaimWhoseReplyWasLostIsStillOwn(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		s.b = lostReplies{s.b}
		got, err := s.Claim(ctx, StoreKey("lost1"), "fp", "")
		if err != nil || got.Status != Claimed {
			t.Fatalf("fresh claim whose reply was lost: %+v %v (want claimed, not a 409 against itself)", got, err)
		}
		// Taking over a lapsed, never-begun claim, the reply lost too.
		_, _ = s.Claim(ctx, StoreKey("lost2"), "fp", "")
		c.add(61 * time.Second)
		got, err = s.Claim(ctx, StoreKey("lost2"), "fp", "")
		if err != nil || got.Status != Claimed {
			t.Fatalf("take-over whose reply was lost: %+v %v", got, err)
		}
		if err := s.Begin(ctx, got.Key, got.Token); err != nil {
			t.Fatalf("the owner cannot begin: %v", err)
		}
	})
}

// repliesLost writes, then answers a timeout: what a caller sees when the
// write reached the store but every reply (go-redis's retry included) was
// lost, as with a store slower than SMSFLOW_REDIS_TIMEOUT.
type repliesLost struct{ backend }

var errReplyLost = errors.New("i/o timeout")

func (l repliesLost) setNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	_, _ = l.backend.setNX(ctx, key, val, ttl)
	return false, errReplyLost
}

func (l repliesLost) swap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	_, _ = l.backend.swap(ctx, key, old, val, ttl)
	return false, errReplyLost
}

// A claim that failed for the caller must not stay behind in the store as
// a request in flight: nothing was sent, yet every retry of the key would
// get 409 for a whole lease (dispatch: EventBridge's retries all fail and
// the batch ends in the dead-letter queue unsent).
func TestAClaimThatFailedLeavesNothingInFlight(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		healthy := s.b
		s.b = repliesLost{healthy}
		if _, err := s.Claim(ctx, StoreKey("ghost1"), "fp", ""); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("claim whose replies were lost: %v, want unavailable", err)
		}
		s.b = healthy
		if got, err := s.Claim(ctx, StoreKey("ghost1"), "fp", ""); err != nil || got.Status != Claimed {
			t.Fatalf("the retry after a failed claim: %+v %v, want claimed (the failed claim is still in flight)", got, err)
		}
		// Taking over a lapsed, never-begun claim, every reply lost.
		if _, err := s.Claim(ctx, StoreKey("ghost2"), "fp", ""); err != nil {
			t.Fatal(err)
		}
		c.add(61 * time.Second)
		s.b = repliesLost{healthy}
		if _, err := s.Claim(ctx, StoreKey("ghost2"), "fp", ""); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("take-over whose replies were lost: %v, want unavailable", err)
		}
		s.b = healthy
		if got, err := s.Claim(ctx, StoreKey("ghost2"), "fp", ""); err != nil || got.Status != Claimed {
			t.Fatalf("the retry after a failed take-over: %+v %v, want claimed", got, err)
		}
	})
}
