// Package alert_test drives the alert function end to end through the
// local stack. It lives apart from local/stack so that other parts' tests
// and this one build and fail independently.
package alert_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/dysms"
	"smsflow/local/fcrt"
	"smsflow/local/sink"
	localsls "smsflow/local/sls"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/alert"
	"smsflow/shared/alert/alertfn"
	"smsflow/shared/slsclient"
)

// alertTestRules give each scenario its own rule, seeing only its own
// sends (by out_id prefix), with windows of seconds: the tests choose the
// evaluation slots through the timer event's triggerTime.
const alertTestRules = `
settings: {interval: 1s, index_lag: 1s}
channels:
  - {name: webhook, type: webhook, url_env: SMSFLOW_ALERT_WEBHOOK_URL, secret_env: SMSFLOW_ALERT_WEBHOOK_SECRET}
  - {name: dingtalk, type: dingtalk, url_env: SMSFLOW_ALERT_DINGTALK_URL, secret_env: SMSFLOW_ALERT_DINGTALK_SECRET}
  - {name: wecom, type: wecom, url_env: SMSFLOW_ALERT_WECOM_URL}
  - {name: lark, type: lark, url_env: SMSFLOW_ALERT_LARK_URL, secret_env: SMSFLOW_ALERT_LARK_SECRET}
  - name: oncall-sms
    type: sms
    sign_name: smsflow
    template_code: SMS_LOCAL_NOTICE
    phones_env: SMSFLOW_ALERT_ONCALL_PHONES
    params: {name: "${rule}", status: "${status}"}
  - {name: down, type: webhook, url: "http://127.0.0.1:9/down"}
  - {name: hang, type: webhook, url_env: SMSFLOW_E2E_HANG_URL}
rules:
  - {name: e2e_fire, severity: critical, kind: failure_rate, filter: "out_id: sfire*", window: 8s, threshold: 0.05,
     min_samples: 20, for: 2, repeat_interval: 1h, channels: [webhook, dingtalk, wecom, lark, oncall-sms]}
  - {name: e2e_group, severity: warning, kind: failure_rate, filter: "out_id: sgroup*", group_by: [template_code],
     window: 30s, threshold: 0.05, min_samples: 10, channels: [webhook]}
  - {name: e2e_min, severity: warning, kind: failure_rate, filter: "out_id: smin*", window: 30s, threshold: 0.05,
     min_samples: 20, channels: [webhook]}
  - {name: e2e_unknown, severity: warning, kind: failure_rate, filter: "out_id: sunk*", window: 30s, threshold: 0.05,
     channels: [webhook]}
  - {name: e2e_down, severity: warning, kind: failure_rate, filter: "out_id: sdown*", window: 30s, threshold: 0.05,
     channels: [webhook, down]}
  - {name: e2e_race, severity: warning, kind: failure_rate, filter: "out_id: srace*", window: 30s, threshold: 0.05,
     channels: [webhook]}
  - {name: e2e_race2, severity: warning, kind: failure_rate, filter: "out_id: srace*", window: 30s, threshold: 0.05,
     channels: [webhook]}
  - {name: e2e_state, severity: warning, kind: failure_rate, filter: "out_id: sstate*", window: 30s, threshold: 0.05,
     channels: [webhook]}
  - {name: e2e_replay, severity: warning, kind: failure_rate, filter: "out_id: sreplay*", window: 30s, threshold: 0.05,
     min_samples: 5, channels: [webhook]}
  - {name: e2e_hyst, severity: warning, kind: failure_rate, filter: "out_id: shyst*", window: 10s, threshold: 0.05,
     min_samples: 10, channels: [webhook]}
  - {name: e2e_hang, severity: warning, kind: failure_rate, filter: "out_id: shang*", group_by: [template_code],
     window: 30s, threshold: 0.05, channels: [webhook, hang]}
  - {name: timer_probe, severity: info, kind: no_traffic, filter: "out_id: never-sent", window: 10s, threshold: 1,
     channels: [webhook]}
`

// slsFault makes the SLS the alert function sees answer GetLogs
// Incomplete, or fail, or refuse every state log call, while armed.
type slsFault struct{ mode atomic.Value } // "", "incomplete", "fail", "state"

