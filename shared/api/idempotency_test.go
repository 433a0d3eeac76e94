package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/idem"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

// scriptedSender answers the outcomes it is given, in order (the last one
// repeats), and can hold a call until released.
type scriptedSender struct {
	mu       sync.Mutex
	outcomes []sms.Outcome
	calls    atomic.Int32
	hold     chan struct{} // when set, Send waits for it to close
	entered  chan struct{} // when set, Send signals it has started
}

func (s *scriptedSender) Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	n := int(s.calls.Add(1))
	if s.entered != nil {
		s.entered <- struct{}{}
	}
	if s.hold != nil {
		<-s.hold
	}
	s.mu.Lock()
	o := s.outcomes[min(n, len(s.outcomes))-1]
	s.mu.Unlock()
	a := sms.Attempt{Number: 1, Start: time.Now(), Outcome: o}
	hook(ctx, a)
	return o, []sms.Attempt{a}
}

func accepted(biz string) sms.Outcome {
	return sms.Outcome{Status: sms.StatusAccepted, BizID: biz, RequestID: "RID-" + biz, HTTPStatus: 200, Code: "OK"}
}

func idemHandler(t *testing.T, s Sender, store *idem.Store, logs *bytes.Buffer) *Handler {
	t.Helper()
	limits, err := idem.ParseLimits("verification=1/1m,5/1h", "SMS_LOCAL_OTP=verification")
	if err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return New(Options{
		Sender:      s,
		Auth:        config.HTTPAuth{TriggerAuth: "anonymous", TokenSHA256: []string{tokenHash(testToken)}, MaxBodyBytes: 65536},
		Logger:      obs.NewLogger(obs.NewShipper(config.Logs{}, "send", creds.NewSource(true), logs)),
		Hasher:      phone.NewHasher([]byte("k")),
		Idempotency: &Idempotency{Store: store, Limits: limits, Keyer: idem.NewKeyer([]byte("k"))},
	})
}

func memStore() *idem.Store { return idem.NewMemory(time.Hour, time.Minute) }

const noticeBody = `{"phone_numbers":["13800138000"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"Li","status":"ok"}}`

