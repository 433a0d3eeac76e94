package idem

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The store remembers the record it last wrote to skip decoding it again
// (lastWritten); a record another writer replaced in between must be read
// as it is now, never as remembered.
func TestARecordChangedByAnotherWriterIsReadAsItIsNow(t *testing.T) {
	ctx := context.Background()
	s := NewMemory(time.Hour, time.Minute)
	c, err := s.Claim(ctx, "k", "fp", "trace")
	if err != nil || c.Status != Claimed {
		t.Fatalf("claim: %+v %v", c, err)
	}
	raw, _, _ := s.b.get(ctx, "k")
	other, _ := decodeRecord(raw)
	other.Token = "another-request"
	if ok, err := s.b.swap(ctx, "k", raw, other.encode(), time.Hour); !ok || err != nil {
		t.Fatalf("the other writer's swap: %v %v", ok, err)
	}
	if err := s.Begin(ctx, "k", c.Token); err == nil || !strings.Contains(err.Error(), "another request") {
		t.Fatalf("Begin after another writer took the key: %v, want it refused", err)
	}
}

func TestTheRememberedRecordIsACopy(t *testing.T) {
	ctx := context.Background()
	s := NewMemory(time.Hour, time.Minute)
	c, _ := s.Claim(ctx, "k", "fp", "trace")
	if err := s.Complete(ctx, "k", c.Token, Result{Status: "accepted", Body: []byte("answer")}); err != nil {
		t.Fatal(err)
	}
	raw, _, _ := s.b.get(ctx, "k")
	first, _ := s.written.decode("k", raw)
	first.Result.Body[0] = 'X'
	second, _ := s.written.decode("k", raw)
	if string(second.Result.Body) != "answer" {
		t.Fatalf("a change to one decoded copy showed in the next: %q", second.Result.Body)
	}
}