func (f *slsFault) set(m string) { f.mode.Store(m) }

func (f *slsFault) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode, _ := f.mode.Load().(string)
		if mode == "state" && strings.HasPrefix(r.URL.Path, "/logstores/"+stack.LocalStateLogstore) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"errorCode":"Unauthorized","errorMessage":"injected: denied by policy"}`)
			return
		}
		if mode == "" || mode == "state" || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/logs") {
			next.ServeHTTP(w, r)
			return
		}
		if mode == "fail" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"errorCode":"ParameterInvalid","errorMessage":"injected query failure"}`)
			return
		}
		localsls.Incomplete(next).ServeHTTP(w, r)
	})
}

type alertEnv struct {
	s      *stack.Stack
	fault  *slsFault
	bin    string
	phones atomic.Int64
	hang   *hangReceiver
}

// hangReceiver takes a notice and never answers: a hostile or wedged
// endpoint. It notes whether the healthy channel had both of its notices
// while the first request hung.
type hangReceiver struct {
	srv             *httptest.Server
	hits            atomic.Int32
	servedMeanwhile atomic.Bool
	healthy         func() int // the webhook notices of the hang rule so far
}

func newHangReceiver() *hangReceiver {
	h := &hangReceiver{healthy: func() int { return 0 }}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := h.hits.Add(1) == 1
		_, _ = io.Copy(io.Discard, r.Body) // then the server sees the client leave
		for r.Context().Err() == nil && h.healthy() < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		if first && h.healthy() == 2 {
			h.servedMeanwhile.Store(true)
		}
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	return h
}

