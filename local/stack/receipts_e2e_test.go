package stack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/dysms"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/alert"
	"smsflow/shared/idem/redistest"
	"smsflow/shared/obs"
	"smsflow/shared/slsclient"
	"smsflow/shared/timeline"
)

// putLogsFault makes the next n PutLogs the receipts function sends fail
// with an answer the SLS SDK does not retry.
type putLogsFault struct{ remaining atomic.Int32 }

func (f *putLogsFault) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/logstores/") &&
			!strings.HasSuffix(r.URL.Path, "/logs") && f.remaining.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"errorCode":"WriteQuotaExceed","errorMessage":"injected by the receipts test"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type lockedOutput = testkit.Buffer

type rcEnv struct {
	s     *stack.Stack
	out   *lockedOutput
	fault *putLogsFault
	sls   sls.ClientInterface
}

// startReceiptStack is a stack with receipts after 200 ms and a quick
// re-push schedule; the parts the receipts do not need are left out. redis
// is stack.RedisAuto (a redis-server filters repeated receipts) or
// stack.RedisNone.
func startReceiptStack(t *testing.T, redis string) *rcEnv {
	t.Helper()
	if redis == stack.RedisAuto {
		redistest.Require(t) // the stack starts its own; fail (or skip, when allowed) without one
	}
	e := &rcEnv{out: &lockedOutput{}, fault: &putLogsFault{}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{
		FunctionOutput: e.out,
		Alert:          stack.AlertOptions{Disabled: true},
		Idem:           stack.IdemOptions{Redis: redis, DispatchDisabled: true},
		Receipts: stack.ReceiptOptions{Delay: 200 * time.Millisecond, SlowDelay: 3 * time.Second,
			Retry:     []time.Duration{150 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond},
			SLSFilter: e.fault.wrap},
	})
	if err != nil {
		t.Fatalf("starting the local stack: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	e.s = s
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	e.sls = slsclient.New(s.SLSAddr, p, 10*time.Second)
	return e
}

// send posts one message and answers the trace id and BizId.
func (e *rcEnv) send(t *testing.T, phone, template string, params map[string]string, outID string) (traceID, bizID string, answered time.Time) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"phone_numbers": []string{phone}, "sign_name": "smsflow",
		"template_code": template, "template_params": params, "out_id": outID})
	status, raw := postMessage(t, e.s.GatewayURL, body)
	answered = time.Now()
	var a struct{ Status, BizID, TraceID string }
	if err := json.Unmarshal(raw, &a); err != nil || status != http.StatusOK {
		t.Fatalf("send to %s: %d %s", phone, status, raw)
	}
	var accepted struct {
		BizID   string `json:"biz_id"`
		TraceID string `json:"trace_id"`
	}
	_ = json.Unmarshal(raw, &accepted)
	return accepted.TraceID, accepted.BizID, answered
}

// postMessage posts body to the send gateway with the local bearer token.
func postMessage(t *testing.T, gatewayURL string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, gatewayURL+"/v1/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func (e *rcEnv) query(t *testing.T, q string) []map[string]string {
	t.Helper()
	now := time.Now()
	rows, err := slsclient.Query(e.sls, stack.LocalProject, stack.LocalLogstore, q, now.Add(-time.Hour), now.Add(time.Minute), 100)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return rows
}

