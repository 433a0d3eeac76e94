package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/dysms"
	"smsflow/local/fcrt"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/idem/redistest"
	"smsflow/shared/slsclient"
)

// idemEnv is one local stack with its own redis-server, shared by the
// idempotency scenarios (each uses its own numbers and keys).
type idemEnv struct {
	s   *stack.Stack
	out *idemOutput
}

type idemOutput = testkit.Buffer

func TestIdempotencyEndToEnd(t *testing.T) {
	redistest.Require(t) // the stack starts its own; fail (or skip, when allowed) without one
	out := &idemOutput{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{
		FunctionOutput: out,
		Alert:          stack.AlertOptions{Disabled: true},
		Receipts:       stack.ReceiptOptions{Disabled: true},
		// One call per invocation: a transient failure fails the message,
		// and EventBridge's redelivery is what retries it.
		// A short timeout and a 2 s call bound: a batch of slow sends outruns
		// its time in a few seconds ("a batch that outruns its time").
		Idem: stack.IdemOptions{SendLimits: true, DispatchTimeout: 12 * time.Second,
			DispatchEnv: map[string]string{"SMSFLOW_DYSMS_MAX_ATTEMPTS": "1", "SMSFLOW_DYSMS_TIMEOUT": "2s"}},
	})
	if err != nil {
		t.Fatalf("starting the local stack: %v", err)
	}
	defer s.Close()
	if s.RedisAddr == "" || s.Dispatch == nil || s.QueueURL == "" {
		t.Fatalf("stack without store or dispatch: %+v", s.IdemParts)
	}
	e := &idemEnv{s: s, out: out}
	t.Run("ten concurrent requests, one send", e.concurrentKey)
	t.Run("different payload under a key", e.payloadMismatch)
	t.Run("in flight", e.inFlight)
	t.Run("per-number limit", e.sendLimit)
	t.Run("dispatch retries only the retryable message", e.dispatchPartialFailure)
	t.Run("the same event twice", e.duplicateEvent)
	t.Run("the same batch three times at once", e.concurrentBatches)
	t.Run("poison messages", e.poison)
	t.Run("a batch that outruns its time", e.outrunsItsTime)
	t.Run("events", e.events)
	t.Run("redis down", e.redisDown) // last: it stops the store
	if strings.Contains(out.String(), "13900000") {
		t.Error("a function printed a phone number")
	}
}

type idemReply struct {
	status int
	header http.Header
	body   string
}

func (r idemReply) field(path ...string) string {
	var v any
	_ = json.Unmarshal([]byte(r.body), &v)
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (e *idemEnv) post(t *testing.T, body string, headers ...string) idemReply {
	t.Helper()
	a := testkit.PostMessage(t, e.s.GatewayURL, stack.LocalToken, "application/json", body, headers...)
	return idemReply{a.Status, a.Header, a.Raw}
}

// sent counts the messages the emulator accepted for a number.
func (e *idemEnv) sent(number string) int {
	n := 0
	for _, m := range e.s.Dysms.Messages() {
		if m.Phone == number {
			n++
		}
	}
	return n
}

func notice(number, status string) string {
	return fmt.Sprintf(`{"phone_numbers":["%s"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"Li","status":"%s"}}`, number, status)
}

func otpRequest(number string) string {
	return fmt.Sprintf(`{"phone_numbers":["%s"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"4821"}}`, number)
}

func (e *idemEnv) concurrentKey(t *testing.T) {
	const number = "13900000001"
	replies := make([]idemReply, 10)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = e.post(t, notice(number, "paid"), "Idempotency-Key", "order-1001")
		}()
	}
	wg.Wait()
	var first idemReply
	for _, r := range replies {
		switch {
		case r.status == 200 && r.header.Get("Idempotent-Replayed") == "":
			if first.status != 0 {
				t.Errorf("two requests sent: %s / %s", first.body, r.body)
			}
			first = r
		case r.status == 200 || r.status == 409:
		default:
			t.Errorf("unexpected answer %d %s", r.status, r.body)
		}
	}
	if got := e.sent(number); got != 1 || first.status != 200 {
		t.Fatalf("%d messages sent for ten requests with one key (first %+v)", got, first)
	}
	if n := len(e.s.Send.Instances()); n < 2 {
		t.Fatalf("the ten requests ran on %d instance(s): the store was not shared across processes", n)
	}
	replay := e.post(t, notice(number, "paid"), "Idempotency-Key", "order-1001")
	if replay.status != 200 || replay.body != first.body || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d %q %v, want the stored %q", replay.status, replay.body, replay.header, first.body)
	}
	if e.sent(number) != 1 {
		t.Fatal("the replay sent")
	}
}

