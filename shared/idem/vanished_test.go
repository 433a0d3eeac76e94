package idem

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// vanish deletes key as a Redis restarted without its data (or a failover,
// an eviction) would, and answers what it held.
func vanish(t *testing.T, s *Store, key string) []byte {
	t.Helper()
	ctx := context.Background()
	raw, found, err := s.b.get(ctx, key)
	if err != nil || !found {
		t.Fatalf("the record to vanish: found %v err %v", found, err)
	}
	if ok, err := s.b.drop(ctx, key, raw); !ok || err != nil {
		t.Fatalf("vanish: %v %v", ok, err)
	}
	return raw
}

// ttlOf answers how long key has left in s's backend.
func ttlOf(t *testing.T, s *Store, key string) time.Duration {
	t.Helper()
	switch b := s.b.(type) {
	case *memory:
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.vals[key].expires.Sub(b.now())
	case *redisBackend:
		return b.c.PTTL(context.Background(), key).Val()
	}
	t.Fatalf("no TTL for %T", s.b)
	return 0
}

// A send whose claim vanished mid-send (Alibaba accepted it): its answer
// is stored all the same, the very record a normal Complete writes, so
// the caller's retry replays it instead of sending a second SMS.
func TestTheAnswerOfAClaimThatVanishedIsStoredWhileTheKeyIsFree(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		key := StoreKey("vanish")
		cl, err := s.Claim(ctx, key, "fp", "trace-1")
		if err != nil || cl.Status != Claimed {
			t.Fatal(cl, err)
		}
		if err := s.Begin(ctx, key, cl.Token); err != nil {
			t.Fatal(err)
		}
		before := vanish(t, s, key)
		res := Result{Status: "accepted", BizID: "B1", HTTPStatus: 200, Body: []byte(`{"status":"accepted"}`)}
		// Another instance knows nothing of the claim: it cannot write it.
		stranger := &Store{b: s.b, kind: s.kind, retention: s.retention, lease: s.lease, now: s.now}
		if err := stranger.Complete(ctx, key, cl.Token, res); err == nil {
			t.Fatal("a store that never held the claim completed it")
		}
		if err := s.Complete(ctx, key, cl.Token, res); err != nil {
			t.Fatalf("Complete of a vanished claim: %v, want the answer stored", err)
		}
		want, _ := decodeRecord(before)
		want.State, want.Result = StateDone, &res
		if got, _, _ := s.b.get(ctx, key); !bytes.Equal(got, want.encode()) {
			t.Errorf("stored\n%s\nwant what Complete stores on the claim\n%s", got, want.encode())
		}
		if ttl := ttlOf(t, s, key); ttl <= 59*time.Minute || ttl > time.Hour {
			t.Errorf("TTL %s, want the retention", ttl)
		}
		again, err := s.Claim(ctx, key, "fp", "trace-2")
		if err != nil || again.Status != Replay || again.Record.Result.BizID != "B1" || again.Record.TraceID != "trace-1" {
			t.Fatalf("the retry: %+v %v, want the stored answer replayed", again, err)
		}
		if other, _ := s.Claim(ctx, key, "fp-other", ""); other.Status != Mismatch {
			t.Fatalf("the key with another payload: %+v, want mismatch", other)
		}
	})
}

// claimInTheGap reads, and when the key is absent lets another request
// claim it before the reader acts.
type claimInTheGap struct {
	backend
	gap func()
}

func (b *claimInTheGap) get(ctx context.Context, key string) ([]byte, bool, error) {
	raw, found, err := b.backend.get(ctx, key)
	if !found && b.gap != nil {
		gap := b.gap
		b.gap = nil
		gap()
	}
	return raw, found, err
}

// A vanished key that another request has claimed since is its: the late
// answer does not turn its live claim into a done record.
func TestTheAnswerOfAClaimThatVanishedNeverReplacesAnotherClaim(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		for _, gap := range []bool{false, true} {
			key := StoreKey("vanish-taken")
			if gap {
				key = StoreKey("vanish-taken-in-the-gap")
			}
			mine, _ := s.Claim(ctx, key, "fp", "")
			if err := s.Begin(ctx, key, mine.Token); err != nil {
				t.Fatal(err)
			}
			vanish(t, s, key)
			other := &Store{b: s.b, kind: s.kind, retention: s.retention, lease: s.lease, now: s.now}
			var theirs Claim
			claim := func() {
				var err error
				if theirs, err = other.Claim(ctx, key, "fp", ""); err != nil || theirs.Status != Claimed {
					t.Fatalf("the other request's claim: %+v %v", theirs, err)
				}
			}
			healthy := s.b
			if gap {
				s.b = &claimInTheGap{backend: healthy, gap: claim} // after Complete reads, before it writes
			} else {
				claim()
			}
			err := s.Complete(ctx, key, mine.Token, Result{Status: "accepted", BizID: "late"})
			s.b = healthy
			if err == nil {
				t.Errorf("gap %v: Complete over another request's claim answered no error", gap)
			}
			now, _, _ := s.b.get(ctx, key)
			rec, _ := decodeRecord(now)
			if rec.Token != theirs.Token || rec.State != StateInFlight || rec.Result != nil {
				t.Errorf("gap %v: the other request's claim became %s", gap, now)
			}
		}
	})
}

// A claim is held from Claim to Complete or Release, and however many are
// left by failures, the process keeps a bounded number.
func TestHeldClaimsAreForgottenAndBounded(t *testing.T) {
	ctx := context.Background()
	s := NewMemory(time.Hour, time.Minute)
	a, _ := s.Claim(ctx, StoreKey("a"), "fp", "")
	b, _ := s.Claim(ctx, StoreKey("b"), "fp", "")
	_ = s.Complete(ctx, a.Key, a.Token, Result{Status: "accepted"})
	_ = s.Release(ctx, b.Key, b.Token)
	if n := len(s.held.recs); n != 0 {
		t.Fatalf("%d claims held after Complete and Release, want 0", n)
	}
	for i := range maxHeld + 10 {
		s.held.hold(StoreKey(string(rune(i))), Record{Token: "t", ClaimedAt: int64(i)})
	}
	if n := len(s.held.recs); n != maxHeld {
		t.Fatalf("%d claims held, want the bound %d", n, maxHeld)
	}
	if _, ok := s.held.get(StoreKey(string(rune(maxHeld+9))), "t"); !ok {
		t.Error("the newest claim was dropped")
	}
	if _, ok := s.held.get(StoreKey(string(rune(0))), "t"); ok {
		t.Error("the oldest claim was kept over the bound")
	}
}
