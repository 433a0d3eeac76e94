package fcrt

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
)

// conformance: FC-12
func TestTimerEventsArriveWithTheRightShape(t *testing.T) {
	fn := testFunction(t)
	inst := startInstance(t, fn)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	var mu sync.Mutex
	var results []Result
	tt := TimerTrigger{Name: "alert-every", Every: 200 * time.Millisecond, Payload: `{"rule":"all"}`,
		OnResult: func(r Result, err error) {
			if err != nil {
				t.Errorf("timer invoke: %v", err)
			}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}}
	start := time.Now()
	if err := tt.Run(ctx, inst); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(results) < 2 || len(results) > 4 {
		t.Fatalf("%d firings in 700 ms at 200 ms", len(results))
	}
	for _, r := range results {
		if r.Failed() || string(r.Payload) != `"timer ok"` {
			t.Errorf("firing result %s %+v", r.Payload, r.Error)
		}
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, stateFile(fn, "timer.log"))), "\n")
	if len(lines) != len(results) {
		t.Fatalf("function saw %d events, trigger fired %d", len(lines), len(results))
	}
	for _, line := range lines {
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &raw); err != nil || len(raw) != 3 {
			t.Fatalf("event %s: want exactly triggerTime, triggerName, payload", line)
		}
		var ev events.TimerEvent
		_ = json.Unmarshal([]byte(line), &ev)
		if *ev.TriggerName != "alert-every" || *ev.Payload != `{"rule":"all"}` {
			t.Errorf("event %s", line)
		}
		at, err := time.Parse(time.RFC3339, *ev.TriggerTime)
		if err != nil || !strings.HasSuffix(*ev.TriggerTime, "Z") || at.Before(start.Add(-time.Second)) || at.After(time.Now()) {
			t.Errorf("triggerTime %q: %v", *ev.TriggerTime, err)
		}
	}
}

// conformance: MNS-01, MNS-04
func TestEventBridgeRetriesAFailedPush(t *testing.T) {
	fn := testFunction(t)
	inst := startInstance(t, fn)
	src := MNSQueueSource{Target: inst, TriggerName: "messages", Function: "send", Queue: "smsflow-send",
		Region: "cn-shanghai", AccountID: "1234567890123456", Retry: LocalBackoffRetry}

	res, attempts, err := src.Deliver(context.Background(), []MNSMessage{{MessageID: "M1", Body: "fail-once"}, {Body: "ok"}})
	if err != nil || attempts != 2 || string(res.Payload) != `{"messages":2}` {
		t.Fatalf("Deliver = %s, %d attempts, %v; want success on the 2nd attempt", res.Payload, attempts, err)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, stateFile(fn, "eventbridge.log"))), "\n")
	if len(lines) != 2 {
		t.Fatalf("function saw %d pushes, want 2", len(lines))
	}
	_, raw, _ := strings.Cut(lines[0], " ")
	var batch []events.MnsQueueEvent
	if err := json.Unmarshal([]byte(raw), &batch); err != nil || len(batch) != 2 {
		t.Fatalf("batch %s: %v", raw, err)
	}
	e := batch[0]
	checks := map[string][2]string{
		"source":       {*e.Source, "MNS-send-messages"},
		"specversion":  {*e.Specversion, "1.0"},
		"type":         {*e.Type, "mns:Queue:SendMessage"},
		"subject":      {*e.Subject, "acs:mns:cn-shanghai:1234567890123456:queues/smsflow-send"},
		"account":      {*e.Aliyunaccountid, "1234567890123456"},
		"region":       {*e.Aliyunregionid, "cn-shanghai"},
		"messageId":    {*e.Data.MessageID, "M1"},
		"messageBody":  {*e.Data.MessageBody, "fail-once"},
		"second body":  {*batch[1].Data.MessageBody, "ok"},
		"has id":       {boolString(*e.ID != ""), "true"},
		"has request":  {boolString(*e.Data.RequestID != ""), "true"},
		"second msgid": {boolString(*batch[1].Data.MessageID != ""), "true"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if e.Time.IsZero() || time.Since(e.Time) > time.Minute {
		t.Errorf("event time %v", e.Time)
	}
}

// conformance: MNS-01
func TestEventBridgeGivesUpAfterMaxRetries(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	src := MNSQueueSource{Target: inst, Retry: RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}}
	res, attempts, err := src.Deliver(context.Background(), []MNSMessage{{Body: "fail-always"}})
	if !errors.Is(err, ErrDeliveryFailed) || attempts != 3 || res.Error == nil || res.Error.Message != "message refused" {
		t.Fatalf("Deliver = %+v, %d attempts, %v", res.Error, attempts, err)
	}
}

// conformance: MNS-01
func TestBackoffStaysInRange(t *testing.T) {
	for range 100 {
		if d := BackoffRetry.backoff(); d < 10*time.Second || d >= 20*time.Second {
			t.Fatalf("backoff %v outside [10s, 20s)", d)
		}
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
