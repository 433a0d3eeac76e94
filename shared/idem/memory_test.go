package idem

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// memoryOn returns a memory store on a settable clock, and its backend.
func memoryOn(c *clock) (*Store, *memory) {
	s := NewMemory(time.Hour, time.Minute)
	m := s.b.(*memory)
	s.now, m.now = c.now, c.now
	return s, m
}

// Send-limit windows are forgotten once they expire, like answers: an
// instance that saw many numbers must not keep one window per number for
// ever.
func TestMemorySweepsExpiredWindowsAndAnswers(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s, m := memoryOn(c)
	for i := range 500 {
		hash := fmt.Sprintf("h%04d", i)
		if _, wait, err := s.Take(ctx, "verification", []Window{{Limit: 1, Per: time.Minute}, {Limit: 5, Per: time.Hour}}, []string{hash}); err != nil || wait != 0 {
			t.Fatalf("take %d: wait %v err %v", i, wait, err)
		}
		if _, err := s.Claim(ctx, StoreKey(fmt.Sprintf("k%04d", i)), "fp", "trace"); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.size(); n != 1500 {
		t.Fatalf("%d keys after 500 claims and 500 two-window takes, want 1500", n)
	}
	// Past the one-minute windows: they go at the next sweep, the rest stays.
	c.add(time.Minute + memorySweepEvery)
	if _, err := s.Claim(ctx, StoreKey("later"), "fp", "trace"); err != nil {
		t.Fatal(err)
	}
	if n := len(m.windows); n != 500 {
		t.Errorf("%d windows after the minute windows expired, want the 500 hour windows", n)
	}
	// Past the retention and the hour windows: only the new claim is left.
	c.add(time.Hour + memorySweepEvery)
	if _, err := s.Claim(ctx, StoreKey("last"), "fp", "trace"); err != nil {
		t.Fatal(err)
	}
	if n := m.size(); n != 1 {
		t.Errorf("%d keys after everything expired, want 1 (%d answers, %d windows)", n, len(m.vals), len(m.windows))
	}
}

// However many distinct keys and numbers come, the store stays bounded;
// what goes first is what would expire first.
func TestMemoryIsBounded(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s, m := memoryOn(c)
	m.maxKeys = 160
	for i := range 1000 {
		c.add(time.Millisecond)
		if _, err := s.Claim(ctx, StoreKey(fmt.Sprintf("k%04d", i)), "fp", "trace"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Take(ctx, "verification", []Window{{Limit: 5, Per: time.Hour}}, []string{fmt.Sprintf("h%04d", i)}); err != nil {
			t.Fatal(err)
		}
		if n := m.size(); n > m.maxKeys {
			t.Fatalf("%d keys, bound %d", n, m.maxKeys)
		}
	}
	if _, ok := m.vals[StoreKey("k0999")]; !ok {
		t.Error("the newest answer was evicted")
	}
	if _, ok := m.vals[StoreKey("k0000")]; ok {
		t.Error("the oldest answer survived a full store")
	}
}