// TestAlertEndToEnd drives the alert function of one local stack through
// every scenario of issue 4. Each scenario has its own rule and traffic;
// the function is invoked with timer events whose triggerTime picks the
// evaluation slot, so nothing waits for the clock (except the timer check).
func TestAlertEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the functions")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fault := &slsFault{}
	hang := newHangReceiver()
	defer hang.srv.Close()
	binDir := t.TempDir()
	s, err := stack.Start(ctx, stack.Options{
		BinDir: binDir, FunctionOutput: io.Discard,
		// Freeze idle instances as FC 3.0 does: the events of a run must be
		// shipped before it answers, or the SLS checks below miss them.
		AutoFreeze: true,
		// One Alibaba call per message, so N injected faults are N failed sends.
		SendEnv: map[string]string{"SMSFLOW_DYSMS_MAX_ATTEMPTS": "1"},
		Alert: stack.AlertOptions{
			RulesYAML: alertTestRules, Interval: time.Second, TimerPayload: `{"rules":["timer_probe"]}`,
			SLSFilter: fault.wrap, Env: map[string]string{"SMSFLOW_E2E_HANG_URL": hang.srv.URL},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env := &alertEnv{s: s, fault: fault, bin: filepath.Join(binDir, "alert", "main"), hang: hang}
	hang.healthy = func() int { return len(env.notes("e2e_hang", "webhook")) }
	t.Run("fires after for, once per channel, repeats nothing, resolves once", env.fireAndResolve)
	t.Run("grouping fires for one template only", env.grouping)
	t.Run("minimum samples", env.minSamples)
	t.Run("replays of one stored answer are no sends", env.replays)
	t.Run("no evidence keeps a firing alert for a window", env.hysteresis)
	t.Run("incomplete or failing query", env.unknown)
	t.Run("a channel down while another is up", env.channelDown)
	t.Run("a hanging channel holds no other back and is tried once a run", env.hangingChannel)
	t.Run("state log down: the run fails and sends nothing", env.stateDown)
	t.Run("overlapping runs notify once", env.overlapping)
	t.Run("the timer fires", env.timerFires)
	t.Run("a bad payload is refused", env.badPayload)
	t.Run("a malformed rule file is refused", env.malformedRules)
}

func (e *alertEnv) fireAndResolve(t *testing.T) {
	const rule = "e2e_fire"
	// 20 % injected failures: 5 of 25 sends meet isp.SYSTEM_ERROR.
	e.inject(t, dysms.FaultSystemError, 5)
	failed := e.sendN(t, "sfire", 25, "SMS_LOCAL_NOTICE")
	failuresEnd := time.Now()
	if len(failed) != 5 {
		t.Fatalf("%d of 25 sends failed, want 5", len(failed))
	}
	t1 := nextSecond(2 * time.Second)

	r := e.invoke(t, t1, rule)
	if r.Transitions != 1 || r.Sent != 0 || e.total(rule) != 0 {
		t.Fatalf("first breach must only be pending (for: 2): %+v, %d notifications", r, e.total(rule))
	}
	r = e.invoke(t, t1.Add(time.Second), rule)
	if r.Sent != 5 || r.Failed != 0 {
		t.Fatalf("second breach must fire on all 5 channels: %+v", r)
	}
	e.wantPerChannel(t, rule, "FIRING", map[string]int{"webhook": 1, "dingtalk": 1, "wecom": 1, "lark": 1})
	if n := e.oncallTexts(rule, "firing"); n != 1 {
		t.Fatalf("on-call SMS for firing: %d, want 1", n)
	}
	webhook := e.notes(rule, "webhook")[0]
	if !strings.Contains(webhook.Text, "20% > threshold 5%") || !strings.Contains(webhook.Text, "25 samples") {
		t.Fatalf("message does not show the value against the threshold: %q", webhook.Text)
	}
	for _, ch := range []string{"webhook", "dingtalk", "lark"} {
		if n := e.notes(rule, ch)[0]; !n.Signed {
			t.Errorf("%s notification was not signed", ch)
		}
	}
	// How to look: the example is one of the failed sends.
	if ex := exampleTrace(webhook.Text); ex == "" || !slices.Contains(failed, ex) {
		t.Fatalf("example trace %q is not one of the failed sends %v", ex, failed)
	}

	r = e.invoke(t, t1.Add(2*time.Second), rule)
	if r.Sent != 0 || e.total(rule) != 4 || e.oncallTexts(rule, "") != 1 {
		t.Fatalf("a run inside the repeat interval sent something: %+v", r)
	}

	// Clear the faults; once the window (8 s, ending index_lag 1 s before
	// the slot) has moved past the failures, new traffic is all good. It
	// must be in the window: a window without enough samples is no
	// evidence of recovery and keeps the alert firing (hysteresis).
	e.s.Dysms.ClearFaults()
	time.Sleep(time.Until(failuresEnd.Add(9 * time.Second)))
	e.sendN(t, "sfire", 25, "SMS_LOCAL_NOTICE")
	t4 := nextSecond(time.Second)
	r = e.invoke(t, t4, rule)
	if r.Sent != 5 {
		t.Fatalf("resolution must notify the 5 channels that got the firing: %+v", r)
	}
	e.wantPerChannel(t, rule, "RESOLVED", map[string]int{"webhook": 1, "dingtalk": 1, "wecom": 1, "lark": 1})
	if resolved := e.notes(rule, "webhook")[1]; !strings.Contains(resolved.Text, "after firing for") {
		t.Fatalf("a resolved message says how long it fired: %q", resolved.Text)
	}
	if n := e.oncallTexts(rule, "resolved"); n != 1 {
		t.Fatalf("on-call SMS for resolved: %d, want 1", n)
	}
	r = e.invoke(t, t4.Add(time.Second), rule)
	if r.Sent != 0 || e.total(rule) != 8 {
		t.Fatalf("after resolution nothing more is sent: %+v, %d notifications", r, e.total(rule))
	}
	e.wantEvent(t, alert.EventTransition, rule, "to", "firing")
	e.wantEvent(t, alert.EventTransition, rule, "to", "resolved")
}

func (e *alertEnv) grouping(t *testing.T) {
	const rule = "e2e_group"
	e.inject(t, dysms.FaultSystemError, 3)
	e.sendN(t, "sgroup", 12, "SMS_LOCAL_NOTICE") // 25 % failed
	e.sendN(t, "sgroup", 12, "SMS_LOCAL_OTP")    // all good
	r := e.invoke(t, nextSecond(2*time.Second), rule)
	if r.Sent != 1 {
		t.Fatalf("report %+v", r)
	}
	notes := e.notes(rule, "webhook")
	if len(notes) != 1 || !strings.Contains(notes[0].Title, "template_code=SMS_LOCAL_NOTICE") {
		t.Fatalf("want one alert for SMS_LOCAL_NOTICE, got %v", titles(notes))
	}
}

func (e *alertEnv) minSamples(t *testing.T) {
	const rule = "e2e_min"
	e.inject(t, dysms.FaultSystemError, 2)
	e.sendN(t, "smin", 5, "SMS_LOCAL_NOTICE") // 40 % failed, but 5 < 20 samples
	e.expectSilent(t, rule, 3, "below min_samples")
}

// expectSilent runs rule on runs consecutive slots and wants no transition
// and no notification from any of them.
func (e *alertEnv) expectSilent(t *testing.T, rule string, runs int, why string) {
	t.Helper()
	t1 := nextSecond(2 * time.Second)
	for i := range runs {
		if r := e.invoke(t, t1.Add(time.Duration(i)*time.Second), rule); r.Transitions != 0 || r.Sent != 0 {
			t.Fatalf("%s: %+v", why, r)
		}
	}
	if n := e.total(rule); n != 0 {
		t.Fatalf("%s: %d notifications", why, n)
	}
}

// One send of unknown outcome, then its answer replayed ten times: one
// Alibaba call, so one sample, below min_samples, never a 100 % failure
// rate over eleven. (issue 10.10)
func (e *alertEnv) replays(t *testing.T) {
	const rule = "e2e_replay"
	e.inject(t, dysms.FaultResetAfterAccept, 1)
	body, _ := json.Marshal(map[string]any{
		"phone_numbers": []string{fmt.Sprintf("139%08d", e.phones.Add(1))}, "sign_name": "smsflow",
		"template_code": "SMS_LOCAL_NOTICE", "template_params": map[string]string{"name": "e2e", "status": "ok"}, "out_id": "sreplay-1",
	})
	for i := range 11 {
		a := testkit.PostMessage(t, e.s.GatewayURL, stack.LocalToken, "application/json", string(body), "Idempotency-Key", "sreplay-key")
		if a.Status != http.StatusGatewayTimeout || (i > 0) != (a.Header.Get("Idempotent-Replayed") == "true") {
			t.Fatalf("request %d: HTTP %d, headers %v; want the unknown answer, replayed after the first", i, a.Status, a.Header)
		}
	}
	e.expectSilent(t, rule, 2, "replays counted as sends")
}

// A firing alert whose window then holds too few samples (here none)
// stays firing: no evidence is no recovery, and traffic around min_samples
// cannot flap it. A whole window without evidence resolves it. The slots
// are chosen through the timer's triggerTime. (issue 10.10)
func (e *alertEnv) hysteresis(t *testing.T) {
	const rule = "e2e_hyst"
	e.inject(t, dysms.FaultSystemError, 3)
	e.sendN(t, "shyst", 12, "SMS_LOCAL_NOTICE") // 25 % failed, 12 >= 10 samples
	t1 := nextSecond(2 * time.Second)
	if r := e.invoke(t, t1, rule); r.Sent != 1 {
		t.Fatalf("must fire: %+v", r)
	}
	// Windows past the sends: no samples at all.
	for _, d := range []time.Duration{12 * time.Second, 15 * time.Second, 21 * time.Second} {
		if r := e.invoke(t, t1.Add(d), rule); r.Sent != 0 {
			t.Fatalf("+%s without evidence: %+v; the alert must stay firing, silently", d, r)
		}
	}
	if r := e.invoke(t, t1.Add(22*time.Second), rule); r.Sent != 1 {
		t.Fatalf("a whole window without evidence must resolve: %+v", r)
	}
	e.wantPerChannel(t, rule, "RESOLVED", map[string]int{"webhook": 1})
}

func (e *alertEnv) unknown(t *testing.T) {
	const rule = "e2e_unknown"
	e.inject(t, dysms.FaultSystemError, 2)
	e.sendN(t, "sunk", 2, "SMS_LOCAL_NOTICE") // 100 % failed
	t1 := nextSecond(2 * time.Second)
	for i, mode := range []string{"incomplete", "fail"} {
		e.fault.set(mode)
		r := e.invoke(t, t1.Add(time.Duration(i)*time.Second), rule)
		e.fault.set("")
		if r.Unknown != 1 || r.Evaluated != 0 || r.Sent != 0 {
			t.Fatalf("%s query: %+v", mode, r)
		}
	}
	if n := e.total(rule); n != 0 {
		t.Fatalf("%d notifications from unknown results", n)
	}
	e.wantEvents(t, alert.EventError, rule, "stage", "query", 2)
	// The failures were there all along: once SLS answers, it fires.
	if r := e.invoke(t, t1.Add(2*time.Second), rule); r.Sent != 1 || e.total(rule) != 1 {
		t.Fatalf("after the query recovers: %+v", r)
	}
}

func (e *alertEnv) channelDown(t *testing.T) {
	const rule = "e2e_down"
	e.inject(t, dysms.FaultSystemError, 2)
	e.sendN(t, "sdown", 2, "SMS_LOCAL_NOTICE")
	t1 := nextSecond(2 * time.Second)
	r := e.invoke(t, t1, rule)
	if r.Sent != 1 || r.Failed != 1 || len(e.notes(rule, "webhook")) != 1 {
		t.Fatalf("one channel down must not stop the other: %+v", r)
	}
	// The next run retries the failed channel only.
	r = e.invoke(t, t1.Add(time.Second), rule)
	if r.Sent != 0 || r.Failed != 1 || len(e.notes(rule, "webhook")) != 1 {
		t.Fatalf("retry: %+v, webhook got %d", r, len(e.notes(rule, "webhook")))
	}
	e.wantEvents(t, alert.EventNotification, rule, "channel", "down", 2)
}

func (e *alertEnv) hangingChannel(t *testing.T) {
	const rule = "e2e_hang"
	e.inject(t, dysms.FaultSystemError, 4)
	e.sendN(t, "shang", 2, "SMS_LOCAL_NOTICE")
	e.sendN(t, "shang", 2, "SMS_LOCAL_OTP") // two failing groups: two notices per channel
	r := e.invoke(t, nextSecond(2*time.Second), rule)
	if got := e.hang.hits.Load(); got != 1 {
		t.Errorf("the hanging channel was tried %d times in one run, want 1", got)
	}
	if !e.hang.servedMeanwhile.Load() {
		t.Error("the webhook waited for the hanging channel")
	}
	// Sent: the webhook's two; unknown: the hung one (it may have left);
	// failed: the one not attempted, for the next run.
	if r.Sent != 2 || r.DeliveryUnknown != 1 || r.Failed != 1 || len(e.notes(rule, "webhook")) != 2 {
		t.Fatalf("report %+v, webhook got %d", r, len(e.notes(rule, "webhook")))
	}
	e.wantEvents(t, alert.EventNotification, rule, "channel", "hang", 2)
}

func (e *alertEnv) stateDown(t *testing.T) {
	const rule = "e2e_state"
	e.inject(t, dysms.FaultSystemError, 2)
	e.sendN(t, "sstate", 2, "SMS_LOCAL_NOTICE")
	t1 := nextSecond(2 * time.Second)
	e.fault.set("state")
	res, err := e.s.Alert.Invoke(context.Background(), timerEvent(t1, `{"rules":["e2e_state"]}`), fcrt.InvokeOptions{RequestID: "e2e-state-down"})
	e.fault.set("")
	if err != nil || res.Error == nil || !strings.Contains(res.Error.Message, "load state") {
		t.Fatalf("a run without its state log must fail, got %v / %+v", err, res.Error)
	}
	if n := e.total(rule); n != 0 {
		t.Fatalf("%d notifications without state", n)
	}
	// (The timer's runs may meet the fault too: count this invocation's.)
	if n := e.countEvents(t, alert.EventError, map[string]string{"stage": "state_load", "fc_request_id": "e2e-state-down"}); n != 1 {
		t.Fatalf("%d alert.error state_load events, want 1", n)
	}
	// FC retries the invocation (same trigger time): now it goes through, once.
	for range 2 {
		e.invoke(t, t1, rule)
	}
	if n := e.total(rule); n != 1 {
		t.Fatalf("%d notifications after the retries, want 1", n)
	}
}

func (e *alertEnv) overlapping(t *testing.T) {
	e.inject(t, dysms.FaultSystemError, 2)
	e.sendN(t, "srace", 2, "SMS_LOCAL_NOTICE")
	t1 := nextSecond(2 * time.Second)
	// A duplicated timer delivery (same slot), then two overlapping runs
	// of consecutive slots, each pair on two instances at once.
	for _, c := range []struct {
		rule  string
		slots [2]time.Time
	}{{"e2e_race", [2]time.Time{t1, t1}}, {"e2e_race2", [2]time.Time{t1, t1.Add(time.Second)}}} {
		var wg sync.WaitGroup
		reports := make([]alertfn.Result, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { reports[i], errs[i] = e.run(c.slots[i], c.rule) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if sent := reports[0].Sent + reports[1].Sent; sent != 1 || e.total(c.rule) != 1 {
			t.Fatalf("%s: sent %d (reports %+v), sink got %d; want exactly 1", c.rule, sent, reports, e.total(c.rule))
		}
	}
}

func (e *alertEnv) timerFires(t *testing.T) {
	deadline := time.Now().Add(20 * time.Second)
	for e.total("timer_probe") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the timer never ran the probe rule")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (e *alertEnv) badPayload(t *testing.T) {
	res, err := e.s.Alert.Invoke(context.Background(), timerEvent(time.Now(), `{"rules":["no_such_rule"]}`), fcrt.InvokeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, `rule "no_such_rule" is not in the rule file`) {
		t.Fatalf("result %s / %+v", res.Payload, res.Error)
	}
}

func (e *alertEnv) malformedRules(t *testing.T) {
	bad := strings.Replace(alertTestRules, "threshold: 0.05,\n     min_samples: 20, for: 2", "threshold: 0.05,\n     min_samples: -3, for: 2", 1)
	var out syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	inst, err := fcrt.Start(ctx, fcrt.Function{Name: "alert", Binary: e.bin, Output: &out,
		Env: map[string]string{"SMSFLOW_ALERT_RULES_FILE": path}})
	if err == nil {
		inst.Kill()
		t.Fatal("an alert function with a malformed rule file started")
	}
	want := `rule "e2e_fire": field min_samples`
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := out.String(); !strings.Contains(got, "refusing to start") || !strings.Contains(got, want) {
		t.Fatalf("start-up error does not name the rule and field:\n%s", got)
	}
}

// --- helpers ---

// inject arms n failures of the next SendSms calls.
func (e *alertEnv) inject(t *testing.T, kind dysms.FaultKind, n int) {
	t.Helper()
	if _, err := e.s.Dysms.SetFault(dysms.Fault{Kind: kind, Action: "SendSms", Count: n}); err != nil {
		t.Fatal(err)
	}
}

// sendN sends n messages through the send function, one at a time (so
// the first armed faults hit the first sends), each to its own number. It
// returns the trace ids of the sends that failed.
func (e *alertEnv) sendN(t *testing.T, outPrefix string, n int, template string) (failed []string) {
	t.Helper()
	params := map[string]string{"name": "e2e", "status": "ok"}
	if template == "SMS_LOCAL_OTP" {
		params = map[string]string{"code": "482913"}
	}
	for i := range n {
		body, _ := json.Marshal(map[string]any{
			"phone_numbers": []string{fmt.Sprintf("139%08d", e.phones.Add(1))}, "sign_name": "smsflow",
			"template_code": template, "template_params": params, "out_id": fmt.Sprintf("%s-%d", outPrefix, i),
		})
		req, _ := http.NewRequest(http.MethodPost, e.s.GatewayURL+"/v1/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var answer struct {
			TraceID string `json:"trace_id"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			failed = append(failed, answer.TraceID)
		}
	}
	return failed
}

func timerEvent(at time.Time, payload string) []byte {
	b, _ := json.Marshal(map[string]string{"triggerTime": at.UTC().Format(time.RFC3339), "triggerName": "e2e", "payload": payload})
	return b
}

// invoke runs the alert function for one rule at one slot.
func (e *alertEnv) invoke(t *testing.T, at time.Time, rule string) alertfn.Result {
	t.Helper()
	r, err := e.run(at, rule)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run is invoke for goroutines other than the test's.
func (e *alertEnv) run(at time.Time, rule string) (alertfn.Result, error) {
	var r alertfn.Result
	res, err := e.s.Alert.Invoke(context.Background(), timerEvent(at, fmt.Sprintf(`{"rules":[%q]}`, rule)), fcrt.InvokeOptions{})
	switch {
	case err != nil:
		return r, err
	case res.Error != nil:
		return r, fmt.Errorf("alert run failed: %s", res.Error.Message)
	}
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		return r, fmt.Errorf("result %s: %w", res.Payload, err)
	}
	return r, nil
}

// nextSecond is a slot boundary after everything sent so far, plus ahead.
func nextSecond(ahead time.Duration) time.Time {
	return time.Now().Add(ahead).Truncate(time.Second).Add(time.Second)
}

// notes are the accepted notifications of rule on channel.
func (e *alertEnv) notes(rule, channel string) []sink.Notification {
	var out []sink.Notification
	for _, n := range e.s.Sink.Notifications() {
		if n.Accepted && n.Channel == channel && mentions(n.Title+"\n"+n.Text, rule) {
			out = append(out, n)
		}
	}
	return out
}

func (e *alertEnv) total(rule string) int {
	n := 0
	for _, ch := range []string{"webhook", "dingtalk", "wecom", "lark"} {
		n += len(e.notes(rule, ch))
	}
	return n
}

// mentions reports whether a rendered message is about rule ("[FIRING sev] rule").
func mentions(text, rule string) bool {
	i := strings.Index(text, "] "+rule)
	if i < 0 {
		return false
	}
	rest := text[i+2+len(rule):]
	return rest == "" || rest[0] == ' ' || rest[0] == '\n'
}

func (e *alertEnv) wantPerChannel(t *testing.T, rule, status string, want map[string]int) {
	t.Helper()
	for ch, n := range want {
		got := 0
		for _, note := range e.notes(rule, ch) {
			if strings.Contains(note.Title+note.Text, "["+status+" ") {
				got++
			}
		}
		if got != n {
			t.Errorf("%s: %d %s notifications of %s, want %d", ch, got, status, rule, n)
		}
	}
}

// oncallTexts counts alert SMS for rule (and status, when given) that the
// Dysmsapi emulator accepted for the on-call number.
func (e *alertEnv) oncallTexts(rule, status string) int {
	n := 0
	for _, m := range e.s.Dysms.Messages() {
		if m.Phone == stack.LocalOncallPhone && m.Params["name"] == rule && (status == "" || m.Params["status"] == status) {
			n++
		}
	}
	return n
}

// exampleTrace reads the "Example trace:" line of a plain-text message.
func exampleTrace(text string) string {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(line, "Example trace: "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func titles(ns []sink.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Title)
	}
	return out
}

// wantEvent checks that the alert function shipped an event to SLS.
func (e *alertEnv) wantEvent(t *testing.T, event, rule, key, value string) {
	t.Helper()
	if n := e.countEvents(t, event, map[string]string{"rule": rule, key: value}); n == 0 {
		t.Fatalf("no %s event with rule=%s %s=%s in SLS", event, rule, key, value)
	}
}

func (e *alertEnv) wantEvents(t *testing.T, event, rule, key, value string, n int) {
	t.Helper()
	if got := e.countEvents(t, event, map[string]string{"rule": rule, key: value}); got != n {
		t.Fatalf("%d %s events with rule=%s %s=%s in SLS, want %d", got, event, rule, key, value, n)
	}
}

// countEvents counts the events named event whose fields hold match.
func (e *alertEnv) countEvents(t *testing.T, event string, match map[string]string) int {
	t.Helper()
	live := &slsclient.Live{}
	live.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	c := slsclient.New(e.s.SLSAddr, live, 5*time.Second)
	now := time.Now()
	n := 0
	for offset := int64(0); ; offset += 100 {
		resp, err := c.GetLogsV3(stack.LocalProject, stack.LocalLogstore, &sls.GetLogRequest{
			From: now.Add(-10 * time.Minute).Unix(), To: now.Add(time.Minute).Unix(),
			Query: fmt.Sprintf("event: %q", event), Lines: 100, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range resp.Logs {
			ok := true
			for k, v := range match {
				ok = ok && l[k] == v
			}
			if ok {
				n++
			}
		}
		if len(resp.Logs) < 100 {
			return n
		}
	}
}

type syncBuffer = testkit.Buffer
