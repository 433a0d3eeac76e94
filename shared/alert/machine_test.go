package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// tick is one evaluation in a machine table test.
type tick struct {
	value    float64
	samples  int64 // 0 means 100
	noData   bool
	silenced bool
	failing  []string // channels whose delivery fails this tick
	noResult bool     // the sender dies: no outcome is recorded
	status   Status
	sent     []string // "channel:kind" claimed this tick, sorted
}

func ptr[T any](v T) *T { return &v }

func tableRule() Rule {
	return Rule{Name: "r", Severity: "critical", Kind: KindFailureRate, Window: 5 * time.Minute,
		Threshold: ptr(0.05), Comparison: ">", MinSamples: 20, For: 2, RepeatInterval: 10 * time.Minute,
		Unit: UnitRatio, Channels: []string{"a", "b"}}
}

const bad, good = 0.2, 0.01

func TestStateMachine(t *testing.T) {
	B := func(sent ...string) tick { return tick{value: bad, status: StatusFiring, sent: sent} }
	cases := []struct {
		name  string
		ticks []tick
	}{
		{"fires after `for` breaches and notifies each channel once", []tick{
			{value: bad, status: StatusPending},
			B("a:firing", "b:firing"),
			B(), B(),
		}},
		{"repeats after repeat_interval while firing", append(append([]tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing")},
			slices.Repeat([]tick{B()}, 9)...),
			B("a:repeat", "b:repeat"), B()),
		},
		{"recovery sends exactly one resolved", []tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing"),
			{value: good, status: StatusResolved, sent: []string{"a:resolved", "b:resolved"}},
			{value: good, status: StatusOK},
			{value: good, status: StatusOK},
		}},
		{"flapping below `for` never fires", []tick{
			{value: bad, status: StatusPending}, {value: good, status: StatusOK},
			{value: bad, status: StatusPending}, {value: good, status: StatusOK},
		}},
		{"too few samples never breaches", []tick{
			{value: 1, samples: 1, status: StatusOK},
			{value: 1, samples: 19, status: StatusOK},
			{value: 1, samples: 20, status: StatusPending},
		}},
		{"equal to threshold does not breach >", []tick{
			{value: 0.05, status: StatusOK}, {value: 0.05, status: StatusOK},
		}},
		{"silence mutes, then the firing alert is announced", []tick{
			{value: bad, silenced: true, status: StatusPending},
			{value: bad, silenced: true, status: StatusFiring},
			B("a:firing", "b:firing"),
		}},
		{"an alert silenced all along resolves without a notice", []tick{
			{value: bad, silenced: true, status: StatusPending},
			{value: bad, silenced: true, status: StatusFiring},
			{value: good, status: StatusResolved},
			{value: good, status: StatusOK},
		}},
		{"a failed channel is retried next tick, the other is not re-sent", []tick{
			{value: bad, status: StatusPending},
			{value: bad, failing: []string{"b"}, status: StatusFiring, sent: []string{"a:firing", "b:firing"}},
			{value: bad, failing: []string{"b"}, status: StatusFiring, sent: []string{"b:firing"}},
			B("b:firing"), B(),
		}},
		// Hysteresis (issue 10.10): too few samples or no data says
		// nothing, so a pending or firing alert keeps its state, and
		// traffic around min_samples cannot flap it; a whole window
		// (5 ticks) without evidence resolves it as no data.
		{"no data keeps a firing alert for a window, then resolves it", []tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing"),
			{noData: true, status: StatusFiring}, {noData: true, status: StatusFiring},
			{noData: true, status: StatusFiring}, {noData: true, status: StatusFiring},
			{noData: true, status: StatusFiring},
			{noData: true, status: StatusResolved, sent: []string{"a:resolved", "b:resolved"}},
		}},
		{"samples around min_samples do not flap a firing alert", []tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing"),
			{value: bad, samples: 19, status: StatusFiring}, {value: good, samples: 19, status: StatusFiring},
			{value: bad, samples: 21, status: StatusFiring}, {value: good, samples: 18, status: StatusFiring},
			{value: bad, samples: 20, status: StatusFiring}, {value: 0, samples: 1, status: StatusFiring},
			{value: good, samples: 20, status: StatusResolved, sent: []string{"a:resolved", "b:resolved"}},
			{value: bad, samples: 19, status: StatusOK},
		}},
		{"too few samples keep a pending alert pending", []tick{
			{value: bad, status: StatusPending}, {value: good, samples: 3, status: StatusPending},
			B("a:firing", "b:firing"),
		}},
		{"an undecided run is counted from its start, not from the last decision", []tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing"),
			{value: bad, samples: 5, status: StatusFiring}, {value: bad, samples: 5, status: StatusFiring},
			B(), // evidence again: the undecided run starts over
			{noData: true, status: StatusFiring}, {noData: true, status: StatusFiring},
			{noData: true, status: StatusFiring}, {noData: true, status: StatusFiring},
			{noData: true, status: StatusFiring},
			{noData: true, status: StatusResolved, sent: []string{"a:resolved", "b:resolved"}},
		}},
		{"a claim without outcome is retried after the lease only", []tick{
			{value: bad, status: StatusPending},
			{value: bad, noResult: true, status: StatusFiring, sent: []string{"a:firing", "b:firing"}},
			B(), B(), B(), B(),
			B("a:firing", "b:firing"),
			B(),
		}},
		{"a breach during resolved starts a new episode", []tick{
			{value: bad, status: StatusPending}, B("a:firing", "b:firing"),
			{value: good, failing: []string{"a", "b"}, status: StatusResolved, sent: []string{"a:resolved", "b:resolved"}},
			{value: bad, status: StatusPending},
			B("a:firing", "b:firing"),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runTicks(t, tableRule(), c.ticks)
		})
	}
}

