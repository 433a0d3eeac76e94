package receipts

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/local/testkit"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

const testToken = "push-secret"

// lockedBuffer is the function's stdout: the shipper writes events there
// when no SLS is configured.
type lockedBuffer struct{ testkit.Buffer }

func (l *lockedBuffer) events(t *testing.T, name string) []map[string]string {
	t.Helper()
	var out []map[string]string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		var e map[string]string
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("stdout line is not an event: %s", sc.Text())
		}
		if e[obs.KeyEvent] == name {
			out = append(out, e)
		}
	}
	return out
}

func (l *lockedBuffer) text() string { return l.String() }

type fixture struct {
	out     *lockedBuffer
	handler http.Handler
	recv    *Handler
	hasher  *phone.Hasher
	failing bool
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{out: &lockedBuffer{}, hasher: phone.NewHasher([]byte("k"))}
	shipper := obs.NewShipper(config.Logs{}, "receipts", creds.NewSource(false), f.out)
	logger := obs.NewLogger(shipper)
	sum := sha256.Sum256([]byte(testToken))
	f.recv = New(Options{
		Recorder: &Recorder{Logger: logger, Hasher: f.hasher, Store: func(ctx context.Context) error {
			if f.failing {
				return errors.New("SLS unreachable")
			}
			return shipper.FlushOrFail(ctx)
		}},
		Auth:   config.ReceiptsAuth{TokenSHA256: []string{hex.EncodeToString(sum[:])}, MaxBodyBytes: 4096},
		Logger: logger,
	})
	f.handler = obs.Middleware(f.recv, shipper)
	return f
}

func (f *fixture) push(t *testing.T, path, body string) (int, answer) {
	t.Helper()
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	var a answer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer is not JSON: %s", w.Body)
	}
	return w.Code, a
}

// receiptFor is what Alibaba pushes for a send made in trace sc.
func receiptFor(sc trace.SpanContext, callerOutID, phoneNumber string, success bool, code, report string) string {
	out := sms.WireOutID(trace.NewContext(context.Background(), sc), callerOutID)
	b, _ := json.Marshal(map[string]any{"phone_number": phoneNumber, "send_time": "2026-11-27 20:00:00",
		"report_time": report, "success": success, "err_code": code, "err_msg": "", "sms_size": "1",
		"biz_id": "900619746936498440^0", "out_id": out})
	return string(b)
}

// conformance: RC-03, RC-07
func TestPushRecordsReceiptsInTheSendersTrace(t *testing.T) {
	f := newFixture(t)
	send := trace.NewRoot()
	body := "[" + receiptFor(send, "order-1", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04") + "]"
	status, a := f.push(t, PushPathPrefix+testToken, body)
	if status != http.StatusOK || a.Code != 0 || a.Msg != "成功" {
		t.Fatalf("answer %d %+v, want 200 {0 成功}", status, a)
	}
	got := f.out.events(t, obs.EventReceipt)
	if len(got) != 1 {
		t.Fatalf("%d sms.receipt events", len(got))
	}
	e := got[0]
	n, _ := phone.Normalize("13800138000")
	want := map[string]string{
		obs.KeyTraceID: send.TraceIDString(), obs.KeyParentSpanID: send.SpanIDString(),
		obs.KeyStatus: "delivered", obs.KeyDelivered: "true", obs.KeyErrorCode: "DELIVERED",
		obs.KeyTimeToDeliveryMS: "4000", obs.KeySMSSize: "1", obs.KeyOutID: "order-1",
		obs.KeyBizID: "900619746936498440^0", obs.KeyPhoneMasked: "138****8000", obs.KeyPhoneHash: f.hasher.Hash(n),
		obs.KeyReceiptSource: SourceHTTP, obs.KeyJoinedBy: "out_id", obs.KeySendTime: "2026-11-27T12:00:00Z",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %q, want %q", k, e[k], v)
		}
	}
	if len(e[obs.KeyReceiptID]) != 32 {
		t.Errorf("receipt_id %q", e[obs.KeyReceiptID])
	}
	if strings.Contains(f.out.text(), "13800138000") {
		t.Error("a full phone number reached the logs")
	}
}

// conformance: RC-06
func TestPushRecordsARepeatOnceAndARePushWithTheSameID(t *testing.T) {
	f := newFixture(t)
	send := trace.NewRoot()
	one := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	part2 := receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:05")
	if status, _ := f.push(t, PushPathPrefix+testToken, "["+one+","+one+","+part2+"]"); status != http.StatusOK {
		t.Fatal(status)
	}
	if status, _ := f.push(t, PushPathPrefix+testToken, "["+one+"]"); status != http.StatusOK {
		t.Fatal(status)
	}
	ids := map[string]int{}
	for _, e := range f.out.events(t, obs.EventReceipt) {
		ids[e[obs.KeyReceiptID]]++
	}
	// The repeat inside one push is dropped; the re-push is logged again
	// with the same id, so count(DISTINCT receipt_id) is 2: two parts.
	if len(ids) != 2 {
		t.Fatalf("distinct receipt ids %v, want 2 (two parts)", ids)
	}
	counts := []int{}
	for _, n := range ids {
		counts = append(counts, n)
	}
	if counts[0]+counts[1] != 3 {
		t.Errorf("events per id %v, want 2+1", ids)
	}
}

