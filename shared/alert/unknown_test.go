package alert

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/alert/notify"
)

// A notice whose delivery is unknown (here: the receiver takes it but
// answers after the client gave up) may have reached people. It is logged
// as unknown and never sent again for the same firing; it counts as sent,
// so the resolution is announced to that channel too. (issue 10.9)
func TestUnknownDeliveryIsNeverRetried(t *testing.T) {
	var hits atomic.Int32
	var mu sync.Mutex
	var kinds []string
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		var m notify.Message
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		kinds = append(kinds, m.Kind)
		mu.Unlock()
		if m.Kind != "resolved" {
			time.Sleep(300 * time.Millisecond) // past the client's timeout
		}
	}))
	defer slow.Close()
	h := newHarness(t, testRules)
	evaluator := func() *Evaluator {
		e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: h.log, Emitter: h.rec,
			Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL},
				"b": &notify.Webhook{URL: slow.URL, Client: &http.Client{Timeout: 100 * time.Millisecond}}}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	run := func(i int) Report {
		rep, err := evaluator().Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	run(0)
	if rep := run(1); rep.Sent != 1 || rep.DeliveryUnknown != 1 || rep.Failed != 0 {
		t.Fatalf("firing run: %+v; want a sent and an unknown notice", rep)
	}
	run(2)
	run(3)
	if n := hits.Load(); n != 1 {
		t.Fatalf("the unknown notice was sent %d times, want once", n)
	}
	if n := h.rec.count("alert.notification"); n != 2 || h.rec.count("alert.notification rule=failures group= channel=b kind=firing ok=false delivery=unknown") != 1 {
		t.Fatalf("events: %v", h.rec.events)
	}
	h.sls.set(fixed(rateRow(100, 0)), true, nil)
	run(4)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(kinds, ",") != "firing,resolved" {
		t.Fatalf("channel b heard %v; want the firing once, then the resolution", kinds)
	}
}