func TestKeyedRequestIsSentOnceAndReplayed(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1"), accepted("B2")}}
	var logs bytes.Buffer
	h := idemHandler(t, s, memStore(), &logs)
	first := post(h, "application/json", noticeBody, "Idempotency-Key", "order-42")
	if first.Code != 200 || first.Header().Get(HeaderReplayed) != "" {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	// Same message, written differently: still the same payload.
	again := post(h, "application/json", strings.Replace(noticeBody, `"13800138000"`, `"+8613800138000"`, 1), "Idempotency-Key", "order-42")
	if again.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get(HeaderReplayed) != "true" {
		t.Fatalf("replay: %d %q (first %q) headers %v", again.Code, again.Body, first.Body, again.Header())
	}
	if s.calls.Load() != 1 {
		t.Fatalf("sender called %d times", s.calls.Load())
	}
	other := post(h, "application/json", strings.Replace(noticeBody, `"ok"`, `"late"`, 1), "Idempotency-Key", "order-42")
	if other.Code != 422 || decodeError(t, other).Error.Code != CodeIdempotencyMismatch {
		t.Fatalf("different payload: %d %s", other.Code, other.Body)
	}
	if s.calls.Load() != 1 {
		t.Fatal("a reused key sent")
	}
	var replayed []any
	for _, e := range parseLogs(t, &logs) {
		if e["event"] != "sms.result" {
			continue
		}
		replayed = append(replayed, e["replayed"])
		if e["idempotency_key"] == nil || e["idempotency_key"] == "order-42" {
			t.Fatalf("result without a hashed key: %v", e)
		}
	}
	if len(replayed) != 3 || replayed[0] != "false" || replayed[1] != "true" || replayed[2] != "false" {
		t.Fatalf("replayed on the three results: %v", replayed)
	}
	if strings.Contains(logs.String(), "order-42") || strings.Contains(logs.String(), "13800138000") {
		t.Fatal("logs carry the key or the number in clear")
	}
}

func TestInvalidIdempotencyKeys(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B")}}
	h := idemHandler(t, s, memStore(), nil)
	for _, k := range []string{"has space", strings.Repeat("k", 256), "ключ", `"`, "a;b"} {
		w := post(h, "application/json", noticeBody, "Idempotency-Key", k)
		if w.Code != 400 || decodeError(t, w).Error.Code != CodeInvalidIdempotencyKey {
			t.Errorf("key %q: %d %s", k, w.Code, w.Body)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(noticeBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+testToken)
	r.Header.Add("Idempotency-Key", "a")
	r.Header.Add("Idempotency-Key", "b")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 400 {
		t.Errorf("two keys: %d", w.Code)
	}
	if s.calls.Load() != 0 {
		t.Fatal("a request with a bad key was sent")
	}
}

func TestInFlightKeyAnswers409(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B")}, hold: make(chan struct{}), entered: make(chan struct{}, 1)}
	h := idemHandler(t, s, memStore(), nil)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- post(h, "application/json", noticeBody, "Idempotency-Key", "k1") }()
	<-s.entered
	w := post(h, "application/json", noticeBody, "Idempotency-Key", "k1")
	if w.Code != 409 || decodeError(t, w).Error.Code != CodeIdempotencyInFlight || w.Header().Get("Retry-After") == "" {
		t.Fatalf("while in flight: %d %s", w.Code, w.Body)
	}
	close(s.hold)
	if first := <-done; first.Code != 200 {
		t.Fatalf("first: %d", first.Code)
	}
}

func TestNotSentReleasesTheKeyUnknownKeepsIt(t *testing.T) {
	transient := sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassTransient, Code: "ServiceUnavailable", HTTPStatus: 503}
	s := &scriptedSender{outcomes: []sms.Outcome{transient, accepted("B")}}
	h := idemHandler(t, s, memStore(), nil)
	if w := post(h, "application/json", noticeBody, "Idempotency-Key", "k"); w.Code != 503 {
		t.Fatalf("first: %d", w.Code)
	}
	if w := post(h, "application/json", noticeBody, "Idempotency-Key", "k"); w.Code != 200 || w.Header().Get(HeaderReplayed) != "" {
		t.Fatalf("retry after a provably unsent failure: %d %v", w.Code, w.Header())
	}
	unknown := &scriptedSender{outcomes: []sms.Outcome{{Status: sms.StatusUnknown, Class: sms.ClassAmbiguous}, accepted("B")}}
	h = idemHandler(t, unknown, memStore(), nil)
	first := post(h, "application/json", noticeBody, "Idempotency-Key", "u")
	again := post(h, "application/json", noticeBody, "Idempotency-Key", "u")
	if first.Code != 504 || again.Code != 504 || again.Body.String() != first.Body.String() || unknown.calls.Load() != 1 {
		t.Fatalf("unknown outcome: %d then %d, %d sends", first.Code, again.Code, unknown.calls.Load())
	}
}

func TestSendLimitAnswers429BeforeSending(t *testing.T) {
	rejected := sms.Outcome{Status: sms.StatusRejected, Class: sms.ClassCaller, Code: "isv.PARAM_LENGTH_LIMIT"}
	s := &scriptedSender{outcomes: []sms.Outcome{rejected, accepted("B1"), accepted("B2")}}
	h := idemHandler(t, s, memStore(), nil)
	// A refused send is not counted: the limit is about sends.
	if w := post(h, "application/json", okBody); w.Code != 422 {
		t.Fatalf("rejected: %d", w.Code)
	}
	if w := post(h, "application/json", okBody); w.Code != 200 {
		t.Fatalf("first send: %d %s", w.Code, w.Body)
	}
	w := post(h, "application/json", okBody, "Idempotency-Key", "fresh")
	e := decodeError(t, w)
	if w.Code != 429 || e.Error.Code != CodeSendLimited || w.Header().Get("Retry-After") == "" || e.Error.Field != "phone_numbers" {
		t.Fatalf("second within the minute: %d %s %v", w.Code, w.Body, w.Header())
	}
	if s.calls.Load() != 2 {
		t.Fatalf("sender called %d times", s.calls.Load())
	}
	// The refused key was released: it can send once the window allows.
	if w := post(h, "application/json", noticeBody); w.Code != 200 {
		t.Fatalf("another template kind is not limited: %d", w.Code)
	}
}

func TestStoreDownRefusesKeyedRequestsOnly(t *testing.T) {
	m := miniredis.RunT(t)
	store := idem.NewRedis(redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1, DialerRetries: 1}), time.Hour, time.Minute)
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B")}}
	h := idemHandler(t, s, store, nil)
	m.Close()
	w := post(h, "application/json", noticeBody, "Idempotency-Key", "k")
	if w.Code != 503 || decodeError(t, w).Error.Code != CodeIdempotencyStoreDown || s.calls.Load() != 0 {
		t.Fatalf("keyed with the store down: %d %s, %d sends", w.Code, w.Body, s.calls.Load())
	}
	if w := post(h, "application/json", noticeBody); w.Code != 200 {
		t.Fatalf("unkeyed with the store down: %d", w.Code)
	}
	hw := httptest.NewRecorder()
	h.ServeHTTP(hw, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	var health map[string]any
	_ = json.Unmarshal(hw.Body.Bytes(), &health)
	if health["idempotency_store"] != "redis" || health["idempotency_store_reachable"] != false {
		t.Fatalf("healthz: %v", health)
	}
}

