package receipts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"smsflow/local/testkit"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/trace"
)

// countingSeen counts the calls that reach the store.
type countingSeen struct {
	Seen
	claims int
}

func (c *countingSeen) Claim(ctx context.Context, ids []string, hold time.Duration) ([]bool, error) {
	c.claims++
	return c.Seen.Claim(ctx, ids, hold)
}

type seenFixture struct {
	out     *lockedBuffer
	rec     *Recorder
	mr      *miniredis.Miniredis
	seen    *countingSeen
	failing bool
}

// newSeenFixture is a Recorder with a Redis duplicate filter on miniredis,
// built by the same wiring as the function (OpenSeen, idem.NewRedisClient).
// A failing store drops the push's events, as SLS refusing them would.
func newSeenFixture(t *testing.T) *seenFixture {
	f := &seenFixture{out: &lockedBuffer{}, mr: miniredis.RunT(t)}
	shipper := obs.NewShipper(config.Logs{}, "receipts", creds.NewSource(false), f.out)
	seen := OpenSeen(config.Redis{RedisAddr: f.mr.Addr(), RedisTimeout: 200 * time.Millisecond})
	if seen == nil {
		t.Fatal("OpenSeen with an address answered nil")
	}
	f.seen = &countingSeen{Seen: seen}
	f.rec = &Recorder{Logger: obs.NewLogger(shipper), Hasher: phone.NewHasher([]byte("k")), Seen: f.seen,
		Store: func(ctx context.Context) error {
			if f.failing {
				return errors.New("SLS unreachable")
			}
			return shipper.FlushOrFail(ctx)
		}}
	return f
}

