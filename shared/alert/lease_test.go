package alert

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/local/testkit"
	"smsflow/shared/alert/notify"
)

// stallingLog calls stall once, on the first load that follows an append
// once it is armed (a run's reload of its claims): the state log stalled
// between a run's claims and its sends.
type stallingLog struct {
	*MemoryStateLog
	mu       sync.Mutex
	stall    func()
	appended bool
}

func (l *stallingLog) Append(ctx context.Context, records []Record) error {
	l.mu.Lock()
	l.appended = l.stall != nil
	l.mu.Unlock()
	return l.MemoryStateLog.Append(ctx, records)
}

func (l *stallingLog) Load(ctx context.Context) ([]Record, error) {
	l.mu.Lock()
	var stall func()
	if l.appended {
		stall, l.stall, l.appended = l.stall, nil, false
	}
	l.mu.Unlock()
	if stall != nil {
		stall()
	}
	return l.MemoryStateLog.Load(ctx)
}

// A run that reaches its sends after its claim's lease has ended (the
// state log stalled, the queries ran long) must not send: by then another
// run may have taken the notice over and sent it, and the channel would
// hear one firing twice. Here the other run is real: it runs on the same
// state log, by the same wall clock, while the first one stalls.
func TestNoSendOutlivesItsClaimsLease(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	log := &stallingLog{MemoryStateLog: h.log}
	clock := testkit.NewClock(time.Time{})
	evaluator := func() *Evaluator {
		e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: log, Emitter: h.rec, Now: clock.Now,
			Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	run := func(e *Evaluator, at time.Time) Report {
		t.Helper()
		clock.Set(at)
		rep, err := e.Run(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	first, other := evaluator(), evaluator()
	run(first, h.t0) // pending
	claimedAt := h.t0.Add(time.Minute)
	var taken Report
	log.stall = func() { // armed: the next run's reload of its claims stalls
		// The first run has claimed the firing notices and stalls for a
		// whole lease; the next run to look finds the claims unanswered.
		taken = run(other, claimedAt.Add(h.cfg.Settings.DeliveryLease))
	}
	rep := run(first, claimedAt) // fires, claims, stalls, then reaches its sends
	if taken.Sent != 2 {
		t.Fatalf("the run that took the unanswered claims over sent %d notices, want 2 (report %+v)", taken.Sent, taken)
	}
	h.want([]string{"firing"}, []string{"firing"})
	if rep.Sent != 0 || rep.Failed != 2 || rep.DeliveryUnknown != 0 {
		t.Errorf("the stalled run: %+v, want nothing sent and 2 not attempted", rep)
	}
	for _, r := range log.Records() {
		if r.Type == RecordDelivery && r.RunID == rep.RunID && !strings.Contains(r.Error, "delivery lease") {
			t.Errorf("the stalled run's outcome on %s says %q, want the lease named", r.Channel, r.Error)
		}
	}
	// The record of the stalled run does not make a later run send again.
	run(evaluator(), claimedAt.Add(h.cfg.Settings.DeliveryLease+time.Minute))
	h.want([]string{"firing"}, []string{"firing"})
}

// A claim is stamped and expired by the wall clock, not by its run's
// slot: a timer delivery that runs minutes late (FC queued it) claims at
// the time it really runs, so a punctual run of a later slot does not take
// its claims over while it is still sending.
func TestALateRunsClaimIsStampedByTheWallClock(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	clock := testkit.NewClock(time.Time{})
	e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: h.log, Emitter: h.rec, Now: clock.Now,
		Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(h.t0)
	if _, err := e.Run(context.Background(), h.t0); err != nil {
		t.Fatal(err)
	}
	late := h.t0.Add(time.Minute)
	really := late.Add(4 * time.Minute) // the tick of `late`, delivered four minutes late
	clock.Set(really)
	if _, err := e.Run(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	var stamped int
	for _, r := range h.log.Records() {
		if r.Type != RecordTransition || r.State == nil {
			continue
		}
		for ch, n := range r.State.Outbox {
			if n.ClaimID == r.ID {
				stamped++
				if !n.ClaimedAt.Equal(really) {
					t.Errorf("the claim on %s is stamped %s, want the wall clock %s (its slot is %s)", ch, n.ClaimedAt, really, r.Slot)
				}
			}
		}
	}
	if stamped != 2 {
		t.Fatalf("%d claims stamped, want 2", stamped)
	}
}

// A lease that cannot hold one send and its record would leave every
// notice unsent, run after run: such a rule file is refused at start.
func TestALeaseTooShortForOneSendIsRefused(t *testing.T) {
	rules := strings.Replace(testRules, "channels:\n", "settings: {delivery_lease: 12s}\nchannels:\n", 1)
	h := newHarness(t, rules)
	opts := Options{Querier: h.sls, StateLog: h.log, SendTimeout: 10 * time.Second, AppendReserve: time.Second,
		Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}}
	_, err := NewEvaluator(h.cfg, opts)
	if err == nil || !strings.Contains(err.Error(), "delivery_lease 12s") || !strings.Contains(err.Error(), "send timeout (10s)") {
		t.Fatalf("NewEvaluator = %v, want delivery_lease refused, naming the send timeout", err)
	}
	opts.SendTimeout = 6 * time.Second // 6 s + 1 s + LeaseMargin fit in 12 s
	if _, err := NewEvaluator(h.cfg, opts); err != nil {
		t.Fatalf("a lease that holds one send was refused: %v", err)
	}
}
