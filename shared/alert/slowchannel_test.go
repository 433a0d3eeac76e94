package alert

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/alert/notify"
)

// twoTemplates fires for two groups at once: two notices per channel.
var twoTemplates = strings.Replace(testRules, "    repeat_interval: 1h\n",
	"    repeat_interval: 1h\n    group_by: [template_code]\n", 1)

func twoFailingTemplates(string) []map[string]string {
	return []map[string]string{rateRow(100, 20, "template_code", "SMS_1"), rateRow(100, 20, "template_code", "SMS_2")}
}

// A channel that hangs must neither hold the others back nor eat the
// function's time: the other channels are served meanwhile, and once one
// notice has used up the send timeout the channel's other notices of the
// run are not attempted. They were never sent, so the next run retries
// them, while the one that timed out after leaving is never re-sent.
func TestHangingChannelDelaysNoOtherAndIsTriedOncePerRun(t *testing.T) {
	h := newHarness(t, twoTemplates)
	h.sls.set(twoFailingTemplates, true, nil)
	var hangs, servedWhileHanging atomic.Int32
	var hanging atomic.Bool
	hanging.Store(true)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hanging.Load() {
			h.a.srv.Config.Handler.ServeHTTP(w, r)
			return
		}
		hangs.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
		// Hang until the sender gives up; note whether the other channel
		// got both of its notices in the meantime.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && r.Context().Err() == nil && len(h.b.messages()) < 2; {
			time.Sleep(5 * time.Millisecond)
		}
		if len(h.b.messages()) == 2 && hangs.Load() == 1 {
			servedWhileHanging.Add(1)
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: h.log, Emitter: h.rec, SendTimeout: 300 * time.Millisecond,
		Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: slow.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	run := func(i int) Report {
		t.Helper()
		rep, err := e.Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	run(0)
	rep := run(1) // fires: two notices per channel
	if got := hangs.Load(); got != 1 {
		t.Errorf("the hanging channel was tried %d times in one run, want 1", got)
	}
	if servedWhileHanging.Load() != 1 {
		t.Error("the healthy channel waited for the hanging one")
	}
	if len(h.b.messages()) != 2 || rep.Sent != 2 || rep.DeliveryUnknown != 1 || rep.Failed != 1 {
		t.Errorf("b got %v; report %+v, want 2 sent, 1 unknown (timed out after leaving), 1 failed (not attempted)", h.b.kinds(), rep)
	}
	hanging.Store(false)
	run(2)
	if got := len(h.a.messages()); got != 1 {
		t.Errorf("after the channel came back it got %d notices, want the 1 never attempted", got)
	}
	run(3)
	if len(h.a.messages()) != 1 || len(h.b.messages()) != 2 {
		t.Errorf("later runs re-sent: a %v, b %v", h.a.kinds(), h.b.kinds())
	}
}

// conformance: FC-18
// A send that cannot finish before the invocation's deadline is not
// started: it would be cut off after leaving, and a notice that may have
// left is never retried, so the alert would have fired without a word.
// Left unsent, it is retried by the next run.
func TestNoSendStartsThatCannotFinishBeforeTheDeadline(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: h.log, Emitter: h.rec, SendTimeout: time.Minute,
		Channels: map[string]notify.Channel{"a": &notify.Webhook{URL: h.a.srv.URL}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background(), h.t0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := e.Run(ctx, h.t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if h.a.hits.Load()+h.b.hits.Load() != 0 || rep.Failed != 2 || rep.DeliveryUnknown != 0 {
		t.Errorf("hits a %d b %d, report %+v: want nothing started, 2 failed to retry", h.a.hits.Load(), h.b.hits.Load(), rep)
	}
	h.run(2)
	h.want([]string{"firing"}, []string{"firing"})
}

type panickingChannel struct{}

func (panickingChannel) Send(context.Context, notify.Message) error { panic("a hostile answer") }

// A channel that panics must not take the process, and the run's other
// notices and outcomes, with it: its notice is an unknown delivery (the
// request may have left) and the other channel is served.
func TestAPanickingChannelEndsAsAnUnknownDelivery(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	e, err := NewEvaluator(h.cfg, Options{Querier: h.sls, StateLog: h.log, Emitter: h.rec,
		Channels: map[string]notify.Channel{"a": panickingChannel{}, "b": &notify.Webhook{URL: h.b.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	for i := range 2 {
		if rep, err = e.Run(context.Background(), h.t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if rep.Sent != 1 || rep.DeliveryUnknown != 1 || len(h.b.messages()) != 1 {
		t.Errorf("report %+v, b got %v", rep, h.b.kinds())
	}
	if h.rec.count("alert.notification") != 2 {
		t.Errorf("events %v", h.rec.events)
	}
}
