package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/obs"
)

// An operator provisions the logstore, a message is logged, and
// `smsflow trace` finds it: the product's command, against the local
// stack's SLS, signed through the credentials-go chain (the local pair).
func TestTraceReadsAMessagesTimelineFromSLS(t *testing.T) {
	addr, c := localSLS(t)
	provisionOnce(t, addr)
	const id = "0123456789abcdef0123456789abcdef"
	now := uint32(time.Now().Unix())
	field := func(k, v string) *slssdk.LogContent { return &slssdk.LogContent{Key: &k, Value: &v} }
	topic := "send"
	err := c.PutLogs("smsflow-local", "sms", &slssdk.LogGroup{Topic: &topic, Logs: []*slssdk.Log{{Time: &now, Contents: []*slssdk.LogContent{
		field(obs.KeyEvent, obs.EventRequest), field(obs.KeyTraceID, id), field(obs.KeyPhoneMasked, "138****8000"),
		field(obs.KeyTemplateCode, "SMS_LOCAL_OTP"),
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runTrace([]string{id, "-endpoint", addr, "-project", "smsflow-local", "-logstore", "sms"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"trace " + id, obs.EventRequest, "138****8000", "SMS_LOCAL_OTP"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("trace output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTraceTakesItsTargetFromTheEnvironment(t *testing.T) {
	for _, k := range []string{"SMSFLOW_SLS_ENDPOINT", "SMSFLOW_SLS_PROJECT", "SMSFLOW_SLS_LOGSTORE"} {
		t.Setenv(k, "")
	}
	err := runTrace([]string{"0123456789abcdef0123456789abcdef"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "-endpoint") {
		t.Fatalf("err = %v, want it to name what is missing", err)
	}
}

// A careless operator pastes a phone number where the trace id, or a
// flag's value, goes: the refusal says what was expected, and neither it
// nor anything printed repeats the number. Nothing is asked of SLS.
func TestTraceDoesNotRepeatAPhoneNumber(t *testing.T) {
	addr, _ := localSLS(t)
	target := []string{"-endpoint", addr, "-project", "smsflow-local", "-logstore", "sms"}
	for _, args := range [][]string{
		{"13800138000"},
		{"-spans", "-traces", "smsflow-traces", "+8613800138000"},
		{"0123456789abcdef0123456789abcdef", "-since", "13800138000"},
		{"0123456789abcdef0123456789abcdef", "-13800138000"},
	} {
		var out strings.Builder
		var err error
		stderr := captureStderr(t, func() { err = runTrace(append(args, target...), &out) })
		if err == nil {
			t.Errorf("%q was accepted", args)
			continue
		}
		for _, n := range []string{"13800138000", "8613800138000"} {
			if strings.Contains(err.Error()+out.String()+stderr, n) {
				t.Errorf("%q: the number was repeated: err %q, stdout %q, stderr %q", args, err, out.String(), stderr)
			}
		}
	}
}

func TestProvisionDoesNotRepeatAFlagValue(t *testing.T) {
	var err error
	stderr := captureStderr(t, func() { err = runProvision([]string{"-timeout", "13800138000"}, io.Discard) })
	if err == nil || !strings.Contains(err.Error(), "-timeout") || strings.Contains(err.Error()+stderr, "13800138000") {
		t.Fatalf("err = %v, stderr %q; want a refusal naming -timeout, without the value", err, stderr)
	}
}

// release parses its flags as trace and provision do: a pasted number in
// a flag's value comes back nowhere.
func TestReleaseDoesNotRepeatAFlagValue(t *testing.T) {
	var err error
	stderr := captureStderr(t, func() { err = runRelease("watch", []string{"-every", "13800138000"}, io.Discard) })
	if err == nil || !strings.Contains(err.Error(), "-every") || strings.Contains(err.Error()+stderr, "13800138000") {
		t.Fatalf("err = %v, stderr %q; want a refusal naming -every, without the value", err, stderr)
	}
}

// captureStderr runs f with os.Stderr read into the string it returns:
// the flag package prints its errors there itself.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	defer func() { os.Stderr = saved }()
	f()
	w.Close()
	return <-done
}

// -since must be positive: a negative one made a window that ends before
// it starts, and the trace said "no events found (too early?)" for a
// message that is there. -receipt-wait 0 or negative silently became the
// 5m default. Both are refused, naming the flag.
func TestTraceRefusesNonPositiveDurations(t *testing.T) {
	addr, c := localSLS(t)
	provisionOnce(t, addr)
	const id = "0123456789abcdef0123456789abcdef"
	now := uint32(time.Now().Unix())
	k1, v1, k2, v2 := obs.KeyEvent, obs.EventRequest, obs.KeyTraceID, id
	if err := c.PutLogs("smsflow-local", "sms", &slssdk.LogGroup{Logs: []*slssdk.Log{{Time: &now, Contents: []*slssdk.LogContent{
		{Key: &k1, Value: &v1}, {Key: &k2, Value: &v2}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-since", "-receipt-wait"} {
		for _, v := range []string{"0s", "-1h"} {
			var out strings.Builder
			err := runTrace([]string{id, f, v, "-endpoint", addr, "-project", "smsflow-local", "-logstore", "sms"}, &out)
			if err == nil || !strings.Contains(err.Error(), f+" must be a positive duration") {
				t.Errorf("%s %s: err = %v, output %q; want a refusal naming %s", f, v, err, out.String(), f)
			}
		}
	}
}
