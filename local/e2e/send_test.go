package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"smsflow/local/dysms"
)

func TestAcceptedSendReturnsAlibabasBizID(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	r := send(t, s, "application/json", otp("+8613800138000", "482913"))
	if r.Status != 200 || r.str("status") != "accepted" {
		t.Fatalf("reply %d %s", r.Status, r.Raw)
	}
	msgs := s.Dysms.Messages()
	if len(msgs) != 1 {
		t.Fatalf("emulator has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.BizID != r.str("biz_id") || m.RequestID != r.str("upstream_request_id") || m.Phone != "13800138000" ||
		m.Params["code"] != "482913" || m.TemplateCode != "SMS_LOCAL_OTP" || m.SignName != "smsflow" {
		t.Fatalf("emulator message %+v does not match reply %s", m, r.Raw)
	}
	// The function signed with the invocation's STS credentials, not a key.
	if len(m.AccessKeyID) < 4 || m.AccessKeyID[:4] != "STS." {
		t.Fatalf("sent with access key %q, want an STS key", m.AccessKeyID)
	}
	if r.Header.Get("X-Trace-Id") != r.str("trace_id") || len(r.str("trace_id")) != 32 {
		t.Fatalf("trace id header %q vs body %q", r.Header.Get("X-Trace-Id"), r.str("trace_id"))
	}
}

func TestCallerTraceIsContinued(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	r := send(t, s, "application/json", otp("13800138001", "5521"), "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	if r.Status != 200 || r.str("trace_id") != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("reply %d %s", r.Status, r.Raw)
	}
}

type badRequest struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	Status      int    `json:"status"`
	Code        string `json:"code"`
	Field       string `json:"field"`
}

func TestBadRequestsAreRefusedAndNothingIsSent(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	raw, err := os.ReadFile("../../shared/api/testdata/bad_requests.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []badRequest
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) < 30 {
		t.Fatalf("only %d bad requests", len(rows))
	}
	for _, c := range rows {
		r := send(t, s, c.ContentType, c.Body)
		if r.Status != c.Status || r.errCode() != c.Code || r.errField() != c.Field {
			t.Errorf("%s: got %d %s field %q; want %d %s field %q (%s)", c.Name, r.Status, r.errCode(), r.errField(), c.Status, c.Code, c.Field, r.Raw)
		}
	}
	// Authentication and routing refusals.
	if r := send(t, s, "application/json", otp("13800138000", "1234"), "Authorization", ""); r.Status != 401 || r.errCode() != "unauthenticated" {
		t.Errorf("no token: %d %s", r.Status, r.Raw)
	}
	if r := send(t, s, "application/json", otp("13800138000", "1234"), "Authorization", "Bearer wrong"); r.Status != 401 {
		t.Errorf("wrong token: %d %s", r.Status, r.Raw)
	}
	st := s.Dysms.Stats()
	total := 0
	for _, n := range st.Requests {
		total += n
	}
	if total != 0 || len(s.Dysms.Messages()) != 0 {
		t.Fatalf("bad requests reached the emulator: %+v", st)
	}
}

func TestUpstreamRefusalsMapToStatuses(t *testing.T) {
	s := shared
	cases := []struct {
		name, body   string
		status       int
		code, upCode string
	}{
		{"unknown template", message("13800138000", "SMS_NOPE", map[string]string{"code": "1234"}), 422, "upstream_rejected", "isv.SMS_TEMPLATE_ILLEGAL"},
		{"missing template variable", message("13800138000", "SMS_LOCAL_NOTICE", map[string]string{"name": "Li"}), 422, "upstream_rejected", "isv.TEMPLATE_MISSING_PARAMETERS"},
		{"code too long for a verification template", otp("13800138000", "12345678"), 422, "upstream_rejected", "isv.PARAM_LENGTH_LIMIT"},
	}
	for _, c := range cases {
		s.Dysms.Reset()
		r := send(t, s, "application/json", c.body)
		up, _ := r.Body["error"].(map[string]any)["upstream_code"].(string)
		if r.Status != c.status || r.errCode() != c.code || up != c.upCode {
			t.Errorf("%s: got %d %s upstream %q (%s)", c.name, r.Status, r.errCode(), up, r.Raw)
		}
		if n := s.Dysms.Stats().Requests["SendSms"]; n != 1 {
			t.Errorf("%s: a permanent refusal was called %d times, want 1", c.name, n)
		}
	}
}

func TestFaultsRetriesAndOutcomes(t *testing.T) {
	s := shared
	cases := []struct {
		name       string
		fault      dysms.Fault
		status     int
		code       string
		calls      int // SendSms requests the emulator saw
		sent       int // messages it accepted
		retryAfter bool
	}{
		{"one 503 is retried", dysms.Fault{Kind: "http503", Count: 1}, 200, "", 2, 1, false},
		{"two 500s are retried", dysms.Fault{Kind: "http500", Count: 2}, 200, "", 3, 1, false},
		{"503s past the attempt budget", dysms.Fault{Kind: "http503"}, 503, "upstream_unavailable", 3, 0, true},
		{"isp.SYSTEM_ERROR is retried", dysms.Fault{Kind: "system_error", Count: 1}, 200, "", 2, 1, false},
		{"Throttling.Api is retried", dysms.Fault{Kind: "throttling_api", Count: 1}, 200, "", 2, 1, false},
		{"Throttling.User throughout", dysms.Fault{Kind: "throttling_user"}, 429, "throttled", 3, 0, true},
		{"business flow control waits, no retry", dysms.Fault{Kind: "business_limit"}, 429, "throttled", 1, 0, true},
		{"reset before read is ambiguous to the client", dysms.Fault{Kind: "reset_before_read"}, 504, "outcome_unknown", 1, 0, false},
		{"reset after accept: sent exactly once", dysms.Fault{Kind: "reset_after_accept"}, 504, "outcome_unknown", 1, 1, false},
		{"answer slower than the timeout: sent exactly once", dysms.Fault{Kind: "latency", Latency: 1500 * time.Millisecond}, 504, "outcome_unknown", 1, 1, false},
	}
	for i, c := range cases {
		s.Dysms.Reset()
		if _, err := s.Dysms.SetFault(c.fault); err != nil {
			t.Fatal(err)
		}
		r := send(t, s, "application/json", otp("1390000"+fmt.Sprintf("%04d", i), "7391"))
		s.Dysms.ClearFaults()
		if r.Status != c.status || r.errCode() != c.code {
			t.Errorf("%s: got %d %s (%s)", c.name, r.Status, r.errCode(), r.Raw)
		}
		if c.status == 504 && r.str("status") != "unknown" {
			t.Errorf("%s: status %q, want unknown", c.name, r.str("status"))
		}
		if got := s.Dysms.Stats().Requests["SendSms"]; got != c.calls {
			t.Errorf("%s: emulator saw %d SendSms calls, want %d", c.name, got, c.calls)
		}
		if got := len(s.Dysms.Messages()); got != c.sent {
			t.Errorf("%s: emulator accepted %d messages, want %d", c.name, got, c.sent)
		}
		if ra := r.Header.Get("Retry-After"); (ra != "") != c.retryAfter {
			t.Errorf("%s: Retry-After %q", c.name, ra)
		} else if ra != "" {
			if n, err := strconv.Atoi(ra); err != nil || n < 1 {
				t.Errorf("%s: Retry-After %q is not a positive number of seconds", c.name, ra)
			}
		}
	}
	// The latency fault's late answer must not be counted twice: wait past it.
	time.Sleep(600 * time.Millisecond)
}

func TestMagicNumbersReachTheirOutcomes(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	// 13800000012: the first request after a reset fails with 503, then works.
	r := send(t, s, "application/json", otp("13800000012", "1234"))
	if r.Status != 200 || s.Dysms.Stats().Requests["SendSms"] != 2 {
		t.Fatalf("first-503 number: %d %s, %d calls", r.Status, r.Raw, s.Dysms.Stats().Requests["SendSms"])
	}
	// 13800000006: Alibaba's flow control.
	if r := send(t, s, "application/json", otp("13800000006", "1234")); r.Status != 429 {
		t.Fatalf("flow-control number: %d %s", r.Status, r.Raw)
	}
}

func TestAlibabaFlowControlOnTheSameNumber(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	if r := send(t, s, "application/json", otp("13700137000", "1111")); r.Status != 200 {
		t.Fatalf("first send %d %s", r.Status, r.Raw)
	}
	r := send(t, s, "application/json", otp("13700137000", "2222"))
	if r.Status != 429 || r.Header.Get("Retry-After") != "60" {
		t.Fatalf("second verification code within a minute: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
}

// Concurrent requests go to as many instances, each its own process, as
// on FC 3.0, where a go1 instance runs one invocation at a time.
// conformance: FC-01, FC-02
func TestConcurrentRequestsScaleOut(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	// Every answer waits, so all the requests are in flight at once.
	if _, err := s.Dysms.SetFault(dysms.Fault{Kind: "latency", Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer s.Dysms.ClearFaults()
	const n = 6
	var wg sync.WaitGroup
	replies := make([]reply, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			replies[i] = send(t, s, "application/json", otp(fmt.Sprintf("1360000%04d", i), "9876"))
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, r := range replies {
		if r.Status != 200 || seen[r.str("biz_id")] {
			t.Errorf("request %d: %d %s", i, r.Status, r.Raw)
		}
		seen[r.str("biz_id")] = true
	}
	if got := len(s.Dysms.Messages()); got != n {
		t.Errorf("emulator accepted %d messages, want %d", got, n)
	}
	// Which instance served each request, from its own events: counting
	// the pool's instances would pass on instances earlier tests started.
	served := map[string]bool{}
	for i, r := range replies {
		for _, e := range eventsOf(t, s, r.str("trace_id")) {
			if e["event"] == "sms.request" {
				if e["instance_id"] == "" {
					t.Fatalf("request %d: sms.request has no instance_id: %v", i, e)
				}
				served[e["instance_id"]] = true
			}
		}
	}
	if len(served) != n {
		t.Errorf("%d concurrent requests were served by %d instances %v, want one each", n, len(served), served)
	}
}

func TestHealthz(t *testing.T) {
	resp, err := httpGet(shared.GatewayURL + "/healthz")
	if err != nil || resp != 200 {
		t.Fatalf("healthz: %d %v", resp, err)
	}
}
