package main

import (
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
