package dysms

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// conformance: RC-04
func TestPushAnswerRule(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, `{"code":0,"msg":"成功"}`, true},
		{200, `{"code":1,"msg":"whatever"}`, true}, // only "is it a number" is checked
		{200, `{"code":15}`, true},
		{200, `{"code":-1}`, true},
		{200, `{"code":"0","msg":"成功"}`, false}, // a string is not a number (our reading)
		{200, `{"msg":"成功"}`, false},
		{200, `{"code":null}`, false},
		{200, `OK`, false},
		{200, ``, false},
		{200, `[{"code":0}]`, false},
		{500, `{"code":0}`, false},
		{201, `{"code":0}`, false},
		{204, ``, false},
	} {
		err := pushAcknowledged(c.status, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("HTTP %d %s: acknowledged=%t (%v), want %t", c.status, c.body, err == nil, err, c.ok)
		}
	}
}

// scriptedReceiver answers the first push with first() and every later
// push with {"code":0}.
func scriptedReceiver(t *testing.T, first http.HandlerFunc) string {
	t.Helper()
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"code":0,"msg":"成功"}`))
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/v1/receipts/secret"
}

// pushLogAfter sends one message to an emulator pushing to url and answers
// the push log once an attempt is acknowledged (or after 5 s).
func pushLogAfter(t *testing.T, url string) []ReceiptPush {
	t.Helper()
	s, addr := startEmulator(t, Options{})
	if err := s.ConfigureReceipts(ReceiptConfig{PushURL: url, Delay: 20 * time.Millisecond,
		Retry: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if p := s.ReceiptPushes(); slices.ContainsFunc(p, func(p ReceiptPush) bool { return p.Acked }) {
			return p
		}
	}
	return s.ReceiptPushes()
}

// Each answer Alibaba does not accept makes the emulator push again; the
// second attempt is acknowledged.
// conformance: RC-04, RC-05
func TestUnacceptedAnswersArePushedAgain(t *testing.T) {
	for name, first := range map[string]http.HandlerFunc{
		"slower than 700 ms": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(AlibabaAnswerTimeout + 300*time.Millisecond):
			case <-r.Context().Done():
			}
			_, _ = w.Write([]byte(`{"code":0,"msg":"成功"}`))
		},
		"code as a string": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"code":"0","msg":"成功"}`))
		},
		"not JSON": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("success")) },
		"HTTP 500": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"code":0}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := pushLogAfter(t, scriptedReceiver(t, first))
			if len(log) != 2 || log[0].Acked || log[0].Error == "" || !log[1].Acked || log[1].Attempt != 2 {
				t.Errorf("push log %+v, want a failed first attempt and an acknowledged re-push", log)
			}
		})
	}
}

// A 200 with any numeric code is success: the emulator does not push again.
// conformance: RC-04
func TestNumericCodeOtherThanZeroIsAcknowledged(t *testing.T) {
	log := pushLogAfter(t, scriptedReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"code":15,"msg":"anything"}`))
	}))
	if len(log) != 1 || !log[0].Acked {
		t.Errorf("push log %+v, want one acknowledged push", log)
	}
}

// conformance: RC-05
func TestAlibabaRetryScheduleIsOneFiveTenMinutes(t *testing.T) {
	want := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute}
	if !slices.Equal(AlibabaRetrySchedule, want) || AlibabaAnswerTimeout != 700*time.Millisecond {
		t.Errorf("schedule %v, answer timeout %s; Alibaba's are %v and 700ms (doc 101508)", AlibabaRetrySchedule, AlibabaAnswerTimeout, want)
	}
	if c := (ReceiptConfig{PushURL: "http://x"}).withDefaults(); c.AnswerTimeout != AlibabaAnswerTimeout {
		t.Errorf("default answer timeout %s, want Alibaba's", c.AnswerTimeout)
	}
}

// With ReceiptsPending, a message accepted before the receipt
// configuration arrives is reported once it does: at Alibaba every
// accepted message gets a report (issue 14).
func TestMessagesAcceptedBeforeReceiptsAreConfiguredAreReported(t *testing.T) {
	s, addr := startEmulator(t, Options{ReceiptsPending: true})
	rv := &receiver{}
	ts := httptest.NewServer(rv)
	t.Cleanup(ts.Close)
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	if st, _ := queryStatus(t, addr, "13912345678"); st != 1 {
		t.Fatalf("before receipts are configured: status %d, want 1 (waiting for its report)", st)
	}
	if err := s.ConfigureReceipts(ReceiptConfig{PushURL: ts.URL + "/v1/receipts/secret", Delay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := rv.waitPushes(t, 1); got[0][0].PhoneNumber != "13912345678" || !got[0][0].Success {
		t.Errorf("push %+v, want the earlier message's receipt", got[0])
	}
}

// Without receipts after all, held messages get the outcome decided at
// acceptance, as when receipts were never expected.
func TestHeldMessagesAreSettledWhenReceiptsStayOff(t *testing.T) {
	s, addr := startEmulator(t, Options{ReceiptsPending: true})
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfigureReceipts(ReceiptConfig{}); err != nil {
		t.Fatal(err)
	}
	if st, code := queryStatus(t, addr, "13912345678"); st != 3 || code != "DELIVERED" {
		t.Errorf("status %d %q, want 3 DELIVERED", st, code)
	}
}