// record records one push, as the HTTP handler does (one batch per push).
func (f *seenFixture) record(t *testing.T, receipts ...string) (int, error) {
	t.Helper()
	reports, err := ParsePush([]byte("[" + strings.Join(receipts, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := obs.NewBatch(context.Background())
	// A failed store's batch is never shipped: its events are lost, as
	// when SLS refuses them.
	return f.rec.Record(ctx, SourceHTTP, reports)
}

// receiptsByID counts the sms.receipt events that reached the output.
func (f *seenFixture) receiptsByID(t *testing.T) map[string]int {
	ids := map[string]int{}
	for _, e := range f.out.events(t, obs.EventReceipt) {
		ids[e[obs.KeyReceiptID]]++
	}
	return ids
}

func (f *seenFixture) id(t *testing.T, receipt string) string {
	reports, err := ParsePush([]byte("[" + receipt + "]"))
	if err != nil {
		t.Fatal(err)
	}
	return f.rec.ReceiptID(reports[0])
}

// conformance: RC-06
func TestSeenRecordsARepeatAcrossPushesOnce(t *testing.T) {
	f := newSeenFixture(t)
	send := trace.NewRoot()
	one := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	part2 := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:05")
	part3 := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:06")
	for i, push := range [][]string{{one, one, part2}, {one}, {part3, one}} {
		if _, err := f.record(t, push...); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	ids := f.receiptsByID(t)
	if len(ids) != 3 || ids[f.id(t, one)] != 1 || ids[f.id(t, part2)] != 1 || ids[f.id(t, part3)] != 1 {
		t.Fatalf("sms.receipt events per id %v, want each of the 3 receipts once", ids)
	}
	var skipped []string
	for _, e := range f.out.events(t, "log") {
		if strings.Contains(e["message"], "already recorded") {
			skipped = append(skipped, e["message"])
		}
	}
	if len(skipped) != 2 || !strings.HasPrefix(skipped[0], "1 receipt(s)") || !strings.HasPrefix(skipped[1], "1 receipt(s)") {
		t.Errorf("diagnostics for skipped repeats %q, want one per push that had a repeat, with the count", skipped)
	}
	if ttl := f.mr.TTL(SeenKeyPrefix + f.id(t, one)); ttl != SeenRetention {
		t.Errorf("claim TTL %v, want %v", ttl, SeenRetention)
	}
	if strings.Contains(f.out.text(), "13800138000") {
		t.Error("a full phone number reached the logs")
	}
}

func TestSeenReleasesTheClaimsOfAPushNotStored(t *testing.T) {
	f := newSeenFixture(t)
	send := trace.NewRoot()
	old := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	fresh := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:05")
	if _, err := f.record(t, old); err != nil {
		t.Fatal(err)
	}
	f.failing = true
	if _, err := f.record(t, old, fresh); err == nil {
		t.Fatal("a push not stored answered no error")
	}
	// Only this push's own claim is released: old was recorded before.
	if f.mr.Exists(SeenKeyPrefix + f.id(t, fresh)) {
		t.Error("the claim of a receipt that was not stored is still held")
	}
	if !f.mr.Exists(SeenKeyPrefix + f.id(t, old)) {
		t.Error("the failed push released the claim of a receipt an earlier push recorded")
	}
	f.failing = false
	n, err := f.record(t, old, fresh) // Alibaba pushes again
	if err != nil || n != 1 {
		t.Fatalf("re-push: logged %d, %v; want the released receipt logged", n, err)
	}
	ids := f.receiptsByID(t)
	if len(ids) != 2 || ids[f.id(t, old)] != 1 || ids[f.id(t, fresh)] != 1 {
		t.Fatalf("sms.receipt events per id %v, want both receipts once", ids)
	}
	if n, _ := f.record(t, fresh); n != 0 {
		t.Errorf("a later repeat logged %d events, want 0", n)
	}
}

func TestSeenDownStillRecords(t *testing.T) {
	f := newSeenFixture(t)
	send := trace.NewRoot()
	one := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	part2 := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:05")
	f.mr.Close()
	for i := 0; i < 2; i++ {
		start := time.Now()
		n, err := f.record(t, one, part2)
		if err != nil || n != 2 {
			t.Fatalf("push %d with Redis down: logged %d, %v; want both recorded", i, n, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("push %d took %v with Redis down", i, d)
		}
	}
	// Recorded unchecked, so counted once at query time: one id per receipt.
	ids := f.receiptsByID(t)
	if len(ids) != 2 || ids[f.id(t, one)] != 2 || ids[f.id(t, part2)] != 2 {
		t.Fatalf("sms.receipt events per id %v, want each receipt once per push", ids)
	}
	// One call per push, not one per receipt.
	if f.seen.claims != 2 {
		t.Errorf("%d claim calls reached the store, want 1 per push", f.seen.claims)
	}
	warned := 0
	for _, e := range f.out.events(t, "log") {
		if e[obs.KeyLevel] == "WARN" && strings.Contains(e["message"], "2 receipt(s) recorded unchecked") {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("%d warnings, want one per push:\n%s", warned, f.out.text())
	}
}

func TestOpenSeenWithoutAnAddress(t *testing.T) {
	if s := OpenSeen(config.Redis{}); s != nil {
		t.Fatalf("no SMSFLOW_REDIS_ADDR: %T, want nil (repeats counted at query time)", s)
	}
}

// A stalled store ends each Seen call at its caller's deadline (a share of
// the 700 ms answer budget), not at go-redis's own read timeout: the
// client OpenSeen makes has ContextTimeoutEnabled.
func TestStalledSeenEndsAtTheCallersDeadline(t *testing.T) {
	s := OpenSeen(config.Redis{RedisAddr: testkit.SilentAddr(t), RedisTimeout: time.Minute})
	calls := map[string]func(context.Context) error{
		"Claim":  func(ctx context.Context) error { _, err := s.Claim(ctx, []string{"r1"}, ClaimHold); return err },
		"Keep":   func(ctx context.Context) error { return s.Keep(ctx, []string{"r1"}) },
		"Forget": func(ctx context.Context) error { return s.Forget(ctx, []string{"r1"}) },
	}
	for name, call := range calls {
		ended, err := testkit.CallWithDeadline(50*time.Millisecond, call)
		switch {
		case !ended:
			t.Errorf("%s on a stalled store outlived its caller's deadline", name)
		case err == nil:
			t.Errorf("%s on a stalled store succeeded", name)
		}
	}
}
