package sms

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"smsflow/local/dysms"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/phone"
)

// These tests drive the real sender and the unmodified SDK against the
// Dysmsapi emulator.

func emulator(t *testing.T) (*dysms.Server, string) {
	t.Helper()
	srv, err := dysms.New(dysms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, strings.TrimPrefix(hs.URL, "http://")
}

func stsContext(c sts.Credential) context.Context {
	return fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}})
}

func newSender(endpoint string) *Sender {
	return New(config.Dysms{Endpoint: endpoint, Protocol: "HTTP", RegionID: "cn-hangzhou", ReadTimeout: time.Second,
		MaxAttempts: 3, BackoffInitial: 50 * time.Millisecond}, creds.NewSource(false))
}

func otpRequest(t *testing.T, number string) Request {
	n, err := phone.Normalize(number)
	if err != nil {
		t.Fatal(err)
	}
	return Request{Numbers: []phone.Number{n}, SignName: "smsflow", TemplateCode: "SMS_LOCAL_OTP", TemplateParams: map[string]string{"code": "4821"}}
}

// conformance: DY-09
func TestConnectionRefusedIsRetriedAndNotSent(t *testing.T) {
	closed := testkit.RefusingAddr(t)
	var hooked []Attempt
	out, attempts := newSender(closed).Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"),
		func(_ context.Context, a Attempt) { hooked = append(hooked, a) })
	if out.Status != StatusFailed || out.Class != ClassTransient || len(attempts) != 3 || len(hooked) != 3 {
		t.Fatalf("outcome %+v after %d attempts (%d hooked)", out, len(attempts), len(hooked))
	}
	if !strings.Contains(out.Detail, "before the request was sent") || strings.Contains(out.Detail, "4821") {
		t.Fatalf("detail %q", out.Detail)
	}
}

// A request the SDK cannot even build (an endpoint whose URL does not
// parse: a pasted space) provably sent nothing: it is a failure, safe to
// retry, never an unknown outcome (504, "the message may have been sent").
// config.Dysms.Validate refuses such an endpoint at start; this is the
// classification's own rule.
// conformance: DY-09
func TestARequestThatCannotBeBuiltIsNotSent(t *testing.T) {
	srv, addr := emulator(t)
	out, attempts := newSender(addr+" ").Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"), nil)
	if out.Status != StatusFailed || out.Class != ClassTransient || out.MayHaveSent() || len(attempts) == 0 {
		t.Fatalf("outcome %+v after %d attempts", out, len(attempts))
	}
	if n := srv.Stats().Requests["SendSms"]; n != 0 {
		t.Fatalf("the emulator saw %d SendSms", n)
	}
	if strings.Contains(out.Detail, "4821") || strings.Contains(out.Detail, "13800138000") {
		t.Fatalf("detail leaks the request: %q", out.Detail)
	}
}

func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	srv, addr := emulator(t)
	srv.SetFault(dysms.Fault{Kind: "http503"})
	s := newSender(addr)
	s.cfg.BackoffInitial = 400 * time.Millisecond
	// A call needs a whole timeout (1 s) before the deadline minus the
	// answer margin (250 ms), a retry its backoff (200-400 ms) on top: with
	// 1.4 s left there is room for one call only.
	ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 1400*time.Millisecond)
	defer cancel()
	out, attempts := s.Send(ctx, otpRequest(t, "13800138000"), nil)
	if out.Class != ClassTransient || len(attempts) != 1 || srv.Stats().Requests["SendSms"] != 1 {
		t.Fatalf("short deadline: %+v, %d attempts, %d calls", out, len(attempts), srv.Stats().Requests["SendSms"])
	}
	srv.Reset()
	srv.SetFault(dysms.Fault{Kind: "http503"})
	ctx2, cancel2 := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 10*time.Second)
	defer cancel2()
	if _, attempts := s.Send(ctx2, otpRequest(t, "13800138000"), nil); len(attempts) != 3 {
		t.Fatalf("long deadline: %d attempts, want the full 3", len(attempts))
	}
}

// A negative SMSFLOW_DYSMS_BACKOFF that got past the configuration (a
// config.Dysms built in code) retries at once rather than panicking on the
// first retry; every retry is still made and nothing is sent twice.
func TestNegativeBackoffRetriesWithoutPanicking(t *testing.T) {
	srv, addr := emulator(t)
	srv.SetFault(dysms.Fault{Kind: "http503"})
	s := newSender(addr)
	s.cfg.BackoffInitial = -100 * time.Millisecond
	out, attempts := s.Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"), nil)
	if out.Status != StatusFailed || out.Class != ClassTransient || len(attempts) != 3 {
		t.Fatalf("outcome %+v after %d attempts", out, len(attempts))
	}
}

// A gateway's 504 whose body carries a code the table would retry
// (ServiceUnavailable) came after Dysmsapi took the message: unknown, one
// call, one message, never a retry. (issue 10.8)
// conformance: DY-01, DY-16
func TestGatewayTimeoutWithAKnownCodeIsNotRetried(t *testing.T) {
	srv, addr := emulator(t)
	srv.SetFault(dysms.Fault{Kind: dysms.FaultGatewayTimeoutAfterAccept, Count: 1})
	out, attempts := newSender(addr).Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"), nil)
	if out.Status != StatusUnknown || out.Class != ClassAmbiguous || out.HTTPStatus != 504 || len(attempts) != 1 {
		t.Fatalf("outcome %+v after %d attempts; want unknown after one", out, len(attempts))
	}
	if n, m := srv.Stats().Requests["SendSms"], len(srv.Messages()); n != 1 || m != 1 {
		t.Fatalf("%d SendSms calls, %d messages; want exactly one of each", n, m)
	}
}