func (e *idemEnv) payloadMismatch(t *testing.T) {
	const number = "13900000002"
	if r := e.post(t, notice(number, "paid"), "Idempotency-Key", "order-1002"); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	r := e.post(t, notice(number, "refunded"), "Idempotency-Key", "order-1002")
	if r.status != 422 || r.field("error", "code") != "idempotency_key_reused" || e.sent(number) != 1 {
		t.Fatalf("different payload, same key: %d %s (sent %d)", r.status, r.body, e.sent(number))
	}
	if r := e.post(t, notice(number, "x"), "Idempotency-Key", "bad key"); r.status != 400 || r.field("error", "code") != "invalid_idempotency_key" {
		t.Fatalf("invalid key: %d %s", r.status, r.body)
	}
}

func (e *idemEnv) inFlight(t *testing.T) {
	// 13800000009: accepted, and the answer takes the emulator's 3 s.
	done := make(chan idemReply, 1)
	go func() { done <- e.post(t, notice("13800000009", "slow"), "Idempotency-Key", "order-1003") }()
	// Wait until the emulator holds the first request (it records the
	// message at acceptance, before the slow answer).
	for deadline := time.Now().Add(2 * time.Second); e.sent("13800000009") == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	r := e.post(t, notice("13800000009", "slow"), "Idempotency-Key", "order-1003")
	if r.status != 409 || r.field("error", "code") != "idempotency_key_in_flight" || r.header.Get("Retry-After") == "" {
		t.Fatalf("while the first is in flight: %d %s", r.status, r.body)
	}
	if first := <-done; first.status != 200 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	if again := e.post(t, notice("13800000009", "slow"), "Idempotency-Key", "order-1003"); again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("after: %d %v", again.status, again.header)
	}
	if n := e.sent("13800000009"); n != 1 {
		t.Fatalf("%d sends", n)
	}
}

func (e *idemEnv) sendLimit(t *testing.T) {
	const number = "13900000003"
	if r := e.post(t, otpRequest(number)); r.status != 200 {
		t.Fatalf("first code: %d %s", r.status, r.body)
	}
	before := e.s.Dysms.Stats().Requests["SendSms"]
	r := e.post(t, otpRequest(number), "Idempotency-Key", "otp-2")
	if r.status != 429 || r.field("error", "code") != "send_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("second code within the minute: %d %s %v", r.status, r.body, r.header)
	}
	if after := e.s.Dysms.Stats().Requests["SendSms"]; after != before || e.sent(number) != 1 {
		t.Fatalf("the refused send reached the emulator (%d → %d requests)", before, after)
	}
}

// deliver pushes a batch through the emulated EventBridge MNS source.
func (e *idemEnv) deliver(t *testing.T, batch ...fcrt.MNSMessage) (map[string]any, int, error) {
	t.Helper()
	res, pushes, err := e.s.Queue.Deliver(context.Background(), batch)
	var summary map[string]any
	_ = json.Unmarshal(res.Payload, &summary)
	return summary, pushes, err
}

func (e *idemEnv) dispatchPartialFailure(t *testing.T) {
	before := e.s.Dysms.Stats().Requests["SendSms"]
	// 13800000012: the first request since Reset answers 503, later ones work.
	summary, pushes, err := e.deliver(t,
		fcrt.MNSMessage{MessageID: "P-1", Body: notice("13900000004", "ok")},
		fcrt.MNSMessage{MessageID: "P-2", Body: notice("13800000012", "ok")})
	if err != nil || pushes != 2 {
		t.Fatalf("delivery: %d pushes, err %v", pushes, err)
	}
	if e.sent("13900000004") != 1 || e.sent("13800000012") != 1 {
		t.Fatalf("sent %d and %d", e.sent("13900000004"), e.sent("13800000012"))
	}
	// Push 1: both numbers (one 503). Push 2: only the 503'd one.
	if calls := e.s.Dysms.Stats().Requests["SendSms"] - before; calls != 3 {
		t.Fatalf("%d SendSms calls, want 3 (the redelivery must send only the failed message)", calls)
	}
	counts, _ := summary["counts"].(map[string]any)
	if counts["replayed"] != float64(1) || counts["sent"] != float64(1) {
		t.Fatalf("last push summary %v", summary)
	}
}

