package alertfn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"smsflow/shared/alert"
	"smsflow/shared/alert/notify"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/sms"
)

const testRules = `
settings: {interval: 1m, index_lag: 60s}
channels:
  - {name: hook, type: webhook, url: "http://127.0.0.1:9/x"}
rules:
  - {name: fast, severity: critical, kind: failure_rate, window: 5m, threshold: 0.05, labels: {team: sms}, channels: [hook]}
  - {name: slow, severity: warning, kind: delivery_rate, window: 15m, threshold: 0.9, labels: {team: receipts}, channels: [hook]}
  - {name: off, enabled: false, severity: info, kind: no_traffic, window: 30m, threshold: 1, labels: {team: receipts}, channels: [hook]}
`

// rowsQuerier answers every query with one failing row and records the windows.
type rowsQuerier struct {
	mu    sync.Mutex
	calls []string
	ends  []time.Time
}

func (q *rowsQuerier) Query(_ context.Context, _, to time.Time, query string) (alert.Result, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, query)
	q.ends = append(q.ends, to)
	return alert.Result{Rows: []map[string]string{{"samples": "100", "value": "0.5"}}, Complete: true}, nil
}

type recordingChannel struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (c *recordingChannel) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
	return nil
}

type fixture struct {
	h     *Handler
	q     *rowsQuerier
	ch    *recordingChannel
	out   *bytes.Buffer
	log   *alert.MemoryStateLog
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rules, err := alert.Parse([]byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{q: &rowsQuerier{}, ch: &recordingChannel{}, out: &bytes.Buffer{}, log: &alert.MemoryStateLog{},
		clock: time.Date(2026, 11, 27, 10, 0, 30, 0, time.UTC)}
	// No SLS location outside FC: the shipper writes the batch to out.
	shipper := obs.NewShipper(config.Logs{}, "alert", creds.NewSource(true), f.out)
	f.h, err = New(Deps{Rules: rules, Flush: shipper.Flush, Now: func() time.Time { return f.clock },
		Options: alert.Options{Querier: f.q, StateLog: f.log,
			Channels: map[string]notify.Channel{"hook": f.ch}, Emitter: alert.SlogEmitter{Logger: obs.NewLogger(shipper)}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func timer(at, payload string) events.TimerEvent {
	return events.TimerEvent{TriggerTime: &at, TriggerName: new("every-minute"), Payload: &payload}
}

// events lists the event names shipped so far.
func (f *fixture) events(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(f.out.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func TestHandleRunsTheSelectedRulesAndShipsEventsBeforeReturning(t *testing.T) {
	f := newFixture(t)
	res, err := f.h.Handle(context.Background(), timer("2026-11-27T10:00:00Z", `{"labels":{"team":"sms"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Rules, ",") != "fast" || res.Evaluated != 1 || len(f.q.calls) != 1 {
		t.Fatalf("result %+v, %d queries", res, len(f.q.calls))
	}
	// The trigger time, not the clock, picks the slot; the window ends index_lag before it.
	if !res.Slot.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) || !f.q.ends[0].Equal(time.Date(2026, 11, 27, 9, 59, 0, 0, time.UTC)) {
		t.Fatalf("slot %s, window end %s", res.Slot, f.q.ends[0])
	}
	evs := f.events(t)
	if len(evs) == 0 || evs[len(evs)-1]["event"] != alert.EventRun {
		t.Fatalf("the run's events were not shipped before Handle returned: %v", evs)
	}
}

func TestHandleEmptyPayloadRunsEveryEnabledRule(t *testing.T) {
	f := newFixture(t)
	res, err := f.h.Handle(context.Background(), timer("", ""))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Rules, ",") != "fast,slow" || len(f.q.calls) != 2 {
		t.Fatalf("result %+v", res)
	}
	// No trigger time: the clock's slot.
	if !res.Slot.Equal(f.clock.Truncate(time.Minute)) {
		t.Fatalf("slot %s", res.Slot)
	}
}

func TestHandleRefusesABadPayloadWithAnEvent(t *testing.T) {
	for _, payload := range []string{`not json`, `{"rule":["fast"]}`, `{"rules":["nope"]}`, `{"labels":{"team":"nobody"}}`, `{"rules":["off"]}`} {
		f := newFixture(t)
		_, err := f.h.Handle(context.Background(), timer("2026-11-27T10:00:00Z", payload))
		if err == nil {
			t.Fatalf("payload %s accepted", payload)
		}
		evs := f.events(t)
		if len(f.q.calls) != 0 || len(evs) != 1 || evs[0]["event"] != alert.EventError || evs[0]["stage"] != "payload" {
			t.Fatalf("payload %s: %d queries, events %v", payload, len(f.q.calls), evs)
		}
	}
}

func TestRunTime(t *testing.T) {
	f := newFixture(t)
	for trigger, want := range map[string]time.Time{
		"2026-11-27T10:05:00Z": time.Date(2026, 11, 27, 10, 5, 0, 0, time.UTC), // within the skew: the tick's own time
		"2026-11-27T09:55:00Z": time.Date(2026, 11, 27, 9, 55, 0, 0, time.UTC),
		"2026-11-27T08:00:00Z": f.clock, // a replay hours later evaluates now
		"2026-11-28T10:00:00Z": f.clock,
		"yesterday":            f.clock,
	} {
		if got := f.h.runTime(trigger); !got.Equal(want) {
			t.Errorf("runTime(%q) = %s, want %s", trigger, got, want)
		}
	}
}

// The function keeps delivery leases by its clock: a tick FC delivered
// minutes late evaluates its own slot but stamps its claims with the time
// it really runs, so a punctual later tick does not take them over while
// this run is still sending (alert.TestNoSendOutlivesItsClaimsLease).
func TestALateTicksClaimsAreStampedByTheClock(t *testing.T) {
	f := newFixture(t)
	f.clock = time.Date(2026, 11, 27, 10, 4, 30, 0, time.UTC)
	res, err := f.h.Handle(context.Background(), timer("2026-11-27T10:00:00Z", `{"rules":["fast"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Slot.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) || res.Sent != 1 {
		t.Fatalf("result %+v, want the tick's slot and one notice sent", res)
	}
	var claims int
	for _, r := range f.log.Records() {
		if r.State == nil {
			continue
		}
		for _, n := range r.State.Outbox {
			if n.ClaimID == r.ID {
				claims++
				if !n.ClaimedAt.Equal(f.clock) {
					t.Errorf("claim stamped %s, want the clock's %s", n.ClaimedAt, f.clock)
				}
			}
		}
	}
	if claims != 1 {
		t.Fatalf("%d claims, want 1", claims)
	}
}

func TestDuplicateDeliveryNotifiesOnce(t *testing.T) {
	f := newFixture(t)
	ev := timer("2026-11-27T10:00:00Z", `{"rules":["fast"]}`)
	for range 2 {
		if _, err := f.h.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.ch.msgs) != 1 || f.ch.msgs[0].Status != "firing" {
		t.Fatalf("%d messages", len(f.ch.msgs))
	}
}

func TestLocations(t *testing.T) {
	cfg := config.Alert{Logs: config.Logs{Project: "p", Logstore: "events"}, AlertSLS: config.AlertSLS{StateLogstore: "alert-state"}}
	q, s := Locations(cfg)
	if q.Project != "p" || q.Logstore != "events" || s.Project != "p" || s.Logstore != "alert-state" {
		t.Fatalf("query %+v state %+v", q, s)
	}
	q, s = Locations(config.Alert{})
	if q.Project != "" || s.Logstore != "" {
		t.Fatalf("without settings both must defer to the logConfig: %+v %+v", q, s)
	}
}

func TestLookbackMustCoverRepeats(t *testing.T) {
	rules, err := alert.Parse([]byte(testRules + "\n  - {name: weekly, severity: info, kind: no_traffic, window: 30m, threshold: 1, repeat_interval: 168h, channels: [hook]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = checkLookback(rules, 48*time.Hour)
	if err == nil || !strings.Contains(err.Error(), `rule "weekly": field repeat_interval`) || strings.Contains(err.Error(), `"fast"`) {
		t.Fatalf("err = %v", err)
	}
	if err := checkLookback(rules, 200*time.Hour); err != nil {
		t.Fatal(err)
	}
}

// One number written twice, in one form or two, paged its owner twice for
// every notice. It is refused at start, naming the variable and the
// entries, the number masked.
func TestAnOncallNumberListedTwiceIsRefusedAtStart(t *testing.T) {
	rules, err := alert.Parse([]byte("include_defaults: true\nchannels:\n  - {name: oncall-sms, enabled: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for phones, want := range map[string]string{
		"13800138000,+8613800138000":                `channel "oncall-sms": SMSFLOW_ALERT_ONCALL_PHONES entries 1 and 2 are one number (138****8000)`,
		"13800138000, 13900139000, 008613800138000": `SMSFLOW_ALERT_ONCALL_PHONES entries 1 and 3 are one number (138****8000)`,
		"+85261234567,85261234567":                  `SMSFLOW_ALERT_ONCALL_PHONES entries 1 and 2 are one number (+852 ****4567)`,
		"13800138000,,13800138000":                  `SMSFLOW_ALERT_ONCALL_PHONES entries 1 and 3 are one number`,
		"13800138000,12345":                         `SMSFLOW_ALERT_ONCALL_PHONES entry 2: `,
	} {
		err := checkOncallNumbers(rules, func(k string) string { return map[string]string{"SMSFLOW_ALERT_ONCALL_PHONES": phones}[k] })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", phones, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "13800138000") || strings.Contains(err.Error(), "61234567")) {
			t.Errorf("%s: the error quotes a number: %v", phones, err)
		}
	}
	if err := checkOncallNumbers(rules, func(string) string { return "13800138000, 13900139000" }); err != nil {
		t.Fatal(err)
	}
}

// With SMSFLOW_ALERT_SEND_TIMEOUT not above SMSFLOW_DYSMS_TIMEOUT plus
// the sender's margin, the sender never starts a SendSms within a
// notification's time: the function started and no page ever left. It is
// refused at start naming both variables, and the bound is the sender's
// own: just above it a text goes out, at it none does.
func TestASendTimeoutTooShortForOneSMSIsRefusedAtStart(t *testing.T) {
	withSMS, err := alert.Parse([]byte("include_defaults: true\nchannels:\n  - {name: oncall-sms, enabled: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	withoutSMS, _ := alert.Defaults()
	cfg := config.Alert{Dysms: config.Dysms{ReadTimeout: 5 * time.Second}, SendTimeout: 3 * time.Second}
	sender := sms.New(cfg.Dysms, creds.NewSource(false))
	want := `channel "oncall-sms": SMSFLOW_ALERT_SEND_TIMEOUT (3s) must be longer than one Dysmsapi call needs, SMSFLOW_DYSMS_TIMEOUT (5s) + 250ms`
	if err := checkSendTimeout(withSMS, cfg, sender); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err %v, want %q", err, want)
	}
	cfg.SendTimeout = sender.CallBudget()
	if err := checkSendTimeout(withSMS, cfg, sender); err == nil {
		t.Errorf("SMSFLOW_ALERT_SEND_TIMEOUT %s accepted", cfg.SendTimeout)
	}
	if err := checkSendTimeout(withoutSMS, cfg, sender); err != nil {
		t.Errorf("no SMS channel enabled: %v", err)
	}
	cfg.SendTimeout += 50 * time.Millisecond
	if err := checkSendTimeout(withSMS, cfg, sender); err != nil {
		t.Error(err)
	}

	// The function's start applies it.
	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(rulesFile, []byte("include_defaults: true\nchannels:\n  - {name: oncall-sms, enabled: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{alert.EnvRulesFile: rulesFile, "SMSFLOW_ALERT_SEND_TIMEOUT": "3s", "SMSFLOW_DYSMS_TIMEOUT": "5s",
		"SMSFLOW_ALERT_ONCALL_PHONES": "13800138000", "SMSFLOW_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/x", "SMSFLOW_ALERT_WEBHOOK_SECRET": "s"} {
		t.Setenv(k, v)
	}
	if _, err := FromEnv(io.Discard); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("FromEnv: err %v, want %q", err, want)
	}

	srv, ctx, sender := smsEmulator(t, nil, time.Second, 1)
	for _, c := range []struct {
		timeout time.Duration
		texts   int
	}{{sender.CallBudget(), 0}, {sender.CallBudget() + 50*time.Millisecond, 1}} {
		sendCtx, cancel := context.WithTimeout(ctx, c.timeout) // what Evaluator.send does
		ch := &notify.SMS{Sender: SMSAdapter{Sender: sender}, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE",
			Phones: []string{"13800138000"}, Params: map[string]string{"name": "${rule}", "status": "${status}"}}
		_ = ch.Send(sendCtx, notify.Message{ID: "c/oncall", Vars: map[string]string{"rule": "r", "status": "firing"}})
		cancel()
		if n := len(srv.Messages()); n != c.texts {
			t.Errorf("a send timeout of %s (call budget %s): %d texts so far, want %d", c.timeout, sender.CallBudget(), n, c.texts)
		}
	}
}
