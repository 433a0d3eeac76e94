package idem

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
	"smsflow/shared/idem/redistest"
)

// takeTwice runs take twice with the same member, answering the second:
// what go-redis does when the first EVALSHA's reply was lost after the
// script ran (MaxRetries: 1 in NewRedisClient).
type takeTwice struct{ backend }

func (l takeTwice) take(ctx context.Context, w []windowKey, member string, now time.Time) (time.Duration, error) {
	_, _ = l.backend.take(ctx, w, member, now)
	return l.backend.take(ctx, w, member, now)
}

// takeThenFail counts the send, then answers an error, after ending ctx
// when end is set: a reply lost for good, or the caller's deadline passing
// while the script ran.
type takeThenFail struct {
	backend
	end context.CancelFunc
}

func (l takeThenFail) take(ctx context.Context, w []windowKey, member string, now time.Time) (time.Duration, error) {
	_, _ = l.backend.take(ctx, w, member, now)
	if l.end != nil {
		l.end()
		return 0, ctx.Err()
	}
	return 0, errReplyLost
}

var otp = []Window{{2, time.Minute}}

// A take run twice (its first reply lost) counts the send once, and is not
// refused by its own first run: a first OTP to a number must not be 429.
func TestATakeRunTwiceCountsOnceAndIsNotRefusedByItself(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		healthy := s.b
		s.b = takeTwice{healthy}
		one := []Window{{1, time.Minute}}
		if _, wait, err := s.Take(ctx, "verification", one, []string{"h1"}); err != nil || wait != 0 {
			t.Fatalf("a first send, its take run twice: wait %s err %v, want allowed", wait, err)
		}
		// Counted once: a 2/1m limit lets exactly one more send through.
		if _, wait, err := s.Take(ctx, "verification", otp, []string{"h2"}); err != nil || wait != 0 {
			t.Fatal(wait, err)
		}
		s.b = healthy
		if _, wait, err := s.Take(ctx, "verification", otp, []string{"h2"}); err != nil || wait != 0 {
			t.Fatalf("the second send of a 2/1m window after a take run twice: wait %s err %v, want allowed (counted once)", wait, err)
		}
		if _, wait, _ := s.Take(ctx, "verification", otp, []string{"h2"}); wait == 0 {
			t.Fatal("a third send passed a 2/1m window")
		}
	})
}

// A take that answered an error counted nothing the caller will send:
// what it may have counted is taken back, even once its context ended.
func TestATakeThatFailedIsTakenBack(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		healthy := s.b
		one := []Window{{1, time.Minute}}
		s.b = takeThenFail{backend: healthy}
		if _, _, err := s.Take(context.Background(), "verification", one, []string{"h1"}); err == nil {
			t.Fatal("want an error")
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.b = takeThenFail{backend: healthy, end: cancel}
		if _, _, err := s.Take(ctx, "verification", one, []string{"h2"}); err == nil {
			t.Fatal("want an error")
		}
		s.b = healthy
		for _, h := range []string{"h1", "h2"} {
			if _, wait, err := s.Take(context.Background(), "verification", one, []string{h}); err != nil || wait != 0 {
				t.Fatalf("%s: the retry after a failed take: wait %s err %v, want allowed (nothing was sent)", h, wait, err)
			}
		}
	})
}

// The same on a real redis-server through the production client: a reply
// later than SMSFLOW_REDIS_TIMEOUT makes go-redis run the script again;
// one later than the caller's deadline makes Take fail after it counted.
func TestALateTakeReplyOnARealRedis(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	one := []Window{{1, time.Minute}}
	open := func(timeout, delay time.Duration) (*Store, *redistest.LateReplies) {
		p := redistest.NewLateReplies(t, srv.Addr, delay, "evalsha", "smsflow:limit:")
		s := NewRedis(NewRedisClient(config.Redis{RedisAddr: p.Addr, RedisTimeout: timeout}), time.Hour, time.Minute)
		t.Cleanup(func() { s.Close() })
		// Load the script (EVALSHA, NOSCRIPT, EVAL) on another number.
		if _, _, err := s.Take(ctx, "warmup", one, []string{"other"}); err != nil {
			t.Fatal(err)
		}
		p.Arm()
		return s, p
	}

	retried, _ := open(150*time.Millisecond, 400*time.Millisecond)
	if _, wait, err := retried.Take(ctx, "verification", one, []string{"h1"}); err != nil || wait != 0 {
		t.Errorf("a first send whose limit reply came after the client's timeout: wait %s err %v, want allowed", wait, err)
	}
	if n := retried.b.(*redisBackend).c.ZCard(ctx, "smsflow:limit:{h1}:verification:1/1m0s").Val(); n != 1 {
		t.Errorf("%d sends counted, want 1", n)
	}

	cut, _ := open(2*time.Second, 500*time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	_, _, err := cut.Take(short, "verification", one, []string{"h2"})
	cancel()
	if err == nil {
		t.Fatal("a take cut by its deadline answered no error")
	}
	time.Sleep(600 * time.Millisecond) // the late reply has come and gone
	if _, wait, err := cut.Take(ctx, "verification", one, []string{"h2"}); err != nil || wait != 0 {
		t.Errorf("the retry after a take cut by its deadline: wait %s err %v, want allowed (nothing was sent)", wait, err)
	}
}

// Send-limit windows run on Redis's clock: an instance whose clock runs
// ahead does not see another instance's send leave the window early.
func TestSendLimitWindowsRunOnRedisClock(t *testing.T) {
	for name, start := range map[string]func(*testing.T) string{
		"miniredis":    func(t *testing.T) string { return miniredis.RunT(t).Addr() },
		"redis-server": func(t *testing.T) string { return redistest.Start(t).Addr },
	} {
		t.Run(name, func(t *testing.T) {
			addr := start(t)
			ctx := context.Background()
			one := []Window{{1, time.Minute}}
			a := NewRedis(redis.NewClient(&redis.Options{Addr: addr}), time.Hour, time.Minute)
			ahead := NewRedis(redis.NewClient(&redis.Options{Addr: addr}), time.Hour, time.Minute)
			defer a.Close()
			defer ahead.Close()
			ahead.now = func() time.Time { return time.Now().Add(61 * time.Second) }
			if _, wait, err := a.Take(ctx, "verification", one, []string{"h"}); wait != 0 || err != nil {
				t.Fatal(wait, err)
			}
			if _, wait, err := ahead.Take(ctx, "verification", one, []string{"h"}); err != nil || wait < 59*time.Second || wait > time.Minute {
				t.Fatalf("a second send at once, on an instance whose clock is 61 s ahead: wait %s err %v, want refused for about a minute", wait, err)
			}
		})
	}
}
