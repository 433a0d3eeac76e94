package dysms

import (
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

func mustSetFault(t *testing.T, s *Server, f Fault) {
	t.Helper()
	if _, err := s.SetFault(f); err != nil {
		t.Fatalf("SetFault(%+v): %v", f, err)
	}
}

// conformance: DY-08
func TestGatewayFaultsAsTheSDKSeesThem(t *testing.T) {
	cases := []struct {
		kind   FaultKind
		status int
		code   string
	}{
		{FaultHTTP500, 500, "InternalError"},
		{FaultHTTP503, 503, "ServiceUnavailable"},
		{FaultThrottlingAPI, 400, "Throttling.Api"},
		{FaultThrottlingUser, 400, "Throttling.User"},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			s, addr := startEmulator(t, Options{})
			mustSetFault(t, s, Fault{Kind: tc.kind, Count: 1})
			client := sdkClient(t, addr, localPair, 5000)
			_, err := client.SendSms(otpRequest("13912345678", "4821"))
			wantGatewayError(t, err, tc.status, tc.code)
			if n := len(s.Messages()); n != 0 {
				t.Fatalf("a %s fault accepted %d messages", tc.kind, n)
			}
			resp, err := client.SendSms(otpRequest("13912345678", "4821"))
			if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
				t.Fatalf("after the one-shot fault: %v %v", err, resp)
			}
		})
	}
}

// conformance: DY-07
func TestBusinessFaultsComeAsHTTP200(t *testing.T) {
	cases := map[FaultKind]string{
		FaultSystemError:   "isp.SYSTEM_ERROR",
		FaultBusinessLimit: "isv.BUSINESS_LIMIT_CONTROL",
	}
	for kind, code := range cases {
		s, addr := startEmulator(t, Options{})
		mustSetFault(t, s, Fault{Kind: kind})
		resp, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821"))
		if err != nil || tea.StringValue(resp.Body.Code) != code {
			t.Errorf("%s: %v %v, want 200 %s", kind, err, resp, code)
		}
		if n := len(s.Messages()); n != 0 {
			t.Errorf("%s accepted %d messages", kind, n)
		}
	}
}

func TestCountLimitedFaultFailsExactlyNTimes(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultHTTP503, Action: "SendSms", Count: 3})
	client := sdkClient(t, addr, localPair, 5000)
	failures := 0
	for attempt := 1; ; attempt++ {
		resp, err := client.SendSms(otpRequest("13912345678", "4821"))
		if err == nil {
			if tea.StringValue(resp.Body.Code) != "OK" {
				t.Fatalf("attempt %d: %s", attempt, tea.StringValue(resp.Body.Code))
			}
			break
		}
		wantGatewayError(t, err, 503, "ServiceUnavailable")
		failures++
		if attempt > 10 {
			t.Fatal("the fault never cleared")
		}
	}
	if failures != 3 {
		t.Fatalf("%d failures, want 3", failures)
	}
	st := s.Stats()
	if st.Requests["SendSms"] != 4 || st.Outcomes["ServiceUnavailable"] != 3 || st.Accepted != 1 {
		t.Errorf("Stats() = %+v", st)
	}
	if f := s.Faults(); len(f) != 0 {
		t.Errorf("spent fault still armed: %+v", f)
	}
}

func TestFaultActionFilter(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultHTTP500, Action: "QuerySendDetails"})
	client := sdkClient(t, addr, localPair, 5000)
	if resp, err := client.SendSms(otpRequest("13912345678", "4821")); err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("SendSms hit by a QuerySendDetails fault: %v", err)
	}
	_, err := client.QuerySendDetails(queryToday("13912345678"))
	wantGatewayError(t, err, 500, "InternalError")
	s.ClearFaults()
	if _, err := client.QuerySendDetails(queryToday("13912345678")); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}

// conformance: DY-15
func TestResetBeforeReadSendsNothing(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultResetBeforeRead, Count: 1})
	_, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821"))
	wantReset(t, err)
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("reset before read accepted %d messages", n)
	}
	if st := s.Stats(); st.Requests["SendSms"] != 1 || st.Outcomes["reset"] != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

// conformance: DY-15
func TestResetAfterAcceptStillSends(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultResetAfterAccept, Count: 1})
	_, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821"))
	wantReset(t, err)
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("reset after accept recorded %d messages, want 1 (it was sent)", n)
	}
	if st := s.Stats(); st.Accepted != 1 || st.Outcomes["reset"] != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

// A gateway that gave up waiting answers 504 with a code of its own, for a
// message Dysmsapi took: the SDK sees a gateway error; the message is sent.
// conformance: DY-16
func TestGatewayTimeoutAfterAcceptStillSends(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultGatewayTimeoutAfterAccept, Count: 1})
	_, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("13912345678", "4821"))
	wantGatewayError(t, err, 504, "ServiceUnavailable")
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("gateway timeout after accept recorded %d messages, want 1 (it was sent)", n)
	}
	if st := s.Stats(); st.Accepted != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

// conformance: DY-15
func TestLatencyFaultTimesOutTheClientAfterAcceptance(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	mustSetFault(t, s, Fault{Kind: FaultLatency, Latency: 600 * time.Millisecond, Count: 1})
	_, err := sdkClient(t, addr, localPair, 150).SendSms(otpRequest("13912345678", "4821"))
	wantConnectionError(t, err)
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1: the message is accepted before the delay", n)
	}
}

func TestLatencyFaultDoesNotBlockOtherRequests(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	const delay = 800 * time.Millisecond
	mustSetFault(t, s, Fault{Kind: FaultLatency, Latency: delay, Count: 1})
	client := sdkClient(t, addr, localPair, 5000)
	var wg sync.WaitGroup
	var slowErr error
	var slowTook time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, slowErr = client.SendSms(otpRequest("13912345678", "4821"))
		slowTook = time.Since(start)
	}()
	for deadline := time.Now().Add(time.Second); s.Stats().Accepted == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the slow request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	resp, err := client.SendSms(otpRequest("13912345600", "4821"))
	fastTook := time.Since(start)
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("concurrent request: %v %v", err, resp)
	}
	if fastTook > delay/2 {
		t.Errorf("a request during the delay took %s: the delay blocks others", fastTook)
	}
	wg.Wait()
	if slowErr != nil || slowTook < delay {
		t.Errorf("slow request: err %v after %s, want success after >= %s", slowErr, slowTook, delay)
	}
}

func TestFaultValidation(t *testing.T) {
	s, _ := startEmulator(t, Options{})
	for _, f := range []Fault{
		{Kind: "nope"},
		{Kind: FaultLatency},
		{Kind: FaultHTTP500, Count: -1},
		{Kind: FaultHTTP500, Action: "SendMail"},
	} {
		if _, err := s.SetFault(f); err == nil {
			t.Errorf("SetFault(%+v) accepted", f)
		}
	}
}
