// Package failover holds the end-to-end tests of issue 11's failover
// through the local stack: the send function with Alibaba (the Dysmsapi
// emulator) as primary and Tencent (the Tencent emulator) as secondary.
package failover

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"smsflow/local/stack"
	"smsflow/local/testkit"
)

var (
	shared *stack.Stack
	out    *testkit.Buffer
)

// options is the stack the tests share: failover on, the breaker out of
// the way (its own tests are in shared/sms) so that every request reaches
// Alibaba first and the counts below are exact.
func options() stack.Options {
	return stack.Options{
		Tencent: stack.TencentOptions{Failover: true},
		SendEnv: map[string]string{"SMSFLOW_DYSMS_TIMEOUT": "1s", "SMSFLOW_DYSMS_BACKOFF": "20ms",
			"SMSFLOW_BREAKER_FAILURES": "1000"},
		Idem:     stack.IdemOptions{},
		Receipts: stack.ReceiptOptions{Delay: 100 * time.Millisecond},
	}
}

func TestMain(m *testing.M) {
	out = &testkit.Buffer{}
	o := options()
	o.FunctionOutput = out
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	s, err := stack.Start(ctx, o)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the local stack:", err)
		os.Exit(1)
	}
	shared = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (r reply) str(key string) string {
	v, _ := r.Body[key].(string)
	return v
}

func (r reply) errField(key string) string {
	e, _ := r.Body["error"].(map[string]any)
	v, _ := e[key].(string)
	return v
}

// send posts one message request; headers are name, value pairs.
func send(t *testing.T, s *stack.Stack, body string, headers ...string) reply {
	t.Helper()
	a := testkit.PostMessage(t, s.GatewayURL, stack.LocalToken, "application/json", body, headers...)
	r := reply{Status: a.Status, Header: a.Header, Raw: a.Raw}
	_ = json.Unmarshal([]byte(a.Raw), &r.Body)
	return r
}

func otp(numbers ...string) string {
	b, _ := json.Marshal(map[string]any{"phone_numbers": numbers, "sign_name": "smsflow",
		"template_code": "SMS_LOCAL_OTP", "template_params": map[string]string{"code": "482913"}})
	return string(b)
}

func reset(s *stack.Stack) {
	s.Dysms.Reset()
	s.Tencent.Reset()
}
