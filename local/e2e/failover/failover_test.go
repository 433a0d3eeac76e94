package failover

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/faults"
	"smsflow/local/tencent"
	"smsflow/local/testkit"
)

// An Alibaba outage (5xx throughout): Tencent carries the traffic, each
// message sent exactly once, none by Alibaba.
func TestAlibaba5xxOutageFailsOverAndSendsOnce(t *testing.T) {
	s := shared
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	defer s.Dysms.ClearFaults()
	for i := 0; i < 3; i++ {
		number := fmt.Sprintf("1371234%04d", i)
		r := send(t, s, otp(number))
		if r.Status != 200 || r.str("provider") != "tencent" || !strings.HasPrefix(r.str("message_id"), "2640:") {
			t.Fatalf("message %d: %d %s", i, r.Status, r.Raw)
		}
		msgs := s.Tencent.Messages("+86" + number)
		if len(msgs) != 1 || msgs[0].SerialNo != r.str("message_id") || msgs[0].TemplateID != "100001" ||
			strings.Join(msgs[0].TemplateParamSet, ",") != "482913" {
			t.Errorf("message %d at Tencent: %+v", i, msgs)
		}
	}
	if n := len(s.Dysms.Messages()); n != 0 {
		t.Errorf("Alibaba accepted %d messages during its outage", n)
	}
	if n := s.Dysms.Stats().Requests["SendSms"]; n != 9 {
		t.Errorf("Alibaba saw %d calls, want 9 (3 attempts per message, then failover)", n)
	}
	if n := s.Tencent.Requests(); n != 3 {
		t.Errorf("Tencent saw %d calls, want 3", n)
	}
}

// Ambiguous outcomes at Alibaba (timeout, reset after the request
// arrived): 504 unknown, and Tencent is never called.
// conformance: TC-11
func TestAmbiguousAlibabaOutcomeNeverFailsOver(t *testing.T) {
	s := shared
	cases := []dysms.Fault{
		{Kind: dysms.FaultResetAfterAccept, Count: 1},
		{Kind: dysms.FaultResetBeforeRead, Count: 1},
		{Kind: dysms.FaultLatency, Latency: 1500 * time.Millisecond, Count: 1},
	}
	for i, f := range cases {
		reset(s)
		s.Dysms.SetFault(f)
		r := send(t, s, otp(fmt.Sprintf("1371235%04d", i)))
		if r.Status != 504 || r.str("status") != "unknown" || r.errField("provider") != "alibaba" {
			t.Errorf("%s: %d %s", f.Kind, r.Status, r.Raw)
		}
		if n := s.Tencent.Requests(); n != 0 {
			t.Errorf("%s: Tencent called %d times after an ambiguous outcome", f.Kind, n)
		}
	}
	time.Sleep(600 * time.Millisecond) // the latency fault's late answer
}

// Per-number refusals at Alibaba (its flow control, a bad number) and the
// caller's own mistakes are never sent through Tencent.
// conformance: TC-11
func TestPerNumberRefusalAtAlibabaNeverFailsOver(t *testing.T) {
	s := shared
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultBusinessLimit, Count: 1})
	r := send(t, s, otp("13712360001"))
	if r.Status != 429 || r.errField("upstream_code") != "isv.BUSINESS_LIMIT_CONTROL" || r.errField("provider") != "alibaba" {
		t.Errorf("flow control: %d %s", r.Status, r.Raw)
	}
	body := strings.Replace(otp("13712360002"), "SMS_LOCAL_OTP", "SMS_NOT_APPROVED", 1)
	if r := send(t, s, body); r.Status != 422 {
		t.Errorf("unknown template: %d %s", r.Status, r.Raw)
	}
	if n := s.Tencent.Requests(); n != 0 {
		t.Errorf("Tencent called %d times", n)
	}
}

// Connection refused at Alibaba is an outage too: a stack whose Dysmsapi
// endpoint is a closed port sends everything through Tencent, once.
func TestConnectionRefusedFailsOver(t *testing.T) {
	closed := testkit.RefusingAddr(t)
	o := options()
	o.SendEnv["SMSFLOW_DYSMS_ENDPOINT"] = closed
	o.Receipts.Disabled = true
	s := startStack(t, o)
	r := send(t, s, otp("13712370001"))
	if r.Status != 200 || r.str("provider") != "tencent" {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if n := len(s.Tencent.Messages("+8613712370001")); n != 1 {
		t.Fatalf("%d messages at Tencent", n)
	}
}

// Tencent's per-number failure inside a 200 answer is reported as not
// sent; in a request with several numbers, as such for that number.
func TestTencentPerNumberFailureIsReportedNotSent(t *testing.T) {
	s := shared
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP500})
	defer s.Dysms.ClearFaults()
	r := send(t, s, otp("16600000008"))
	if r.Status != 422 || r.errField("upstream_code") != "FailedOperation.PhoneNumberInBlacklist" || r.errField("provider") != "tencent" {
		t.Errorf("one blacklisted number: %d %s", r.Status, r.Raw)
	}
	r = send(t, s, otp("13712380001", "16600000008"))
	nums, _ := r.Body["numbers"].([]any)
	if r.Status != 200 || r.str("status") != "partial" || len(nums) != 2 {
		t.Fatalf("mixed: %d %s", r.Status, r.Raw)
	}
	first, second := nums[0].(map[string]any), nums[1].(map[string]any)
	if first["status"] != "accepted" || second["status"] != "rejected" || second["upstream_code"] != "FailedOperation.PhoneNumberInBlacklist" ||
		second["message_id"] != nil || strings.Contains(r.Raw, "16600000008") {
		t.Errorf("numbers %v", nums)
	}
	if len(s.Tencent.Messages("+8616600000008")) != 0 || len(s.Tencent.Messages("+8613712380001")) != 1 {
		t.Errorf("Tencent messages %+v", s.Tencent.Messages(""))
	}
}

// An idempotency key covers the pair: the repeat of a request that failed
// over is answered from the store and sends nothing anywhere.
func TestIdempotencyKeyAcrossAFailoverSendsOnce(t *testing.T) {
	s := shared
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	defer s.Dysms.ClearFaults()
	first := send(t, s, otp("13712390001"), "Idempotency-Key", "failover-once-1")
	if first.Status != 200 || first.str("provider") != "tencent" {
		t.Fatalf("first: %d %s", first.Status, first.Raw)
	}
	s.Dysms.ClearFaults() // Alibaba is back: a resend would now go there
	again := send(t, s, otp("13712390001"), "Idempotency-Key", "failover-once-1")
	if again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" || again.str("message_id") != first.str("message_id") {
		t.Fatalf("repeat: %d %v %s", again.Status, again.Header, again.Raw)
	}
	if len(s.Dysms.Messages()) != 0 || len(s.Tencent.Messages("+8613712390001")) != 1 {
		t.Fatalf("sent %d at Alibaba, %d at Tencent", len(s.Dysms.Messages()), len(s.Tencent.Messages("+8613712390001")))
	}
}

// A Tencent outage while Alibaba is down too: nothing provably sent twice;
// Tencent's ambiguous answer is answered unknown.
func TestBothDownAnswersTencentsOutcome(t *testing.T) {
	s := shared
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	defer s.Dysms.ClearFaults()
	s.Tencent.SetFault(faults.Fault{Kind: tencent.FaultInternalTimeout, Count: 1})
	r := send(t, s, otp("13712400001"))
	if r.Status != 504 || r.errField("provider") != "tencent" || s.Tencent.Requests() != 1 {
		t.Fatalf("%d %s (tencent calls %d)", r.Status, r.Raw, s.Tencent.Requests())
	}
}