func (e *idemEnv) duplicateEvent(t *testing.T) {
	msg := fcrt.MNSMessage{MessageID: "DUP-1", Body: notice("13900000005", "ok")}
	for range 2 {
		if _, pushes, err := e.deliver(t, msg); err != nil || pushes != 1 {
			t.Fatalf("delivery: %d pushes, err %v", pushes, err)
		}
	}
	// A key in the body wins over the message id: a re-published copy of
	// the same message (new MNS id) is still one SMS. The traceparent in the
	// body is continued.
	tp := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	keyed := `{"idempotency_key":"order-1006","traceparent":"` + tp + `",` + strings.TrimPrefix(notice("13900000006", "ok"), "{")
	var traces []string
	for _, id := range []string{"K-1", "K-2"} {
		summary, _, err := e.deliver(t, fcrt.MNSMessage{MessageID: id, Body: keyed})
		if err != nil {
			t.Fatal(err)
		}
		items, _ := summary["items"].([]any)
		if len(items) == 1 {
			traces = append(traces, items[0].(map[string]any)["trace_id"].(string))
		}
	}
	if e.sent("13900000005") != 1 || e.sent("13900000006") != 1 {
		t.Fatalf("sent %d and %d, want one each", e.sent("13900000005"), e.sent("13900000006"))
	}
	if len(traces) != 2 || traces[0] != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("traces %v do not continue the message's traceparent", traces)
	}
}

