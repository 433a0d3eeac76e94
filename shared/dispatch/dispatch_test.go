package dispatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/shared/api"
)

// fakeSender answers a disposition per message id and records what it got.
type fakeSender struct {
	mu      sync.Mutex
	answers map[string]api.Disposition
	got     []api.Message
}

func (f *fakeSender) Deliver(_ context.Context, m api.Message) api.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, m)
	d, ok := f.answers[m.ID]
	if !ok {
		d = api.DispositionSent
	}
	return api.Delivery{Disposition: d}
}

func (f *fakeSender) byID(id string) (api.Message, bool) {
	for _, m := range f.got {
		if m.ID == id {
			return m, true
		}
	}
	return api.Message{}, false
}

const request = `{"phone_numbers":["13800138000"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"Li","status":"ok"}}`

func mnsEvent(id, body string) string {
	return `{"id":"ev-` + id + `","source":"MNS-dispatch-mns-trigger","specversion":"1.0","type":"mns:Queue:SendMessage",` +
		`"aliyunpublishtime":1700000000000,"data":{"requestId":"R","messageId":"` + id + `","messageBody":` + quote(body) + `}}`
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// conformance: MNS-04
func TestDecodesEveryShapeOfDelivery(t *testing.T) {
	f := &fakeSender{}
	d := New(f, slog.New(slog.DiscardHandler), 2)
	custom := `{"id":"cust-1","source":"acs.custom","type":"smsflow.message","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":` + request + `}`
	b64 := mnsEvent("M2", base64.StdEncoding.EncodeToString([]byte(request)))
	payload := "[" + mnsEvent("M1", request) + "," + b64 + "," + custom + "]"
	s, err := d.Handle(context.Background(), []byte(payload))
	if err != nil || s.Messages != 3 || s.Counts["sent"] != 3 {
		t.Fatalf("summary %+v err %v", s, err)
	}
	for _, id := range []string{"M1", "M2", "cust-1"} {
		m, ok := f.byID(id)
		if !ok || string(bytes.TrimSpace(m.Body)) != request {
			t.Errorf("%s: got %+v", id, m)
		}
	}
	if m, _ := f.byID("cust-1"); m.Traceparent == "" || !strings.HasPrefix(m.Source, "eventbridge:") {
		t.Errorf("custom event lost its traceparent or source: %+v", m)
	}
	// A single event, not in an array.
	if s, err := d.Handle(context.Background(), []byte(custom)); err != nil || s.Messages != 1 {
		t.Fatalf("single event: %+v %v", s, err)
	}
}

// conformance: MNS-07
func TestOnlyRetryableMessagesFailTheInvocation(t *testing.T) {
	f := &fakeSender{answers: map[string]api.Disposition{"A": api.DispositionSent, "B": api.DispositionRetry, "C": api.DispositionRefused, "D": api.DispositionPoison}}
	d := New(f, slog.New(slog.DiscardHandler), 4)
	payload := "[" + mnsEvent("A", request) + "," + mnsEvent("B", request) + "," + mnsEvent("C", request) + "," + mnsEvent("D", "{") + "]"
	s, err := d.Handle(context.Background(), []byte(payload))
	var re *RetryError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "B") || strings.Contains(err.Error(), "A,") || s.Counts["retry"] != 1 {
		t.Fatalf("err %v summary %+v", err, s)
	}
	f.answers["B"] = api.DispositionSent
	if _, err := d.Handle(context.Background(), []byte(payload)); err != nil {
		t.Fatalf("nothing retryable left, still failed: %v", err)
	}
}

func TestPoisonDeliveriesAreLoggedNotRetried(t *testing.T) {
	var logs bytes.Buffer
	f := &fakeSender{}
	d := New(f, slog.New(slog.NewJSONHandler(&logs, nil)), 1)
	for _, payload := range []string{"not json", `[{"id":"x","type":"mns:Queue:SendMessage","data":{"messageId":"x"}}]`, `[{"id":"y","type":"custom"}]`, `[17]`} {
		logs.Reset()
		s, err := d.Handle(context.Background(), []byte(payload))
		if err != nil || s.Counts["poison"] != 1 || len(f.got) != 0 {
			t.Errorf("%q: %+v %v (sent %d)", payload, s, err, len(f.got))
		}
		if !strings.Contains(logs.String(), `"disposition":"poison"`) || !strings.Contains(logs.String(), "error_message") {
			t.Errorf("%q: poison not logged with its reason: %s", payload, logs.String())
		}
	}
}

