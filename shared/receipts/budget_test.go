package receipts

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"smsflow/shared/trace"
)

// blockingSeen never answers a claim before its context ends: Redis
// stalled, not down.
type blockingSeen struct{ Seen }

func (blockingSeen) Claim(ctx context.Context, _ []string, _ time.Duration) ([]bool, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A push is answered within the budget even when SLS does not answer: the
// store gets a deadline inside the budget, and a store that runs out of
// it is answered 500 so Alibaba pushes again.
// conformance: RC-03, RC-09
func TestPushNotStoredWithinTheBudgetIs500(t *testing.T) {
	f := newFixture(t)
	budget := 80 * time.Millisecond
	f.recv.budget = budget
	var storeDeadline time.Time
	var arrived time.Time
	f.recv.rec.Store = func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			t.Error("the store has no deadline")
		}
		storeDeadline = d
		<-ctx.Done() // SLS hangs
		return ctx.Err()
	}
	arrived = time.Now()
	code, a := f.push(t, "/v1/receipts/"+testToken, "["+receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")+"]")
	if code != http.StatusInternalServerError || a.Code != http.StatusInternalServerError {
		t.Errorf("answer %d %+v, want 500: the receipts were not stored in time", code, a)
	}
	if storeDeadline.IsZero() || storeDeadline.After(arrived.Add(budget)) {
		t.Errorf("store deadline %s after arrival, want within the %s budget", storeDeadline.Sub(arrived), budget)
	}
	if !strings.Contains(f.out.text(), "answer budget") {
		t.Errorf("no log line says the budget ran out:\n%s", f.out.text())
	}
}

// A stalled duplicate filter costs a share of the budget, not the answer:
// the receipts are recorded unchecked and the push answered 200.
// conformance: RC-09
func TestStalledDuplicateFilterStillAnswersInTime(t *testing.T) {
	f := newFixture(t)
	f.recv.budget = 90 * time.Millisecond
	f.recv.rec.Seen = blockingSeen{}
	code, a := f.push(t, "/v1/receipts/"+testToken, "["+receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")+"]")
	if code != http.StatusOK || a.Code != 0 {
		t.Fatalf("answer %d %+v, want 200 code 0", code, a)
	}
	if n := len(f.out.events(t, "sms.receipt")); n != 1 {
		t.Errorf("%d sms.receipt events, want the receipt recorded unchecked", n)
	}
	if !strings.Contains(f.out.text(), "recorded unchecked") {
		t.Errorf("no warning that the filter was skipped:\n%s", f.out.text())
	}
}

// A claim is held briefly until its receipts are stored, then kept for the
// retention; a push whose store failed and whose release failed too leaves
// claims that lapse before Alibaba pushes again (1 minute).
// conformance: RC-05, RC-06, RC-09
func TestClaimsLapseBeforeTheRePushWhenReleaseFails(t *testing.T) {
	f := newSeenFixture(t)
	send := trace.NewRoot()
	stored := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	lost := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:05")
	if _, err := f.record(t, stored); err != nil {
		t.Fatal(err)
	}
	if ttl := f.mr.TTL(SeenKeyPrefix + f.id(t, stored)); ttl != SeenRetention {
		t.Errorf("claim of a stored receipt lasts %v, want %v", ttl, SeenRetention)
	}
	inner := f.rec.Store
	f.rec.Store = func(ctx context.Context) error {
		if ttl := f.mr.TTL(SeenKeyPrefix + f.id(t, lost)); ttl <= 0 || ttl > ClaimHold {
			t.Errorf("while storing, the claim lasts %v, want at most %v", ttl, ClaimHold)
		}
		f.mr.SetError("LOADING Redis is loading the dataset in memory") // the release will fail
		return errors.New("SLS unreachable")
	}
	defer func() { f.rec.Store = inner }()
	if _, err := f.record(t, lost); err == nil {
		t.Fatal("a push not stored answered no error")
	}
	f.mr.SetError("")
	if ClaimHold >= time.Minute {
		t.Errorf("ClaimHold %v must be shorter than Alibaba's first re-push (1 minute)", ClaimHold)
	}
	f.mr.FastForward(ClaimHold)
	f.rec.Store = inner
	if n, err := f.record(t, lost); err != nil || n != 1 {
		t.Errorf("Alibaba's re-push after a minute: logged %d, %v; want the receipt recorded", n, err)
	}
}
