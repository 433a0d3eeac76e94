package alert

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/shared/alert/notify"
)

const testRules = `
channels:
  - {name: a, type: webhook, url: http://placeholder}
  - {name: b, type: webhook, url: http://placeholder}
rules:
  - name: failures
    severity: critical
    kind: failure_rate
    window: 5m
    threshold: 0.05
    min_samples: 20
    for: 2
    repeat_interval: 1h
    annotations: {summary: "failure rate ${value}"}
    channels: [a, b]
`

type harness struct {
	t    *testing.T
	sls  *fakeSLS
	log  *MemoryStateLog
	a, b *hook
	rec  *recorder
	cfg  *Config
	t0   time.Time
}

func newHarness(t *testing.T, rules string) *harness {
	cfg, err := Parse([]byte(rules))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, sls: &fakeSLS{complete: true, rows: fixed()}, log: &MemoryStateLog{},
		a: newHook(t), b: newHook(t), rec: &recorder{}, cfg: cfg,
		t0: time.Date(2026, 11, 27, 10, 0, 7, 0, time.UTC)}
}

func (h *harness) evaluator(log StateLog) *Evaluator {
	e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: log, Emitter: h.rec,
		Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

// run evaluates at minute i after t0.
func (h *harness) run(i int) Report {
	h.t.Helper()
	rep, err := h.evaluator(h.log).Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute))
	if err != nil {
		h.t.Fatal(err)
	}
	return rep
}

func (h *harness) want(a, b []string) {
	h.t.Helper()
	if got := h.a.kinds(); !slices.Equal(got, a) {
		h.t.Errorf("channel a got %v, want %v", got, a)
	}
	if got := h.b.kinds(); !slices.Equal(got, b) {
		h.t.Errorf("channel b got %v, want %v", got, b)
	}
}

func TestTwentyPercentFailuresFireRepeatAndResolve(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0)
	h.want(nil, nil)
	h.run(1)
	h.want([]string{"firing"}, []string{"firing"})
	for i := 2; i < 30; i++ { // inside the 1h repeat interval
		h.run(i)
	}
	h.want([]string{"firing"}, []string{"firing"})
	h.sls.set(fixed(rateRow(100, 1)), true, nil)
	h.run(30)
	h.run(31)
	h.run(32)
	h.want([]string{"firing", "resolved"}, []string{"firing", "resolved"})

	m := h.a.messages()
	fired, resolved := m[0], m[1]
	if fired.Value != "20%" || fired.Threshold != "5%" || fired.Window != "5m" || fired.Severity != "critical" ||
		fired.ExampleTraceID == "" || !strings.Contains(fired.Query, "count_if") || fired.Annotations["summary"] != "failure rate 20%" {
		t.Errorf("firing message = %+v", fired)
	}
	if resolved.FiredFor != "29m" {
		t.Errorf("resolved message says it fired for %q, want 29m", resolved.FiredFor)
	}
	// One query per rule per run, over a window that ends index_lag ago.
	if len(h.sls.queries) != 33 {
		t.Errorf("%d queries for 33 runs of one rule", len(h.sls.queries))
	}
	slot := h.t0.Truncate(time.Minute)
	if w := h.sls.windows[0]; !w[1].Equal(slot.Add(-60*time.Second)) || w[1].Sub(w[0]) != 5*time.Minute {
		t.Errorf("window = %v", w)
	}
}

func TestRepeatAfterInterval(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0)
	h.run(1)
	h.run(60)
	h.run(61)
	h.want([]string{"firing", "repeat"}, []string{"firing", "repeat"})
}

func TestGroupByFiresForOneTemplateOnly(t *testing.T) {
	h := newHarness(t, strings.Replace(testRules, "    channels: [a, b]", "    group_by: [template_code]\n    channels: [a, b]", 1))
	h.sls.set(fixed(
		rateRow(100, 20, "template_code", "SMS_BAD"),
		rateRow(100, 0, "template_code", "SMS_OK"),
	), true, nil)
	h.run(0)
	h.run(1)
	h.run(2)
	h.want([]string{"firing template_code=SMS_BAD"}, []string{"firing template_code=SMS_BAD"})
	if !strings.Contains(h.sls.queries[0], `GROUP BY "template_code"`) {
		t.Errorf("query does not group: %s", h.sls.queries[0])
	}
	// The bad template stops sending: its group has no row. Nothing says
	// it recovered, so it stays firing for a window (5m), then resolves
	// as no data.
	h.sls.set(fixed(rateRow(100, 0, "template_code", "SMS_OK")), true, nil)
	for i := 3; i < 8; i++ {
		h.run(i)
	}
	h.want([]string{"firing template_code=SMS_BAD"}, []string{"firing template_code=SMS_BAD"})
	h.run(8)
	h.want([]string{"firing template_code=SMS_BAD", "resolved template_code=SMS_BAD"},
		[]string{"firing template_code=SMS_BAD", "resolved template_code=SMS_BAD"})
}

func TestChannelDownIsRetriedWithoutResendingTheOther(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.b.down.Store(true)
	h.run(0)
	rep := h.run(1)
	if rep.Sent != 1 || rep.Failed != 1 {
		t.Errorf("report = %+v", rep)
	}
	h.want([]string{"firing"}, nil)
	h.run(2) // b still down: retried, fails again
	if hits := h.b.hits.Load(); hits != 2 {
		t.Errorf("b was tried %d times, want 2", hits)
	}
	h.b.down.Store(false)
	h.run(3)
	h.run(4)
	h.want([]string{"firing"}, []string{"firing"})
	if h.rec.count("alert.notification") != 4 {
		t.Errorf("events: %v", h.rec.events)
	}
	// The state survived the failures: recovery still resolves both.
	h.sls.set(fixed(rateRow(100, 0)), true, nil)
	h.run(5)
	h.want([]string{"firing", "resolved"}, []string{"firing", "resolved"})
}