// waitReceipts waits until the trace holds n sms.receipt events.
func (e *rcEnv) waitReceipts(t *testing.T, traceID string, n int) []map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := e.query(t, `trace_id: `+traceID+` and event: "sms.receipt"`)
		if len(rows) >= n || time.Now().After(deadline) {
			if len(rows) != n {
				t.Fatalf("trace %s: %d receipts, want %d", traceID, len(rows), n)
			}
			return rows
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// timeline renders the trace as `go run ./local trace` does.
func (e *rcEnv) timeline(t *testing.T, traceID string, o timeline.Options) (string, string) {
	t.Helper()
	now := time.Now()
	rows, err := timeline.Fetch(e.sls, stack.LocalProject, stack.LocalLogstore, traceID, now.Add(-time.Hour), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	timeline.RenderMessage(&b, traceID, rows, o)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	return b.String(), lines[len(lines)-1]
}

func eventOf(rows []map[string]string, name string) map[string]string {
	for _, r := range rows {
		if r[obs.KeyEvent] == name {
			return r
		}
	}
	return nil
}

func TestReceiptsEndToEnd(t *testing.T) {
	e := startReceiptStack(t, stack.RedisAuto)
	t.Run("delivered", e.delivered)
	t.Run("failed with Alibaba's code", e.failed)
	t.Run("duplicates recorded once", e.duplicates)
	t.Run("receipt before the send's events", e.beforeTheSend)
	t.Run("multi-part and out of order", e.multiPart)
	t.Run("no receipt", e.noReceipt)
	t.Run("bad push body", e.badPush)
	t.Run("recording fails, Alibaba pushes again", e.recordingFails)
	t.Run("delivery alert rules", e.alertRules)
	if strings.Contains(e.out.String(), "13912340001") || strings.Contains(e.out.String(), stack.LocalReceiptsToken) {
		t.Error("the functions printed a full number or the push token")
	}
}

func (e *rcEnv) delivered(t *testing.T) {
	traceID, bizID, _ := e.send(t, "13912340001", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-order-1")
	receipt := e.waitReceipts(t, traceID, 1)[0]
	text, last := e.timeline(t, traceID, timeline.Options{})
	if last != "  => delivered" || !strings.Contains(text, "sms.receipt") {
		t.Fatalf("timeline:\n%s", text)
	}
	request := eventOf(e.query(t, "trace_id: "+traceID), obs.EventRequest)
	want := map[string]string{obs.KeyStatus: "delivered", obs.KeyDelivered: "true", obs.KeyErrorCode: "DELIVERED",
		obs.KeyBizID: bizID, obs.KeyOutID: "rcpt-order-1", obs.KeySMSSize: "1", obs.KeyJoinedBy: "out_id",
		obs.KeyPhoneHash: request[obs.KeyPhoneHash], obs.KeyPhoneMasked: request[obs.KeyPhoneMasked],
		obs.KeyParentSpanID: request[obs.KeySpanID], obs.KeyFunction: "receipts", obs.KeyReceiptSource: "http_push"}
	for k, v := range want {
		if receipt[k] != v || v == "" {
			t.Errorf("receipt %s = %q, want %q", k, receipt[k], v)
		}
	}
	if receipt[obs.KeyTimeToDeliveryMS] == "" {
		t.Error("no time_to_delivery_ms")
	}
	t.Logf("timeline:\n%s", text)
	// QuerySendDetails tells the same story; the wire OutId is the link
	// token, then the caller's out_id.
	found := false
	for _, m := range e.s.Dysms.Messages() {
		if m.BizID != bizID {
			continue
		}
		found = true
		if m.Status != dysms.StatusDelivered || !strings.HasPrefix(m.OutID, "sf1"+traceID) || !strings.HasSuffix(m.OutID, ".rcpt-order-1") {
			t.Errorf("emulator message: status %d out_id %q", m.Status, m.OutID)
		}
	}
	if !found {
		t.Error("the emulator has no message with the answered BizId")
	}
}

func (e *rcEnv) failed(t *testing.T) {
	traceID, _, _ := e.send(t, "13800000010", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-fail")
	receipt := e.waitReceipts(t, traceID, 1)[0]
	if receipt[obs.KeyDelivered] != "false" || receipt[obs.KeyErrorCode] != "MK:0001" {
		t.Errorf("receipt %v", receipt)
	}
	if text, last := e.timeline(t, traceID, timeline.Options{}); last != "  => failed (MK:0001)" {
		t.Fatalf("timeline:\n%s", text)
	}
}

func (e *rcEnv) duplicates(t *testing.T) {
	if e.s.RedisAddr == "" {
		t.Fatal("the stack runs no Redis: repeats cannot be filtered")
	}
	traceID, bizID, _ := e.send(t, "13800000016", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-dup")
	// Pushed twice, both acknowledged (a push is acknowledged only once
	// its receipts are stored, or known to be)...
	deadline := time.Now().Add(10 * time.Second)
	for acked := 0; acked < 2; {
		acked = 0
		for _, p := range e.s.Dysms.ReceiptPushes() {
			if p.Acked && len(p.BizIDs) == 1 && p.BizIDs[0] == bizID {
				acked++
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged pushes of the duplicated receipt, want 2", acked)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	rows := e.waitReceipts(t, traceID, 1) // ...and recorded once
	if rows[0][obs.KeyReceiptID] == "" {
		t.Fatalf("receipt without an id: %v", rows)
	}
	// Query-time dedupe still holds (it covers a Redis outage).
	n := e.query(t, `trace_id: `+traceID+` and event: "sms.receipt" | SELECT count(DISTINCT receipt_id) AS n`)
	if len(n) != 1 || n[0]["n"] != "1" {
		t.Errorf("count(DISTINCT receipt_id) = %v, want 1", n)
	}
	text, last := e.timeline(t, traceID, timeline.Options{})
	if strings.Count(text, "sms.receipt") != 1 || strings.Contains(text, "received 2×") || last != "  => delivered" {
		t.Errorf("timeline:\n%s", text)
	}
	skipped := e.query(t, `event: log and message: "already recorded" and receipt_source: http_push`)
	if len(skipped) == 0 || !strings.HasPrefix(skipped[0]["message"], "1 receipt(s) of this push already recorded") {
		t.Errorf("diagnostic for the skipped repeat: %v", skipped)
	}
}

// 13800000018's receipt is pushed, and recorded, before SendSms answers:
// the send function has not even logged its result, and ships its events
// only when it answers. The receipt still joins, by trace id.
func (e *rcEnv) beforeTheSend(t *testing.T) {
	traceID, bizID, answered := e.send(t, "13800000018", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-early")
	var acked time.Time
	for _, p := range e.s.Dysms.ReceiptPushes() {
		if p.Acked && len(p.BizIDs) == 1 && p.BizIDs[0] == bizID {
			acked = p.At
		}
	}
	if acked.IsZero() || !acked.Before(answered) {
		t.Fatalf("the receipt push was acknowledged at %v, the send answered at %v: want the receipt first", acked, answered)
	}
	rows := e.query(t, "trace_id: "+traceID)
	receipt, result := eventOf(rows, obs.EventReceipt), eventOf(rows, obs.EventResult)
	if receipt == nil || result == nil || !(receipt[obs.KeyTime] < result[obs.KeyTime]) {
		t.Fatalf("want the receipt recorded before the send's result: %v", rows)
	}
	text, last := e.timeline(t, traceID, timeline.Options{})
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if last != "  => delivered" || !strings.Contains(lines[len(lines)-2], "sms.receipt") {
		t.Errorf("timeline, receipt last:\n%s", text)
	}
}

func (e *rcEnv) multiPart(t *testing.T) {
	long := map[string]string{"name": strings.Repeat("张", 30), "status": strings.Repeat("已", 30)}
	traceID, _, _ := e.send(t, "13912340002", "SMS_LOCAL_NOTICE", long, "rcpt-long")
	rows := e.waitReceipts(t, traceID, 2)
	if rows[0][obs.KeySMSSize] != "2" || rows[0][obs.KeyReceiptID] == rows[1][obs.KeyReceiptID] {
		t.Errorf("part receipts %v", rows)
	}
	if text, last := e.timeline(t, traceID, timeline.Options{}); strings.Count(text, "sms.receipt") != 2 || last != "  => delivered" {
		t.Errorf("timeline:\n%s", text)
	}
	// 13800000017: the later part's receipt comes first; the timeline
	// lists them in report order.
	traceID, _, _ = e.send(t, "13800000017", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-ooo")
	rows = e.waitReceipts(t, traceID, 2)
	timeline.Sort(rows)
	if !(rows[0][obs.KeyReportTime] > rows[1][obs.KeyReportTime]) {
		t.Errorf("want the later report recorded first: %v", rows)
	}
	text, _ := e.timeline(t, traceID, timeline.Options{})
	first, second := strings.Index(text, "reported="+rows[1][obs.KeyReportTime]), strings.Index(text, "reported="+rows[0][obs.KeyReportTime])
	if first < 0 || second < first {
		t.Errorf("timeline not in report order:\n%s", text)
	}
}

func (e *rcEnv) noReceipt(t *testing.T) {
	traceID, _, _ := e.send(t, "13800000011", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-lost")
	if _, last := e.timeline(t, traceID, timeline.Options{ReceiptWait: time.Hour}); !strings.Contains(last, "waiting for the receipt") {
		t.Errorf("right after the send: %q", last)
	}
	later := time.Now().Add(2 * time.Minute)
	if text, last := e.timeline(t, traceID, timeline.Options{Now: later, ReceiptWait: time.Minute}); !strings.Contains(last, "no receipt after 1m: pending/lost?") {
		t.Errorf("after the wait:\n%s", text)
	}
}

func (e *rcEnv) badPush(t *testing.T) {
	before := len(e.query(t, `event: "sms.receipt_rejected"`))
	// A valid receipt for a trace nobody else uses, next to a broken one.
	valid := `{"phone_number":"13912340003","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01",` +
		`"success":true,"err_code":"DELIVERED","sms_size":"1","biz_id":"77^0","out_id":"sf1` + strings.Repeat("ab", 16) + strings.Repeat("c", 16) + `"}`
	for _, body := range []string{"<xml/>", "[" + valid + `,{"phone_number":"13912340003","success":true}]`} {
		resp, err := http.Post(e.s.ReceiptPushURL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "bad receipt push") {
			t.Errorf("%.10s: %d %s, want 400 with the reason", body, resp.StatusCode, raw)
		}
	}
	if rows := e.query(t, "trace_id: "+strings.Repeat("ab", 16)); len(rows) != 0 {
		t.Errorf("a refused push recorded %v", rows)
	}
	if after := len(e.query(t, `event: "sms.receipt_rejected"`)); after != before+2 {
		t.Errorf("rejections logged: %d, want %d", after, before+2)
	}
	resp, err := http.Post(e.s.ReceiptsURL+"/v1/receipts/not-the-token", "application/json", strings.NewReader("["+valid+"]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", resp.StatusCode)
	}
}

func (e *rcEnv) recordingFails(t *testing.T) {
	e.fault.remaining.Store(1)
	traceID, bizID, _ := e.send(t, "13912340004", "SMS_LOCAL_OTP", map[string]string{"code": "482913"}, "rcpt-retry")
	e.waitReceipts(t, traceID, 1)
	var attempts []dysms.ReceiptPush
	for _, p := range e.s.Dysms.ReceiptPushes() {
		if len(p.BizIDs) == 1 && p.BizIDs[0] == bizID {
			attempts = append(attempts, p)
		}
	}
	if len(attempts) != 2 || attempts[0].Acked || attempts[0].Status != http.StatusInternalServerError || !attempts[1].Acked {
		t.Fatalf("push attempts %+v, want a 500 then an acknowledged re-push", attempts)
	}
	time.Sleep(300 * time.Millisecond)
	e.waitReceipts(t, traceID, 1) // recorded once: the failed attempt stored nothing
}

// The default delivery rules compile to queries over fields the receipts
// carry; run them over this test's receipts (by their out_id).
func (e *rcEnv) alertRules(t *testing.T) {
	filter := "out_id: rcpt*"
	rate := e.query(t, alert.Rule{Kind: alert.KindDeliveryRate, Filter: filter}.CompiledQuery())
	p95 := e.query(t, alert.Rule{Kind: alert.KindDeliveryLatencyQuantile, Quantile: 0.95, Filter: filter}.CompiledQuery())
	if len(rate) != 1 || rate[0]["samples"] == "0" || rate[0]["value"] == "" || rate[0]["value"] == "1.0" || rate[0]["example_trace_id"] == "" {
		t.Errorf("delivery_rate rows %v: want samples, a rate below 1 (one failed) and the failed trace", rate)
	}
	if len(p95) != 1 || p95[0]["value"] == "" || p95[0]["samples"] == "0" {
		t.Errorf("delivery_latency_quantile rows %v", p95)
	}
	t.Logf("delivery_rate %v\ndelivery_latency_quantile %v", rate, p95)
	// The rate counts each receipt once: 13800000016's receipt, pushed
	// twice, is logged once (Redis), and the query counts distinct
	// receipt_ids anyway (docs/receipts.md).
	raw := e.query(t, `event: "sms.receipt" and (`+filter+`) | SELECT count(1) AS samples`)
	distinct := e.query(t, `event: "sms.receipt" and (`+filter+`) | SELECT count(DISTINCT receipt_id) AS samples`)
	t.Logf("raw %v distinct %v", raw, distinct)
	if len(raw) != 1 || len(distinct) != 1 || len(rate) != 1 || raw[0]["samples"] != distinct[0]["samples"] || rate[0]["samples"] != distinct[0]["samples"] {
		t.Errorf("delivery_rate samples %v, distinct receipts %v, logged %v: each receipt must be logged once and counted once", rate, distinct, raw)
	}
}
