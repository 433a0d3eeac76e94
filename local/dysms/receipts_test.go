package dysms

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

// receiver is a receipts endpoint that records pushes and fails the first
// `fail` of them.
type receiver struct {
	mu     sync.Mutex
	pushes [][]Receipt
	at     []time.Time
	fail   int
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.fail > 0 {
		rv.fail--
		http.Error(w, `{"code":1,"msg":"not recorded"}`, http.StatusInternalServerError)
		return
	}
	var batch []Receipt
	if err := json.Unmarshal(body, &batch); err != nil {
		http.Error(w, "bad", http.StatusBadRequest)
		return
	}
	rv.pushes = append(rv.pushes, batch)
	rv.at = append(rv.at, time.Now())
	_, _ = w.Write([]byte(`{"code":0,"msg":"成功"}`))
}

func (rv *receiver) got() [][]Receipt {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([][]Receipt(nil), rv.pushes...)
}

// waitPushes waits until n pushes arrived.
func (rv *receiver) waitPushes(t *testing.T, n int) [][]Receipt {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := rv.got(); len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("want %d pushes, got %d", n, len(rv.got()))
	return nil
}

func startWithReceipts(t *testing.T, cfg ReceiptConfig) (*Server, string, *receiver) {
	t.Helper()
	s, addr := startEmulator(t, Options{})
	rv := &receiver{}
	ts := httptest.NewServer(rv)
	t.Cleanup(ts.Close)
	cfg.PushURL = ts.URL + "/v1/receipts/secret"
	if cfg.Delay == 0 {
		cfg.Delay = 50 * time.Millisecond
	}
	if cfg.Retry == nil {
		cfg.Retry = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond}
	}
	if err := s.ConfigureReceipts(cfg); err != nil {
		t.Fatal(err)
	}
	return s, addr, rv
}

func queryStatus(t *testing.T, addr, phone string) (int64, string) {
	t.Helper()
	q, err := sdkClient(t, addr, localPair, 5000).QuerySendDetails(queryToday(phone))
	if err != nil || len(q.Body.SmsSendDetailDTOs.SmsSendDetailDTO) == 0 {
		t.Fatalf("query: %v %v", err, q)
	}
	d := q.Body.SmsSendDetailDTOs.SmsSendDetailDTO[0]
	return tea.Int64Value(d.SendStatus), tea.StringValue(d.ErrCode)
}

// conformance: RC-01, RC-02, RC-07
func TestReceiptIsPushedAfterTheDelayAndQuerySendDetailsFollows(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{Delay: 300 * time.Millisecond})
	resp, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("send: %v %v", err, resp)
	}
	if st, code := queryStatus(t, addr, "13912345678"); st != 1 || code != "" {
		t.Errorf("before the report: status %d %q, want 1 (waiting)", st, code)
	}
	got := rv.waitPushes(t, 1)
	if len(got[0]) != 1 {
		t.Fatalf("push %+v", got[0])
	}
	r := got[0][0]
	if r.PhoneNumber != "13912345678" || !r.Success || r.ErrCode != "DELIVERED" || r.SMSSize != "1" ||
		r.BizID != tea.StringValue(resp.Body.BizId) || r.OutID != "out-13912345678" {
		t.Errorf("receipt %+v", r)
	}
	send, err1 := time.ParseInLocation(receiptLayout, r.SendTime, chinaTime)
	report, err2 := time.ParseInLocation(receiptLayout, r.ReportTime, chinaTime)
	if err1 != nil || err2 != nil || !report.After(send) || time.Since(send) > time.Minute {
		t.Errorf("times %q %q: want Beijing time, report after send", r.SendTime, r.ReportTime)
	}
	if st, code := queryStatus(t, addr, "13912345678"); st != 3 || code != "DELIVERED" {
		t.Errorf("after the report: status %d %q, want 3 DELIVERED", st, code)
	}
}

func TestReceiptOutcomesOfReservedNumbers(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{})
	client := sdkClient(t, addr, localPair, 5000)
	for _, p := range []string{"13800000010", "13800000011"} {
		if _, err := client.SendSms(otpRequest(p, "4821")); err != nil {
			t.Fatal(err)
		}
	}
	got := rv.waitPushes(t, 1)
	time.Sleep(200 * time.Millisecond) // 13800000011 must stay silent
	got = rv.got()
	if len(got) != 1 || got[0][0].PhoneNumber != "13800000010" || got[0][0].Success || got[0][0].ErrCode != "MK:0001" {
		t.Fatalf("pushes %+v, want one failed MK:0001 receipt for 13800000010", got)
	}
	if st, code := queryStatus(t, addr, "13800000010"); st != 2 || code != "MK:0001" {
		t.Errorf("13800000010: %d %q", st, code)
	}
	if st, _ := queryStatus(t, addr, "13800000011"); st != 1 {
		t.Errorf("13800000011: %d, want waiting", st)
	}
}