func TestChannelTakenOffTheRuleIsForgotten(t *testing.T) {
	r := tableRule()
	slot := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	owed := State{Status: StatusResolved, FiredAt: slot.Add(-time.Hour), ResolvedAt: slot.Add(-time.Minute),
		Outbox: map[string]Notice{"gone": {Kind: NoticeResolved, ClaimID: "c0", Failed: true}}}
	next, _ := step(owed, stepInput{rule: r, slot: slot, now: slot, obs: &observation{Value: good, Samples: 100},
		channels: r.Channels, lease: time.Minute, claimID: "c1"})
	if len(next.Outbox) != 0 {
		t.Errorf("outbox = %v", next.Outbox)
	}
	next, _ = step(next, stepInput{rule: r, slot: slot.Add(time.Minute), now: slot.Add(time.Minute), obs: &observation{Value: good, Samples: 100},
		channels: r.Channels, lease: time.Minute, claimID: "c2"})
	if next.Status != StatusOK {
		t.Errorf("status = %s, want ok", next.Status)
	}
}

func TestNoDataIsStorable(t *testing.T) {
	r := tableRule()
	slot := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, o := range []*observation{nil, {Value: math.NaN()}} {
		next, _ := step(State{}, stepInput{rule: r, slot: slot, now: slot, obs: o, channels: r.Channels})
		if _, err := json.Marshal(next); err != nil || !next.NoData {
			t.Errorf("obs %v: state %+v: %v", o, next, err)
		}
	}
}

func runTicks(t *testing.T, r Rule, ticks []tick) {
	t.Helper()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var s State
	for i, tk := range ticks {
		slot := t0.Add(time.Duration(i) * time.Minute)
		claim := fmt.Sprintf("claim-%d", i)
		var obs *observation
		if !tk.noData {
			n := tk.samples
			if n == 0 {
				n = 100
			}
			obs = &observation{Value: tk.value, Samples: n}
		}
		next, _ := step(s, stepInput{rule: r, slot: slot, now: slot, obs: obs, silenced: tk.silenced,
			channels: r.Channels, lease: 5 * time.Minute, claimID: claim})
		var sent []string
		outcomes := map[string]Record{}
		for ch, n := range next.Outbox {
			if n.ClaimID != claim {
				continue
			}
			sent = append(sent, ch+":"+string(n.Kind))
			if !tk.noResult {
				outcomes[deliveryID(claim, ch)] = Record{OK: !slices.Contains(tk.failing, ch), At: slot, Attempt: n.Attempts + 1}
			}
		}
		slices.Sort(sent)
		if next.Status != tk.status || !slices.Equal(sent, tk.sent) {
			t.Fatalf("tick %d: status %s sent %v; want %s %v", i, next.Status, sent, tk.status, tk.sent)
		}
		s = applyOutcomes(next, outcomes)
	}
}

func TestSteadyStatesWriteNothing(t *testing.T) {
	r := tableRule()
	slot := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if _, changed := step(State{}, stepInput{rule: r, slot: slot, now: slot, obs: &observation{Value: good, Samples: 100}}); changed {
		t.Error("an ok alert staying ok wrote a record")
	}
	firing := State{Status: StatusFiring, Breaches: 2, FiredAt: slot, LastSent: map[string]time.Time{"a": slot, "b": slot}}
	if _, changed := step(firing, stepInput{rule: r, slot: slot.Add(time.Minute), now: slot.Add(time.Minute), channels: r.Channels,
		obs: &observation{Value: bad, Samples: 100}}); changed {
		t.Error("a firing alert inside its repeat interval wrote a record")
	}
}