// The event's id and source are a publisher's text (a custom source picks
// both) and reach SLS as message_id and caller, the RetryError FC logs, and
// the trace command. Like the API's fields (issue 10.5) they are refused when
// they hold characters unfit to read, or are longer than any real id; the
// poison event says so without repeating them raw.
func TestAnEventIDOrSourceUnfitToReadIsPoisonAndNotEchoed(t *testing.T) {
	long := strings.Repeat("7", 5000)
	for name, ev := range map[string]string{
		"bidi override in id": `{"id":"cust-\u202egnp.exe","source":"acs.custom","type":"smsflow.message","data":` + request + `}`,
		"escape in id":        `{"id":"cust-\u001b[2J","source":"acs.custom","type":"smsflow.message","data":` + request + `}`,
		"C1 in source":        `{"id":"cust-2","source":"acs.custom\u0085forged: line","type":"smsflow.message","data":` + request + `}`,
		"line separator":      `{"id":"cust-3","source":"acs.custom\u2028x","type":"smsflow.message","data":` + request + `}`,
		"huge id":             `{"id":"` + long + `","source":"acs.custom","type":"smsflow.message","data":` + request + `}`,
		"MNS id with a zwsp":  mnsEvent("M\u200b1", request),
	} {
		var logs bytes.Buffer
		f := &fakeSender{}
		d := New(f, slog.New(slog.NewJSONHandler(&logs, nil)), 1)
		s, err := d.Handle(context.Background(), []byte(ev))
		if err != nil || s.Counts["poison"] != 1 || len(f.got) != 0 {
			t.Errorf("%s: %+v %v (sent %d)", name, s, err, len(f.got))
			continue
		}
		out := logs.String()
		for _, raw := range []string{"\u202e", `\u202e`, "\u001b", `\u001b`, "\u0085", `\u0085`, "\u2028", `\u2028`, "\u200b", `\u200b`, long[:300]} {
			if strings.Contains(out, raw) {
				t.Errorf("%s: the log repeats the unfit text %q: %s", name, raw, out)
			}
		}
		if !strings.Contains(out, "malformed_event") {
			t.Errorf("%s: no malformed_event: %s", name, out)
		}
	}
}

// deadlineSender records the deadline each message is given.
type deadlineSender struct {
	mu        sync.Mutex
	deadlines []time.Time
}

func (s *deadlineSender) Deliver(ctx context.Context, m api.Message) api.Delivery {
	dl, _ := ctx.Deadline()
	s.mu.Lock()
	s.deadlines = append(s.deadlines, dl)
	s.mu.Unlock()
	return api.Delivery{Disposition: api.DispositionSent}
}

// A message's send must end early enough that its answer is stored and the
// batch's events are shipped before the invocation's deadline: past it FC
// ends the invocation, and every event of the batch (all held until the
// flush) is lost, answers not stored stay "in flight". So messages get a
// deadline that keeps the reserve free, and a short invocation still gets
// most of its time for sending.
//
// conformance: FC-06
func TestMessagesEndBeforeTheInvocationsDeadline(t *testing.T) {
	for _, c := range []struct {
		left, reserve, want time.Duration
	}{
		{120 * time.Second, 3 * time.Second, 3 * time.Second},
		{2 * time.Second, 3 * time.Second, 500 * time.Millisecond}, // at most a quarter of what is left
	} {
		f := &deadlineSender{}
		d := New(f, slog.New(slog.DiscardHandler), 2).KeepFree(c.reserve)
		invocation := time.Now().Add(c.left)
		ctx, cancel := context.WithDeadline(context.Background(), invocation)
		payload := "[" + mnsEvent("A", request) + "," + mnsEvent("B", request) + "," + mnsEvent("C", request) + "]"
		if _, err := d.Handle(ctx, []byte(payload)); err != nil {
			t.Fatal(err)
		}
		cancel()
		if len(f.deadlines) != 3 {
			t.Fatalf("%d messages delivered", len(f.deadlines))
		}
		for _, dl := range f.deadlines {
			if gap := invocation.Sub(dl); dl.IsZero() || gap < c.want-time.Second/20 || gap > c.want+time.Second/10 {
				t.Errorf("left %s, reserve %s: a message's deadline is %s before the invocation's, want %s", c.left, c.reserve, invocation.Sub(dl), c.want)
			}
		}
	}
}