func TestHealthzSaysTheStoreIsPerInstance(t *testing.T) {
	h := idemHandler(t, &scriptedSender{}, memStore(), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	var health map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &health)
	if health["idempotency_store"] != "memory" || !strings.Contains(health["warning"].(string), "per instance") {
		t.Fatalf("healthz: %v", health)
	}
}

// conformance: MNS-07
func TestDeliverDispositions(t *testing.T) {
	transient := sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassTransient, Code: "ServiceUnavailable", HTTPStatus: 503}
	s := &scriptedSender{outcomes: []sms.Outcome{transient, accepted("B")}}
	var logs bytes.Buffer
	h := idemHandler(t, s, memStore(), &logs)
	ctx := context.Background()
	tp := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	withEnvelope := strings.Replace(noticeBody, `{`, `{"traceparent":"`+tp+`",`, 1)
	cases := []struct {
		body, id string
		want     Disposition
	}{
		{withEnvelope, "m1", DispositionRetry},
		{withEnvelope, "m1", DispositionSent},
		{withEnvelope, "m1", DispositionReplayed},
		{`{"phone_numbers":`, "m2", DispositionPoison},
		{`{"phone_numbers":["123"],"sign_name":"s","template_code":"SMS_1"}`, "m3", DispositionPoison},
		{strings.Replace(noticeBody, `{`, `{"idempotency_key":"bad key",`, 1), "m4", DispositionPoison},
		// An explicit key wins over the message id: a re-published copy is a replay.
		{strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-7",`, 1), "m5", DispositionSent},
		{strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-7",`, 1), "m6", DispositionReplayed},
	}
	for i, c := range cases {
		if d := h.Deliver(ctx, Message{Body: []byte(c.body), ID: c.id, Source: "test"}); d.Disposition != c.want {
			t.Errorf("case %d: %+v, want %s", i, d, c.want)
		}
	}
	if s.calls.Load() != 3 {
		t.Fatalf("sender called %d times, want 3", s.calls.Load())
	}
	for _, e := range parseLogs(t, &logs) {
		if e["event"] == "sms.result" && e["message_id"] == "m1" && e["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Fatalf("message does not continue its traceparent: %v", e)
		}
		if e["event"] == "sms.result" && e["disposition"] == nil {
			t.Fatalf("result without a disposition: %v", e)
		}
	}
}

// A message refused for good is stored, not released: when another
// message of the batch makes EventBridge deliver it again, it replays
// instead of going to Alibaba (or through the send limit) a second time.
func TestDeliverRefusalsReplayOnRedelivery(t *testing.T) {
	flow := sms.Outcome{Status: sms.StatusThrottled, Class: sms.ClassFlowControl, Code: "isv.BUSINESS_LIMIT_CONTROL", HTTPStatus: 200}
	s := &scriptedSender{outcomes: []sms.Outcome{flow, accepted("B1"), accepted("B2")}}
	h := idemHandler(t, s, memStore(), nil)
	ctx := context.Background()
	steps := []struct {
		body, id string
		want     Disposition
	}{
		{noticeBody, "flow", DispositionRefused},
		{noticeBody, "flow", DispositionReplayed},
		{okBody, "otp-1", DispositionSent},
		{okBody, "otp-2", DispositionRefused}, // our per-number limit
		{okBody, "otp-2", DispositionReplayed},
	}
	for i, c := range steps {
		if d := h.Deliver(ctx, Message{Body: []byte(c.body), ID: c.id, Source: "test"}); d.Disposition != c.want {
			t.Errorf("step %d (%s): %+v, want %s", i, c.id, d, c.want)
		}
	}
	if n := s.calls.Load(); n != 2 {
		t.Fatalf("sender called %d times, want 2 (the refused message went out again)", n)
	}
}

// Credentials or account trouble (a RAM policy, the balance, the daily
// quota) refuses every message until an operator acts, and nothing was
// sent. Consumed as "refused", each message was gone for good: its body is
// in no log, so nobody could publish it again. Retried instead (the key
// released), the batch fails, and after EventBridge's retries it waits in
// the dead-letter queue; re-driven once the cause is fixed, it is sent.
//
// conformance: MNS-08
func TestDeliverLeavesOperatorTroubleToTheDeadLetterQueue(t *testing.T) {
	for _, o := range []sms.Outcome{
		{Status: sms.StatusFailed, Class: sms.ClassAccount, Code: "isv.AMOUNT_NOT_ENOUGH", HTTPStatus: 200},
		{Status: sms.StatusFailed, Class: sms.ClassCredentials, Code: "isp.RAM_PERMISSION_DENY", HTTPStatus: 200},
	} {
		s := &scriptedSender{outcomes: []sms.Outcome{o, accepted("B1")}}
		h := idemHandler(t, s, memStore(), nil)
		keyed := strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-77",`, 1)
		if d := h.Deliver(context.Background(), Message{Body: []byte(keyed), ID: "m1", Source: "test"}); d.Disposition != DispositionRetry {
			t.Errorf("%s: %+v, want retry", o.Code, d)
		}
		// Re-driven from the dead-letter queue: a new message id, the same key.
		if d := h.Deliver(context.Background(), Message{Body: []byte(keyed), ID: "m2", Source: "test"}); d.Disposition != DispositionSent {
			t.Errorf("%s, once fixed: %+v, want sent (the refusal was stored)", o.Code, d)
		}
	}
}

// Event ids are unique per source only: two sources that both number their
// events from 1 must not replay (or refuse) each other's messages. Nor may
// two sources that pick the same explicit idempotency_key (issue 10.3); a
// redelivery from the same source replays.
func TestDeliverScopesEventIDsBySource(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1"), accepted("B2"), accepted("B3"), accepted("B4")}}
	h := idemHandler(t, s, memStore(), nil)
	ctx := context.Background()
	other := strings.Replace(noticeBody, `"status":"ok"`, `"status":"shipped"`, 1)
	keyed := strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-9",`, 1)
	steps := []struct {
		body, id, source string
		want             Disposition
	}{
		{noticeBody, "1", "eventbridge:shop", DispositionSent},
		{other, "1", "eventbridge:billing", DispositionSent},
		{other, "1", "eventbridge:billing", DispositionReplayed},
		{keyed, "2", "eventbridge:shop", DispositionSent},
		{keyed, "7", "eventbridge:billing", DispositionSent},
		{keyed, "8", "eventbridge:shop", DispositionReplayed},
	}
	for i, c := range steps {
		if d := h.Deliver(ctx, Message{Body: []byte(c.body), ID: c.id, Source: c.source}); d.Disposition != c.want {
			t.Errorf("step %d: %+v, want %s", i, d, c.want)
		}
	}
	if n := s.calls.Load(); n != 4 {
		t.Fatalf("sender called %d times, want 4", n)
	}
}

// The default limits are for kind "verification": until
// SMSFLOW_TEMPLATE_KINDS names a template of that kind they limit nothing,
// and the function must say so instead of announcing them as active.
func TestLimitsThatApplyToNoTemplateAreCalledOut(t *testing.T) {
	for _, c := range []struct {
		limits, kinds string
		inert         bool
	}{
		{"verification=1/1m,5/1h", "", true},
		{"verification=1/1m,5/1h", "SMS_LOCAL_OTP=verification", false},
		// Limits turned off (as the local stack does) apply to nothing, and
		// that is no mistake to call out.
		{idem.LimitsOff, "", false},
	} {
		var logs bytes.Buffer
		cfg := config.Idempotency{SendLimits: c.limits, TemplateKinds: c.kinds, Retention: time.Hour, Lease: time.Minute}
		if _, err := OpenIdempotency(context.Background(), cfg, "", []byte("k"), slog.New(slog.NewJSONHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "apply to NO template"); got != c.inert {
			t.Errorf("kinds %q: warned %v, want %v:\n%s", c.kinds, got, c.inert, logs.String())
		}
	}
}

// A message nothing can key (no idempotency_key, an event without an id)
// or one whose body is over the API's limit is the publisher's mistake:
// poison, refused with its reason, nothing sent. It is not an outage of
// the store (503, ERROR, a failed send decision that the failure-rate
// rules count), and the HTTP API's limits hold for messages too.
func TestDeliverRefusesWhatTheHTTPAPIRefuses(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1")}}
	var logs bytes.Buffer
	h := idemHandler(t, s, memStore(), &logs)
	huge := strings.Replace(noticeBody, `{`, `{`+strings.Repeat(" ", 65536), 1)
	for _, c := range []struct {
		name, body, id, code string
	}{
		{"no id, no key", noticeBody, "", CodeInvalidIdempotencyKey},
		{"over the body limit", huge, "big-1", CodeBodyTooLarge},
	} {
		logs.Reset()
		d := h.Deliver(context.Background(), Message{Body: []byte(c.body), ID: c.id, Source: "eventbridge:shop"})
		if d.Disposition != DispositionPoison || d.Code != c.code || d.HTTPStatus >= 500 {
			t.Errorf("%s: %+v, want poison %s", c.name, d, c.code)
		}
		for _, e := range parseLogs(t, &logs) {
			if e["event"] == "sms.result" && (e["decision"] != "refused" || e["status"] != "rejected" || e["error_message"] == "") {
				t.Errorf("%s: logged as %v", c.name, e)
			}
		}
	}
	if n := s.calls.Load(); n != 0 {
		t.Fatalf("sender called %d times", n)
	}
}

// cancellingSender ends its caller's context while the send runs (the
// invocation's time runs out mid-call), then answers.
type cancellingSender struct {
	cancel func()
	calls  atomic.Int32
}

func (s *cancellingSender) Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	s.calls.Add(1)
	s.cancel()
	o := accepted("B-late")
	a := sms.Attempt{Number: 1, Start: time.Now(), Outcome: o}
	hook(ctx, a)
	return o, []sms.Attempt{a}
}

// What a message's send came to is stored even when the message's time ran
// out during the call: the store has its own timeout, and an answer not
// stored leaves the key in flight (every redelivery 409, then "unknown"
// for good) although the SMS was accepted.
func TestDeliverStoresTheAnswerAfterItsTimeRanOut(t *testing.T) {
	m := miniredis.RunT(t)
	store := idem.NewRedis(redis.NewClient(&redis.Options{Addr: m.Addr()}), time.Hour, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	s := &cancellingSender{cancel: cancel}
	h := idemHandler(t, s, store, nil)
	if d := h.Deliver(ctx, Message{Body: []byte(noticeBody), ID: "late-1", Source: "eventbridge:shop"}); d.Disposition != DispositionSent {
		t.Fatalf("first delivery: %+v", d)
	}
	if d := h.Deliver(context.Background(), Message{Body: []byte(noticeBody), ID: "late-1", Source: "eventbridge:shop"}); d.Disposition != DispositionReplayed || d.HTTPStatus != 200 {
		t.Fatalf("redelivery: %+v, want the stored 200 replayed", d)
	}
	if n := s.calls.Load(); n != 1 {
		t.Fatalf("sender called %d times", n)
	}
}

// A message whose time ran out before it started (the end of a batch that
// took too long) is not sent and is retried; its event says so, instead of
// blaming the idempotency store, and it leaves no claim behind.
func TestDeliverWithNoTimeLeftIsRetriedAndSaysWhy(t *testing.T) {
	m := miniredis.RunT(t)
	store := idem.NewRedis(redis.NewClient(&redis.Options{Addr: m.Addr()}), time.Hour, time.Minute)
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("B1")}}
	var logs bytes.Buffer
	h := idemHandler(t, s, store, &logs)
	ended, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	d := h.Deliver(ended, Message{Body: []byte(noticeBody), ID: "late-2", Source: "eventbridge:shop"})
	if d.Disposition != DispositionRetry || s.calls.Load() != 0 {
		t.Fatalf("no time left: %+v, %d sends", d, s.calls.Load())
	}
	for _, e := range parseLogs(t, &logs) {
		if e["event"] != "sms.result" {
			continue
		}
		if e["error_class"] == "idempotency_store" || e["error_code"] == CodeIdempotencyStoreDown || !strings.Contains(fmt.Sprint(e["error_message"]), "time") {
			t.Errorf("the result blames something else than the time: %v", e)
		}
	}
	if d := h.Deliver(context.Background(), Message{Body: []byte(noticeBody), ID: "late-2", Source: "eventbridge:shop"}); d.Disposition != DispositionSent {
		t.Fatalf("redelivery: %+v, want sent", d)
	}
}