func TestPushWithoutOurTokenJoinsByBizID(t *testing.T) {
	f := newFixture(t)
	body := `[{"phone_number":"13800138000","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01",
"success":false,"err_code":"MK:0001","sms_size":"1","biz_id":"42^0","out_id":"someone-elses"}]`
	if status, _ := f.push(t, PushPathPrefix+testToken, body); status != http.StatusOK {
		t.Fatal(status)
	}
	for i := 0; i < 2; i++ { // the same BizId always lands in the same trace
		f.push(t, PushPathPrefix+testToken, strings.Replace(body, "20:00:01", "20:00:0"+string(rune('2'+i)), 1))
	}
	got := f.out.events(t, obs.EventReceipt)
	if len(got) != 3 || got[0][obs.KeyTraceID] != got[2][obs.KeyTraceID] || got[0][obs.KeyJoinedBy] != "biz_id" ||
		got[0][obs.KeyOutID] != "someone-elses" || got[0][obs.KeyStatus] != "failed" || got[0][obs.KeyDelivered] != "false" {
		t.Errorf("events %v", got)
	}
}

func TestBadPushIs400AndLoggedNotRecorded(t *testing.T) {
	f := newFixture(t)
	good := receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")
	for _, body := range []string{"not json", `{"a":1}`, "[" + good + `,{"phone_number":"13800138000"}]`} {
		status, a := f.push(t, PushPathPrefix+testToken, body)
		if status != http.StatusBadRequest || a.Code == 0 || !strings.HasPrefix(a.Msg, "bad receipt push: ") {
			t.Errorf("%.20s: %d %+v, want 400 with the reason", body, status, a)
		}
	}
	if got := f.out.events(t, obs.EventReceipt); len(got) != 0 {
		t.Errorf("a refused push recorded %d receipts", len(got))
	}
	rejected := f.out.events(t, obs.EventReceiptRejected)
	if len(rejected) != 3 || rejected[2][obs.KeyField] != "biz_id" || rejected[2][obs.KeyHTTPStatus] != "400" {
		t.Errorf("rejections %v", rejected)
	}
	if strings.Contains(f.out.text(), "13800138000") {
		t.Error("a refused body leaked into the logs")
	}
}

// conformance: RC-03
func TestPushNotStoredIs500SoAlibabaPushesAgain(t *testing.T) {
	f := newFixture(t)
	f.failing = true
	body := "[" + receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04") + "]"
	if status, a := f.push(t, PushPathPrefix+testToken, body); status != http.StatusInternalServerError || a.Code == 0 {
		t.Fatalf("%d %+v, want 500 and a non-zero code", status, a)
	}
}

func TestPushAuthentication(t *testing.T) {
	f := newFixture(t)
	body := "[" + receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04") + "]"
	for path, want := range map[string]int{
		PushPathPrefix + "wrong":           http.StatusUnauthorized,
		PushPathPrefix:                     http.StatusUnauthorized,
		PushPathPrefix + testToken + "/x":  http.StatusUnauthorized,
		"/elsewhere":                       http.StatusNotFound,
		PushPathPrefix + testToken + "%00": http.StatusUnauthorized,
	} {
		if status, _ := f.push(t, path, body); status != want {
			t.Errorf("%s: %d, want %d", path, status, want)
		}
	}
	if strings.Contains(f.out.text(), "wrong") {
		t.Error("a presented token was logged")
	}
	unconfigured := New(Options{Recorder: &Recorder{Hasher: f.hasher}})
	w := httptest.NewRecorder()
	unconfigured.ServeHTTP(w, httptest.NewRequest(http.MethodPost, PushPathPrefix+testToken, strings.NewReader(body)))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("without a configured token: %d, want 503", w.Code)
	}
}

func TestPushBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	if status, _ := f.push(t, PushPathPrefix+testToken, "["+strings.Repeat(" ", 5000)+"]"); status != http.StatusRequestEntityTooLarge {
		t.Errorf("%d, want 413", status)
	}
}

// The push URL is anonymous (Alibaba cannot sign), so whoever calls it must
// not choose the trace its lines land in: a traceparent naming someone
// else's message would put "refused" and "rejected" lines into that
// message's trace view. A push is a trace of its own; its receipts join
// their sends through out_id alone.
func TestPushDoesNotContinueTheCallersTrace(t *testing.T) {
	f := newFixture(t)
	victim := trace.NewRoot()
	send := trace.NewRoot()
	good := "[" + receiptFor(send, "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04") + "]"
	for path, body := range map[string]string{
		PushPathPrefix + "guessed": good,
		PushPathPrefix + testToken: "not json",
	} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set(trace.Header, victim.Traceparent())
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, req)
		if w.Code == http.StatusOK || w.Header().Get("X-Trace-Id") == victim.TraceIDString() {
			t.Errorf("%s: %d, trace %s: the push continued the caller's trace", path, w.Code, w.Header().Get("X-Trace-Id"))
		}
	}
	if strings.Contains(f.out.text(), victim.TraceIDString()) {
		t.Errorf("a line of a refused push landed in the trace its caller named:\n%s", f.out.text())
	}
}
