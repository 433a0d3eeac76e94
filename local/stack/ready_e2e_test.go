package stack_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/slsclient"
	"smsflow/shared/timeline"
)

// freePort answers a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A script that follows the documented contract (poll GET /healthz on the
// send gateway, send the instant it answers 200) gets its message's
// receipt: readiness covers the whole stack, and the Dysmsapi emulator
// reports every message it accepts (issue 14).
func TestSendTheInstantHealthzAnswersGetsAReceipt(t *testing.T) {
	out := &lockedOutput{}
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	type started struct {
		s   *stack.Stack
		err error
	}
	done := make(chan started, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		s, err := stack.Start(ctx, stack.Options{GatewayPort: port, FunctionOutput: out,
			Alert: stack.AlertOptions{Disabled: true}, Receipts: stack.ReceiptOptions{Delay: 200 * time.Millisecond}})
		done <- started{s, err}
	}()
	var st *started
	t.Cleanup(func() {
		if st == nil {
			r := <-done
			st = &r
		}
		if st.s != nil {
			st.s.Close()
		}
	})
	starting := 0
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("GET /healthz never answered 200")
		}
		select {
		case r := <-done:
			st = &r
			if r.err != nil {
				t.Fatalf("starting the stack: %v", r.err)
			}
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			continue // not listening yet
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("GET /healthz while starting: %d, want 503 with Retry-After", resp.StatusCode)
		}
		starting++
	}
	traceID := sendNow(t, base)
	if st == nil {
		r := <-done
		st = &r
	}
	if st.err != nil {
		t.Fatal(st.err)
	}
	t.Logf("/healthz answered 503 %d times before 200", starting)
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	e := &rcEnv{s: st.s, out: out, sls: slsclient.New(st.s.SLSAddr, p, 10*time.Second)}
	// At least one: on a loaded machine a push answered after 700 ms is
	// pushed again, as Alibaba does, and without Redis logged twice.
	for deadline := time.Now().Add(15 * time.Second); len(e.query(t, `trace_id: `+traceID+` and event: "sms.receipt"`)) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("trace %s: no receipt for the message sent the instant /healthz answered 200", traceID)
		}
	}
	if text, last := e.timeline(t, traceID, timeline.Options{}); last != "  => delivered" {
		t.Errorf("timeline:\n%s", text)
	}
}

// sendNow posts one message through the gateway at base and answers its
// trace id.
func sendNow(t *testing.T, base string) string {
	t.Helper()
	status, raw := postMessage(t, base, []byte(
		`{"phone_numbers":["13912340014"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"482913"}}`))
	var a struct {
		TraceID string `json:"trace_id"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &a) != nil || a.TraceID == "" {
		t.Fatalf("send the instant /healthz answered 200: %d %s", status, raw)
	}
	return a.TraceID
}