func TestIncompleteOrFailedQueryIsUnknown(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0) // pending
	h.sls.set(fixed(rateRow(3, 0)), false, nil)
	rep := h.run(1)
	if rep.Unknown != 1 || rep.Evaluated != 0 {
		t.Errorf("incomplete result: report = %+v", rep)
	}
	h.sls.set(nil, true, errBoom)
	h.run(2)
	h.sls.set(fixed(map[string]string{"samples": "100", "failed": "20"}), true, nil) // no value column
	h.run(3)
	h.want(nil, nil)
	if n := h.rec.count("alert.error"); n != 3 {
		t.Errorf("%d alert.error events, want 3: %v", n, h.rec.events)
	}
	// Unknown neither reset nor advanced the pending count: the next
	// breach is the second one and fires.
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(4)
	h.want([]string{"firing"}, []string{"firing"})
}

func TestOverlappingEvaluatorsNotifyOnce(t *testing.T) {
	for _, slots := range [][2]int{{1, 1}, {1, 2}} { // duplicated tick, and two ticks overlapping
		h := newHarness(t, testRules)
		h.sls.set(fixed(rateRow(100, 20)), true, nil)
		h.run(0) // pending: the next evaluation fires

		gate := &gatedLog{MemoryStateLog: h.log}
		gate.arrived.Add(2)
		var wg sync.WaitGroup
		reports := make([]Report, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := h.evaluator(gate).Run(context.Background(), h.t0.Add(time.Duration(slots[i])*time.Minute))
				if err != nil {
					t.Error(err)
				}
				reports[i] = rep
			}()
		}
		wg.Wait()
		h.want([]string{"firing"}, []string{"firing"})
		if reports[0].Lost+reports[1].Lost != 1 || reports[0].Sent+reports[1].Sent != 2 {
			t.Errorf("slots %v: reports %+v", slots, reports)
		}
		// And later runs agree on the state: nothing more is sent.
		h.run(3)
		h.run(4)
		h.want([]string{"firing"}, []string{"firing"})
	}
}

// gatedLog holds each run's first Load until both runs have loaded, so
// they start from the same head and race on the append.
type gatedLog struct {
	*MemoryStateLog
	arrived sync.WaitGroup
	mu      sync.Mutex
	first   map[context.Context]bool
	loads   int
}

func (g *gatedLog) Load(ctx context.Context) ([]Record, error) {
	recs, err := g.MemoryStateLog.Load(ctx)
	g.mu.Lock()
	g.loads++
	initial := g.loads <= 2
	g.mu.Unlock()
	if initial {
		g.arrived.Done()
		g.arrived.Wait()
	}
	return recs, err
}

func TestStateLogFailureSendsNothing(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0)
	e := h.evaluator(failingLog{h.log})
	if _, err := e.Run(context.Background(), h.t0.Add(time.Minute)); err == nil {
		t.Fatal("append failure not reported")
	}
	h.want(nil, nil)
	h.run(2)
	h.want([]string{"firing"}, []string{"firing"})
}

type failingLog struct{ *MemoryStateLog }

func (failingLog) Append(context.Context, []Record) error { return errBoom }

// Whether SLS answers an aggregate over no logs with one row of zeros or
// with no row at all, no_traffic must fire: silence is exactly what it
// watches for (the local emulator answers a row; do not rely on it).
func TestNoTrafficFiresWhenSLSReturnsNoRow(t *testing.T) {
	rules := strings.Replace(testRules, "    kind: failure_rate\n    window: 5m\n    threshold: 0.05\n    min_samples: 20\n",
		"    kind: no_traffic\n    window: 30m\n    threshold: 1\n", 1)
	for name, rows := range map[string]func(string) []map[string]string{
		"a row of zeros": fixed(map[string]string{"samples": "0", "value": "0"}),
		"no row":         fixed(),
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, rules)
			h.sls.set(rows, true, nil)
			h.run(0)
			h.run(1)
			h.want([]string{"firing"}, []string{"firing"})
		})
	}
}

// A ratio rule without min_samples used to decide on an empty window: SLS's
// 0/greatest(0, 1) = 0 read as a delivery rate of 0 % paged whenever
// receipts paused, and as a failure rate of 0 % resolved a firing alert
// at the first lull. No sample is no data: it neither fires nor resolves
// (a firing alert clears as no data only after a whole window of it).
func TestARatioRuleOnAnEmptyWindowNeitherFiresNorResolves(t *testing.T) {
	empty := fixed(map[string]string{"samples": "0", "value": "0.0"})
	delivery := strings.Replace(testRules, "    kind: failure_rate\n    window: 5m\n    threshold: 0.05\n    min_samples: 20\n",
		"    kind: delivery_rate\n    window: 15m\n    threshold: 0.9\n", 1)
	h := newHarness(t, delivery)
	h.sls.set(empty, true, nil)
	h.run(0)
	h.run(1)
	h.want(nil, nil)

	failures := strings.Replace(testRules, "    min_samples: 20\n", "", 1)
	h = newHarness(t, failures)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0)
	h.run(1)
	h.want([]string{"firing"}, []string{"firing"})
	h.sls.set(empty, true, nil)
	for i := 2; i < 6; i++ { // the 5m window is not over yet
		h.run(i)
	}
	h.want([]string{"firing"}, []string{"firing"})
	h.run(7)
	h.want([]string{"firing", "resolved"}, []string{"firing", "resolved"})
	if m := h.a.messages()[1]; !strings.Contains(m.Text, "no data") {
		t.Errorf("resolved after a window without a sample, yet the message says: %+v", m)
	}
}
