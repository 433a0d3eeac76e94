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
