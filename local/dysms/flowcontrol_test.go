package dysms

import (
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

// Minute and hour windows through the SDK: the emulator's clock moves in
// steps that stay inside the 15-minute timestamp tolerance.
// conformance: DY-10
func TestSDKVerificationFlowControlMinuteAndHour(t *testing.T) {
	clock := newFakeClock()
	s, addr := startEmulator(t, Options{Now: clock.Now})
	client := sdkClient(t, addr, localPair, 5000)
	send := func() (string, string) {
		t.Helper()
		resp, err := client.SendSms(otpRequest("13912345678", "4821"))
		if err != nil {
			t.Fatalf("SendSms: %v", err)
		}
		return tea.StringValue(resp.Body.Code), tea.StringValue(resp.Body.Message)
	}
	if code, _ := send(); code != "OK" {
		t.Fatalf("first send: %s", code)
	}
	if code, msg := send(); code != "isv.BUSINESS_LIMIT_CONTROL" || msg != "触发分钟级流控Permits:1" {
		t.Fatalf("second send within a minute: %s %s", code, msg)
	}
	for i := 2; i <= 5; i++ {
		clock.Advance(61 * time.Second)
		if code, msg := send(); code != "OK" {
			t.Fatalf("send %d a minute later: %s %s", i, code, msg)
		}
	}
	clock.Advance(61 * time.Second)
	if code, msg := send(); code != "isv.BUSINESS_LIMIT_CONTROL" || msg != "触发小时级流控Permits:5" {
		t.Fatalf("sixth send within the hour: %s %s", code, msg)
	}
	// Another signature+number pair is counted apart.
	resp, err := client.SendSms(otpRequest("13912345600", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("another number: %v %v", err, resp)
	}
	if got := s.Stats().Accepted; got != 6 {
		t.Errorf("accepted %d, want 6 (refusals are not counted)", got)
	}
}

// conformance: DY-10
func TestFlowLimiterDailyRules(t *testing.T) {
	f := newFlowLimiter()
	// 00:30 Beijing time, so the whole test stays inside one natural day.
	start := time.Date(2026, 3, 1, 0, 30, 0, 0, chinaTime)
	at := func(i int) time.Time { return start.Add(time.Duration(i) * 61 * time.Minute) }

	for i := 0; i < 10; i++ {
		if r := f.check(KindVerification, "a", "T", "13912345678", at(i)); r != nil {
			t.Fatalf("send %d refused: %v", i, r)
		}
		f.record(KindVerification, "a", "T", "13912345678", at(i))
	}
	if r := f.check(KindVerification, "a", "T", "13912345678", at(10)); r == nil || r.Message != "触发天级流控Permits:10" {
		t.Fatalf("11th verification code of the day: %v", r)
	}
	// 40 a day per number whatever the signature: signatures b, c, d and e
	// add 30 more (10 each), the 41st is refused even on a new signature.
	for _, sign := range []string{"b", "c", "d"} {
		for i := 0; i < 10; i++ {
			f.record(KindVerification, sign, "T", "13912345678", at(i))
		}
	}
	if r := f.check(KindVerification, "e", "T", "13912345678", at(11)); r == nil || r.Message != "触发号码天级流控Permits:40" {
		t.Fatalf("41st verification code to the number: %v", r)
	}
	// The next natural day (Beijing time) starts afresh.
	nextDay := time.Date(2026, 3, 2, 0, 0, 1, 0, chinaTime)
	if r := f.check(KindVerification, "a", "T", "13912345678", nextDay); r != nil {
		t.Fatalf("first code of the next day refused: %v", r)
	}
}

// conformance: DY-10
func TestFlowLimiterNotifications(t *testing.T) {
	f := newFlowLimiter()
	start := time.Date(2026, 3, 1, 1, 0, 0, 0, chinaTime)
	for i := 0; i < 50; i++ {
		now := start.Add(time.Duration(i) * time.Second)
		if r := f.check(KindNotification, "a", "N", "13912345678", now); r != nil {
			t.Fatalf("notification %d refused: %v", i, r)
		}
		f.record(KindNotification, "a", "N", "13912345678", now)
	}
	later := start.Add(time.Hour)
	if r := f.check(KindNotification, "a", "N", "13912345678", later); r == nil || r.Message != "触发天级流控Permits:50" {
		t.Fatalf("51st notification: %v", r)
	}
	if r := f.check(KindNotification, "a", "OTHER", "13912345678", later); r != nil {
		t.Fatalf("another template is counted apart: %v", r)
	}
	if r := f.check(KindVerification, "a", "T", "13912345678", later); r != nil {
		t.Fatalf("notifications must not use up verification permits: %v", r)
	}
}

// A request is accepted whole or refused whole: a number listed twice in one
// verification send trips the minute window and nothing is counted.
// conformance: DY-10
func TestSDKDuplicateNumberInOneSendIsRefusedWhole(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	client := sdkClient(t, addr, localPair, 5000)
	resp, err := client.SendSms(otpRequest("13912345600,13912345678,13912345678", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Fatalf("duplicate number: %v %v", err, resp)
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages from a refused request", n)
	}
	resp, err = client.SendSms(otpRequest("13912345600,13912345678", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("the refused request must not have used the numbers' permits: %v %v", err, resp)
	}
}

// AdvanceClock moves flow-control windows without touching the wall clock
// the SDK's x-acs-date is judged against.
func TestAdvanceClockOpensWindowsForTheSDK(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	client := sdkClient(t, addr, localPair, 5000)
	send := func() (string, string) {
		t.Helper()
		resp, err := client.SendSms(otpRequest("13912345678", "4821"))
		if err != nil {
			t.Fatalf("SendSms: %v", err)
		}
		return tea.StringValue(resp.Body.Code), tea.StringValue(resp.Body.Message)
	}
	// Put business time at 00:30 Beijing of the next day, so ten sends an
	// hour apart stay inside one natural day.
	y, m, d := time.Now().In(chinaTime).Date()
	target := time.Date(y, m, d+1, 0, 30, 0, 0, chinaTime)
	s.AdvanceClock(time.Until(target))
	for i := 0; i < 10; i++ {
		if code, msg := send(); code != "OK" {
			t.Fatalf("send %d: %s %s", i, code, msg)
		}
		s.AdvanceClock(61 * time.Minute)
	}
	if code, msg := send(); code != "isv.BUSINESS_LIMIT_CONTROL" || msg != "触发天级流控Permits:10" {
		t.Fatalf("11th send the same day: %s %s", code, msg)
	}
	s.AdvanceClock(24 * time.Hour)
	if code, msg := send(); code != "OK" {
		t.Fatalf("first send the next day: %s %s", code, msg)
	}
	msgs := s.Messages()
	if got := msgs[0].AcceptedAt.In(chinaTime); got.Hour() != 0 || got.Day() != target.Day() {
		t.Errorf("message time %s does not follow business time", got)
	}
}