// A call whose answer does not come within its timeout may still have been
// taken: unknown, never retried. (The deadline cannot cut a call short any
// more: a call starts only when its whole timeout fits before it.)
// conformance: DY-15
func TestTimeoutDuringACallIsUnknownNotRetried(t *testing.T) {
	srv, addr := emulator(t)
	srv.SetFault(dysms.Fault{Kind: "latency", Latency: 2 * time.Second})
	s := New(config.Dysms{Endpoint: addr, Protocol: "HTTP", ReadTimeout: time.Second, MaxAttempts: 3, BackoffInitial: 10 * time.Millisecond},
		creds.NewSource(false))
	ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 10*time.Second)
	defer cancel()
	out, attempts := s.Send(ctx, otpRequest(t, "13800138000"), nil)
	if out.Status != StatusUnknown || out.Class != ClassAmbiguous || len(attempts) != 1 {
		t.Fatalf("outcome %+v after %d attempts", out, len(attempts))
	}
	// The call was under way: the emulator accepted the message.
	time.Sleep(1500 * time.Millisecond)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("emulator accepted %d messages, want exactly 1", n)
	}
}

func TestCredentialProblemsNeverReachTheWire(t *testing.T) {
	srv, addr := emulator(t)
	long := fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret}})
	out, attempts := newSender(addr).Send(long, otpRequest(t, "13800138000"), nil)
	if out.Class != ClassCredentials || len(attempts) != 0 || srv.Stats().Requests["SendSms"] != 0 {
		t.Fatalf("long-lived key: %+v, %d attempts", out, len(attempts))
	}
	bad := sts.Issue(time.Hour)
	bad.AccessKeySecret = "wrong"
	out, _ = newSender(addr).Send(stsContext(bad), otpRequest(t, "13800138000"), nil)
	if out.Class != ClassCredentials || out.Code != "SignatureDoesNotMatch" || len(srv.Messages()) != 0 {
		t.Fatalf("wrong secret: %+v", out)
	}
}

// One sender, many overlapping calls (dispatch sends a batch's messages
// side by side; tests run handlers concurrently), rotating STS triples:
// every call signs with its own invocation's triple.
func TestConcurrentInvocationsWithRotatingCredentials(t *testing.T) {
	srv, addr := emulator(t)
	s := newSender(addr)
	triples := []sts.Credential{sts.Issue(time.Hour), sts.Issue(time.Hour)}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, _ := s.Send(stsContext(triples[i%2]), otpRequest(t, fmt.Sprintf("1370000%04d", i)), nil)
			if out.Status != StatusAccepted {
				t.Errorf("send %d: %+v", i, out)
			}
		}(i)
	}
	wg.Wait()
	keys := map[string]int{}
	for _, m := range srv.Messages() {
		keys[m.AccessKeyID]++
	}
	if keys[triples[0].AccessKeyID] != 10 || keys[triples[1].AccessKeyID] != 10 {
		t.Fatalf("messages per access key: %v", keys)
	}
}

// senderOnCountingEmulator is a Sender talking to a Dysmsapi emulator
// whose listener counts the connections it accepts.
func senderOnCountingEmulator(t *testing.T) (*Sender, *atomic.Int64) {
	t.Helper()
	srv, err := dysms.New(dysms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs, dials := testkit.CountingServer(srv)
	t.Cleanup(hs.Close)
	return newSender(strings.TrimPrefix(hs.URL, "http://")), dials
}

// One instance sends one message at a time, each on a connection the last
// one left open: a new connection is a new TLS handshake in production.
func TestSequentialSendsReuseOneConnection(t *testing.T) {
	s, dials := senderOnCountingEmulator(t)
	ctx := stsContext(sts.Issue(time.Hour))
	for i := range 100 {
		if out, _ := s.Send(ctx, otpRequest(t, fmt.Sprintf("1370000%04d", i)), nil); out.Status != StatusAccepted {
			t.Fatalf("send %d: %+v", i, out)
		}
	}
	if n := dials.Load(); n > 2 {
		t.Errorf("100 sequential sends opened %d connections, want at most 2", n)
	}
}

// Bursts of overlapping calls (plain net/http in tests, or a call
// abandoned at a deadline still holding its connection) keep up to
// dysmsIdleConns connections open and reuse them.
func TestOverlappingSendsReuseTheirConnections(t *testing.T) {
	s, dials := senderOnCountingEmulator(t)
	ctx := stsContext(sts.Issue(time.Hour))
	sendInBursts(t, dysmsIdleConns, dials, func(i, round int) Outcome {
		out, _ := s.Send(ctx, otpRequest(t, fmt.Sprintf("137%02d00%04d", i, round)), nil)
		return out
	})
}

// sendInBursts sends 100 messages in bursts of burst overlapping calls and
// checks that they opened at most 2×burst connections (dials).
func sendInBursts(t *testing.T, burst int, dials *atomic.Int64, send func(i, round int) Outcome) {
	t.Helper()
	for round := range 100 / burst {
		var wg sync.WaitGroup
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if out := send(i, round); out.Status != StatusAccepted {
					t.Errorf("send: %+v", out)
				}
			}()
		}
		wg.Wait()
	}
	if n := dials.Load(); n > int64(2*burst) {
		t.Errorf("100 sends in bursts of %d opened %d connections, want at most %d", burst, n, 2*burst)
	}
}
