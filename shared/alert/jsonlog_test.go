package alert

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// jsonLog stores records as JSON text, as the SLS-backed StateLog will:
// the protocol must survive the round trip (times, maps, omitted zeros).
type jsonLog struct {
	mu    sync.Mutex
	lines [][]byte
}

func (j *jsonLog) Load(context.Context) ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Record, len(j.lines))
	for i, l := range j.lines {
		if err := json.Unmarshal(l, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (j *jsonLog) Append(_ context.Context, recs []Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		j.lines = append(j.lines, b)
	}
	return nil
}

func TestProtocolSurvivesJSONStorage(t *testing.T) {
	h := newHarness(t, testRules)
	log := &jsonLog{}
	run := func(i int) {
		t.Helper()
		if _, err := h.evaluator(log).Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.b.down.Store(true)
	for i := range 5 {
		run(i)
	}
	h.b.down.Store(false)
	run(5) // b finally delivered
	before := len(log.lines)
	for i := 6; i < 10; i++ {
		run(i)
	}
	if len(log.lines) != before {
		t.Errorf("steady firing runs wrote %d records; they should write none", len(log.lines)-before)
	}
	h.sls.set(fixed(rateRow(100, 0)), true, nil)
	for i := 10; i < 14; i++ {
		run(i)
	}
	h.want([]string{"firing", "resolved"}, []string{"firing", "resolved"})
	recs, _ := log.Load(context.Background())
	if s := Fold(recs).States[Key{Rule: "failures"}]; s.Status != StatusOK {
		t.Errorf("final state %+v", s)
	}
}

// A hand-written query can answer Infinity (a division by zero in double
// SQL). Stored in a state record it cannot be JSON: the append would fail
// and with it the whole run, every other rule's notices included. Such a
// row makes its own rule unknown and no other.
func TestANonFiniteValueBlocksNoOtherRule(t *testing.T) {
	rules := testRules + `
  - name: odd
    severity: info
    query: '* | SELECT 1 AS value'
    window: 5m
    threshold: 1
    comparison: ">"
    channels: [a]
`
	h := newHarness(t, rules)
	log := &jsonLog{}
	h.sls.set(func(q string) []map[string]string {
		if q == "* | SELECT 1 AS value" {
			return []map[string]string{{"value": "Infinity", "samples": "5"}}
		}
		return []map[string]string{rateRow(100, 20)}
	}, true, nil)
	var rep Report
	for i := range 2 {
		var err error
		if rep, err = h.evaluator(log).Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	h.want([]string{"firing"}, []string{"firing"})
	if rep.Unknown != 1 {
		t.Errorf("report %+v: the odd rule should be unknown", rep)
	}
}