// EventBridge delivers one batch several times at once (three instances):
// each message is sent once; a delivery that found a message in flight
// fails, and its redelivery replays.
func (e *idemEnv) concurrentBatches(t *testing.T) {
	batch := []fcrt.MNSMessage{
		{MessageID: "TWICE-1", Body: notice("13900000201", "ok")},
		{MessageID: "TWICE-2", Body: notice("13900000202", "ok")},
		{MessageID: "TWICE-3", Body: notice("13900000203", "ok")},
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { _, _, errs[i] = e.deliver(t, batch...) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	for _, n := range []string{"13900000201", "13900000202", "13900000203"} {
		if got := e.sent(n); got != 1 {
			t.Errorf("%s sent %d times", n, got)
		}
	}
	if n := len(e.s.Dispatch.Instances()); n < 2 {
		t.Errorf("the deliveries ran on %d instance(s): nothing ran at once", n)
	}
}

func (e *idemEnv) poison(t *testing.T) {
	// Through the queue's HTTP endpoint, as a user of make run would.
	body := `[{"id":"BAD-1","body":"{not json"},{"id":"BAD-2","body":{"phone_numbers":["12"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE"}},` +
		`{"id":"OK-1","body":` + notice("13900000007", "ok") + `}]`
	resp, err := http.Post(e.s.QueueURL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Pushes int    `json:"pushes"`
		Error  string `json:"error"`
		Result struct {
			Counts map[string]int `json:"counts"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Pushes != 1 || got.Error != "" || got.Result.Counts["poison"] != 2 || got.Result.Counts["sent"] != 1 || e.sent("13900000007") != 1 {
		t.Fatalf("poison batch: %+v (sent %d)", got, e.sent("13900000007"))
	}
}

func (e *idemEnv) redisDown(t *testing.T) {
	e.s.Redis.Stop()
	const number = "13900000008"
	r := e.post(t, notice(number, "ok"), "Idempotency-Key", "order-1008")
	if r.status != 503 || r.field("error", "code") != "idempotency_store_unavailable" || e.sent(number) != 0 {
		t.Fatalf("keyed request with the store down: %d %s (sent %d)", r.status, r.body, e.sent(number))
	}
	if r := e.post(t, notice(number, "ok")); r.status != 200 || e.sent(number) != 1 {
		t.Fatalf("unkeyed request with the store down: %d %s", r.status, r.body)
	}
	// Dispatch cannot know what was sent: every push fails, nothing is sent.
	_, pushes, err := e.deliver(t, fcrt.MNSMessage{MessageID: "DOWN-1", Body: notice("13900000009", "ok")})
	if !errors.Is(err, fcrt.ErrDeliveryFailed) || pushes != 4 || e.sent("13900000009") != 0 {
		t.Fatalf("dispatch with the store down: %d pushes, err %v, sent %d", pushes, err, e.sent("13900000009"))
	}
	resp, err := http.Get(e.s.GatewayURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&h)
	if h["idempotency_store"] != "redis" || h["idempotency_store_reachable"] != false {
		t.Fatalf("healthz %v", h)
	}
}

func TestWithoutRedisTheSendFunctionWarnsAndDispatchIsOff(t *testing.T) {
	out := &idemOutput{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{FunctionOutput: out, Alert: stack.AlertOptions{Disabled: true},
		Receipts: stack.ReceiptOptions{Disabled: true}, Idem: stack.IdemOptions{Redis: stack.RedisNone}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Dispatch != nil || !strings.Contains(strings.Join(s.Banner, "\n"), "IN MEMORY") {
		t.Fatalf("banner %q, dispatch %v", s.Banner, s.Dispatch)
	}
	resp, err := http.Get(s.GatewayURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&h)
	if h["idempotency_store"] != "memory" || !strings.Contains(fmt.Sprint(h["warning"]), "NO SHARED IDEMPOTENCY STORE") {
		t.Fatalf("healthz %v", h)
	}
	if !strings.Contains(out.String(), "NO SHARED IDEMPOTENCY STORE") {
		t.Fatal("the send function did not say so at start")
	}
}

// events checks what the scenarios above left in SLS.
// query runs an SLS query over the last hour of the local logstore.
func (e *idemEnv) query(t *testing.T, q string) []map[string]string {
	t.Helper()
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	c := slsclient.New(e.s.SLSAddr, p, 10*time.Second)
	now := time.Now()
	rows, err := slsclient.Query(c, stack.LocalProject, stack.LocalLogstore, q, now.Add(-time.Hour), now.Add(time.Minute), 100)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return rows
}

// A batch of slow sends outruns the function's time: the messages that
// could not start in time are retried, the redelivery sends only those,
// nothing is sent twice, and every message of every push ended as an
// sms.result event (the batch keeps time to store answers and ship them).
func (e *idemEnv) outrunsItsTime(t *testing.T) {
	if _, err := e.s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultLatency, Latency: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer e.s.Dysms.ClearFaults()
	var batch []fcrt.MNSMessage
	for i := range 32 {
		batch = append(batch, fcrt.MNSMessage{MessageID: fmt.Sprintf("OUTRUN%02d", i), Body: notice(fmt.Sprintf("139000001%02d", i), "ok")})
	}
	_, pushes, err := e.deliver(t, batch...)
	if err != nil || pushes < 2 {
		t.Fatalf("delivery: %d pushes, err %v (32 sends of 1.5 s, 4 at a time, cannot fit in one 12 s invocation)", pushes, err)
	}
	retried := 0
	for i, m := range batch {
		if n := e.sent(fmt.Sprintf("139000001%02d", i)); n != 1 {
			t.Errorf("%s sent %d times", m.MessageID, n)
		}
		rows := e.query(t, `event: "sms.result" and message_id: `+m.MessageID)
		if len(rows) != pushes {
			t.Errorf("%s: %d sms.result events for %d pushes", m.MessageID, len(rows), pushes)
		}
		for _, r := range rows {
			if r["disposition"] == "retry" {
				retried++
				if r["status"] != "failed" || r["http_status"] != "503" {
					t.Errorf("%s: retried as %v", m.MessageID, r)
				}
			}
		}
	}
	t.Logf("%d pushes, %d messages retried", pushes, retried)
	if retried == 0 || retried == len(batch) {
		t.Fatalf("%d of %d messages retried: the batch did not outrun its time as meant", retried, len(batch))
	}
}

func (e *idemEnv) events(t *testing.T) {
	query := func(q string) []map[string]string { return e.query(t, q) }
	replays := query(`event: "sms.result" and replayed: true`)
	if len(replays) < 2 {
		t.Fatalf("%d replayed results", len(replays))
	}
	for _, r := range replays {
		if len(r["idempotency_key"]) != 32 || r["status"] == "" || r["http_status"] == "" {
			t.Errorf("replayed result %v", r)
		}
	}
	poison := query(`event: "sms.result" and disposition: poison`)
	if len(poison) != 2 || poison[0]["error_message"] == "" || poison[0]["message_id"] == "" {
		t.Fatalf("poison results %v", poison)
	}
	limited := query(`event: "sms.result" and error_code: send_limited`)
	if len(limited) != 1 || limited[0]["status"] != "throttled" || limited[0]["http_status"] != "429" {
		t.Fatalf("send-limited results %v", limited)
	}
	if rows := query(replays[0]["idempotency_key"]); len(rows) == 0 {
		t.Fatal("a free-text search finds nothing: the leak check below would prove nothing")
	}
	for _, raw := range []string{"order-1001", "13900000001", "4821"} {
		if rows := query(raw); len(rows) != 0 {
			t.Errorf("%q is in the logstore: %v", raw, rows[0])
		}
	}
}