// conformance: RC-06
func TestDuplicatedAndOutOfOrderReceipts(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{})
	client := sdkClient(t, addr, localPair, 5000)
	if _, err := client.SendSms(otpRequest("13800000016", "4821")); err != nil {
		t.Fatal(err)
	}
	got := rv.waitPushes(t, 2)
	if len(got[0]) != 1 || got[0][0] != got[1][0] {
		t.Errorf("13800000016: pushes %+v, want the same receipt twice", got)
	}
	if _, err := client.SendSms(otpRequest("13800000017", "4821")); err != nil {
		t.Fatal(err)
	}
	got = rv.waitPushes(t, 4)[2:]
	if len(got[0]) != 1 || len(got[1]) != 1 || got[0][0].SMSSize != "2" || !(got[0][0].ReportTime > got[1][0].ReportTime) {
		t.Errorf("13800000017: pushes %+v, want two parts, the later report first", got)
	}
}

// conformance: RC-06
func TestReceiptBeforeTheAnswer(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{Delay: time.Hour})
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13800000018", "4821")); err != nil {
		t.Fatal(err)
	}
	if got := rv.got(); len(got) != 1 || !got[0][0].Success {
		t.Fatalf("when SendSms answered, pushes were %+v; want the receipt already pushed", got)
	}
}

// conformance: RC-06
func TestMultiPartMessageHasOneReceiptPerPart(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{})
	req := dysmsapiSendNotice
	req.TemplateParam = tea.String(`{"name":"` + strings.Repeat("张", 35) + `","status":"` + strings.Repeat("办", 35) + `"}`)
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(&req); err != nil {
		t.Fatal(err)
	}
	got := rv.waitPushes(t, 1)
	if len(got[0]) != 2 || got[0][0].SMSSize != "2" || got[0][0].ReportTime == got[0][1].ReportTime {
		t.Errorf("push %+v, want two part receipts with distinct report times", got[0])
	}
}

// conformance: RC-05
func TestFailedPushIsPushedAgainOnTheScheduleThenDropped(t *testing.T) {
	s, addr, rv := startWithReceipts(t, ReceiptConfig{})
	rv.fail = 2
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	rv.waitPushes(t, 1)
	pushes := s.ReceiptPushes()
	if len(pushes) != 3 || pushes[0].Acked || pushes[0].Status != 500 || !pushes[2].Acked || pushes[2].Attempt != 3 {
		t.Errorf("push log %+v, want 2 failures then an acknowledged third attempt", pushes)
	}

	s.Reset()
	rv.mu.Lock()
	rv.fail = 100
	rv.mu.Unlock()
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345679", "4821")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && len(s.ReceiptPushes()) < 4 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	pushes = s.ReceiptPushes()
	if len(pushes) != 4 || !pushes[3].Dropped || strings.Contains(pushes[3].Error, "secret") {
		t.Errorf("push log %+v, want 4 attempts (1 + 3 re-pushes), the last dropped", pushes)
	}
}

func TestOutcomeMix(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{FailRatio: 1})
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	if r := rv.waitPushes(t, 1)[0][0]; r.Success || r.ErrCode != "MK:0001" {
		t.Errorf("FailRatio 1: %+v", r)
	}
	s, _ := New(Options{})
	if err := s.ConfigureReceipts(ReceiptConfig{PushURL: "http://x", FailRatio: 0.7, LostRatio: 0.5}); err == nil {
		t.Error("ratios adding up to more than 1 must be refused")
	}
}

func TestSMSParts(t *testing.T) {
	for n, want := range map[int]int{1: 1, 70: 1, 71: 2, 134: 2, 135: 3} {
		if got := smsParts(strings.Repeat("字", n)); got != want {
			t.Errorf("%d characters: %d parts, want %d", n, got, want)
		}
	}
}

func TestSlowReceipt(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{SlowDelay: 400 * time.Millisecond})
	start := time.Now()
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13800000015", "4821")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if st, _ := queryStatus(t, addr, "13800000015"); st != 1 || len(rv.got()) != 0 {
		t.Fatalf("before SlowDelay: status %d, %d pushes; want waiting and none", st, len(rv.got()))
	}
	rv.waitPushes(t, 1)
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("the slow receipt came after %s, want >= 400ms", took)
	}
}

func TestAdminListsReceiptPushes(t *testing.T) {
	_, addr, rv := startWithReceipts(t, ReceiptConfig{})
	if _, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821")); err != nil {
		t.Fatal(err)
	}
	rv.waitPushes(t, 1)
	// The receiver sees the push before the emulator has read the answer
	// and recorded it: poll the admin API for a little while.
	var (
		status int
		body   map[string]any
		pushes []any
	)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/_emulator/receipts", nil)
		status, body = do(t, req)
		if pushes, _ = body["pushes"].([]any); len(pushes) > 0 {
			break
		}
	}
	if status != http.StatusOK || len(pushes) != 1 || pushes[0].(map[string]any)["acked"] != true {
		t.Errorf("GET /_emulator/receipts: %d %v", status, body)
	}
}
