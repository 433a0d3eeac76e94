package receipts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"smsflow/local/testkit"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sessionlink"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

const tencentToken = "tencent-push-secret"

func hashOf(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }

// tencentFixture serves Alibaba's push with testToken and Tencent's with
// its own token, Tencent's receipts joined through a session link store.
func tencentFixture(t *testing.T) (*lockedBuffer, http.Handler, *sessionlink.Store) {
	out := &lockedBuffer{}
	shipper := obs.NewShipper(config.Logs{}, "receipts", creds.NewSource(false), out)
	logger := obs.NewLogger(shipper)
	links := sessionlink.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}))
	h := New(Options{
		Recorder:  &Recorder{Logger: logger, Hasher: phone.NewHasher([]byte("k")), Store: shipper.FlushOrFail},
		Auth:      config.ReceiptsAuth{TokenSHA256: []string{hashOf(testToken)}, MaxBodyBytes: 4096},
		Logger:    logger,
		Providers: []Provider{Alibaba, Tencent([]string{hashOf(tencentToken)}, links, logger)},
	})
	return out, obs.Middleware(h, shipper), links
}

func post(h http.Handler, path, body string) (int, map[string]any) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	var a map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &a)
	return w.Code, a
}

const tencentBody = `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"2640:111"},
{"user_receive_time":"2026-12-02 16:00:06","nationcode":"86","mobile":"13912345679","report_status":"FAIL","errmsg":"MK:0001","description":"用户短信送达失败","sid":"2640:222"}]`

// conformance: TC-08, TC-09
func TestTencentCallbackIsRecordedAndAnsweredAsTencentExpects(t *testing.T) {
	out, h, links := tencentFixture(t)
	send := trace.FromHeader("")
	sentAt := time.Date(2026, 12, 2, 8, 0, 3, 0, time.UTC) // 16:00:03 China time
	ctx := trace.NewContext(context.Background(), send)
	links.Put(ctx, []sms.SessionLink{{SerialNo: "2640:111", SessionContext: sms.WireOutID(ctx, ""), SentAt: sentAt}})
	status, a := post(h, TencentPathPrefix+tencentToken, tencentBody)
	if status != 200 || a["result"] != float64(0) || a["errmsg"] != "OK" {
		t.Fatalf("answer %d %v", status, a)
	}
	events := out.events(t, obs.EventReceipt)
	if len(events) != 2 {
		t.Fatalf("%d receipts logged", len(events))
	}
	byBiz := map[string]map[string]string{}
	for _, e := range events {
		byBiz[e[obs.KeyBizID]] = e
	}
	joined, alone := byBiz["2640:111"], byBiz["2640:222"]
	if joined[obs.KeyTraceID] != send.TraceIDString() || joined[obs.KeyParentSpanID] != send.SpanIDString() ||
		joined[obs.KeyJoinedBy] != "session_context" || joined[obs.KeyProvider] != "tencent" || joined[obs.KeyDelivered] != "true" ||
		joined[obs.KeyTimeToDeliveryMS] != "2000" || joined[obs.KeyReceiptSource] != SourceTencent {
		t.Errorf("joined receipt %v", joined)
	}
	if alone[obs.KeyJoinedBy] != "biz_id" || alone[obs.KeyDelivered] != "false" || alone[obs.KeyErrorCode] != "MK:0001" ||
		alone[obs.KeyTraceID] == send.TraceIDString() {
		t.Errorf("unlinked receipt %v", alone)
	}
	if strings.Contains(out.String(), "13912345678") {
		t.Error("a full number was logged")
	}
}

// conformance: TC-09
func TestEachProviderHasItsOwnToken(t *testing.T) {
	_, h, _ := tencentFixture(t)
	if status, a := post(h, TencentPathPrefix+testToken, tencentBody); status != 401 || a["result"] != float64(401) {
		t.Errorf("Alibaba's token opened Tencent's path: %d %v", status, a)
	}
	if status, _ := post(h, PushPathPrefix+tencentToken, `[]`); status != 401 {
		t.Errorf("Tencent's token opened Alibaba's path: %d", status)
	}
}

func TestTencentCallbackRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"not an array":  `{"sid":"1"}`,
		"no sid":        `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","report_status":"SUCCESS"}]`,
		"bad status":    `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","report_status":"OK","sid":"1"}]`,
		"bad time":      `[{"user_receive_time":"yesterday","nationcode":"86","mobile":"13912345678","report_status":"SUCCESS","sid":"1"}]`,
		"bad number":    `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"12","report_status":"SUCCESS","sid":"1"}]`,
		"missing state": `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","sid":"1"}]`,
	} {
		if _, err := ParseTencentPush([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	r, err := ParseTencentPush([]byte(`[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"44","mobile":"7700900123","report_status":"SUCCESS","errmsg":"DELIVRD","description":"ok","sid":"9"}]`))
	if err != nil || r[0].Phone.CountryCode() != "44" {
		t.Fatalf("international receipt: %v %v", r, err)
	}
}

// A stalled session-link store costs its share of the budget, never the
// answer: go-redis bounds a read by its own timeout, not the context's, so
// a lookup left to it would outlast the budget and the push would be
// answered 500 (and Tencent's receipts never recorded while Redis stalls).
// conformance: TC-09
func TestStalledSessionLinksStillRecordTencentReceipts(t *testing.T) {
	out := &lockedBuffer{}
	shipper := obs.NewShipper(config.Logs{}, "receipts", creds.NewSource(false), out)
	logger := obs.NewLogger(shipper)
	// The store's own timeout is far past any budget.
	links := sessionlink.Open(config.Redis{RedisAddr: testkit.SilentAddr(t), RedisTimeout: time.Minute})
	h := New(Options{
		Recorder:  &Recorder{Logger: logger, Hasher: phone.NewHasher([]byte("k")), Store: shipper.FlushOrFail},
		Auth:      config.ReceiptsAuth{TokenSHA256: []string{hashOf(testToken)}, MaxBodyBytes: 4096},
		Logger:    logger,
		Budget:    150 * time.Millisecond,
		Providers: []Provider{Alibaba, Tencent([]string{hashOf(tencentToken)}, links, logger)},
	})
	answered := make(chan int, 1)
	go func() {
		status, _ := post(obs.Middleware(h, shipper), TencentPathPrefix+tencentToken, tencentBody)
		answered <- status
	}()
	select {
	case status := <-answered:
		if status != http.StatusOK {
			t.Fatalf("answer %d, want 200: the receipts can be stored unjoined", status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the callback is still unanswered: the session-link lookup ignores the budget")
	}
	for _, e := range out.events(t, obs.EventReceipt) {
		if e[obs.KeyJoinedBy] != "biz_id" {
			t.Errorf("receipt joined by %q without its link", e[obs.KeyJoinedBy])
		}
	}
	if n := len(out.events(t, obs.EventReceipt)); n != 2 {
		t.Errorf("%d receipts recorded, want 2", n)
	}
}
