package alertfn

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"smsflow/local/dysms"
	"smsflow/local/sts"
	"smsflow/shared/alert/notify"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/sms"
)

// smsEmulator starts a Dysmsapi emulator (with fault, if any) and returns
// it, an invocation context with STS credentials, and a sender to it.
func smsEmulator(t *testing.T, fault *dysms.Fault, timeout time.Duration, attempts int) (*dysms.Server, context.Context, *sms.Sender) {
	t.Helper()
	srv, err := dysms.New(dysms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fault != nil {
		srv.SetFault(*fault)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c := sts.Issue(time.Hour)
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}})
	sender := sms.New(config.Dysms{Endpoint: ts.Listener.Addr().String(), Protocol: "HTTP", RegionID: "cn-hangzhou",
		ReadTimeout: timeout, MaxAttempts: attempts, BackoffInitial: time.Millisecond}, creds.NewSource(false))
	return srv, ctx, sender
}

// The SMS channel goes through the shared sender to Dysmsapi (here its
// emulator), and its failures never carry the on-call number.
func TestSMSAdapter(t *testing.T) {
	srv, ctx, sender := smsEmulator(t, nil, 2*time.Second, 1)
	var err error
	ch := &notify.SMS{Sender: SMSAdapter{Sender: sender}, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE",
		Phones: []string{"13800138000", "13800000003"}, Params: map[string]string{"name": "${rule}", "status": "${status}"}}

	err = ch.Send(ctx, notify.Message{ID: "claim/oncall", Vars: map[string]string{"rule": "sms_failure_rate", "status": "firing"}})
	// One number reached, one refused (isp.SYSTEM_ERROR): delivered, with the failure reported.
	var partial *notify.PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("err = %v, want a partial delivery", err)
	}
	if msg := err.Error(); strings.Contains(msg, "13800000003") || !strings.Contains(msg, "138****0003") || !strings.Contains(msg, "isp.SYSTEM_ERROR") {
		t.Fatalf("error must name the masked number and the code only: %s", msg)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].Phone != "13800138000" || msgs[0].Params["name"] != "sms_failure_rate" || msgs[0].OutID != "claim/oncall" {
		t.Fatalf("messages %+v", msgs)
	}
}

// An on-call SMS whose outcome is unknown (Dysmsapi took longer than the
// sender waits) may be on its way: the channel says so with UnknownError,
// which the evaluator never retries, instead of a plain failure that would
// page again next run. (issue 10.9)
func TestSMSAdapterUnknownOutcomeIsNotAFailure(t *testing.T) {
	srv, ctx, sender := smsEmulator(t, &dysms.Fault{Kind: dysms.FaultLatency, Latency: 1500 * time.Millisecond}, time.Second, 3)
	ch := &notify.SMS{Sender: SMSAdapter{Sender: sender}, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE",
		Phones: []string{"13800138000"}, Params: map[string]string{"name": "${rule}", "status": "${status}"}}
	err := ch.Send(ctx, notify.Message{ID: "claim/oncall", Vars: map[string]string{"rule": "sms_failure_rate", "status": "firing"}})
	var unknown *notify.UnknownError
	if !errors.As(err, &unknown) || strings.Contains(err.Error(), "13800138000") {
		t.Fatalf("err = %v, want an unknown delivery that names no number", err)
	}
	time.Sleep(700 * time.Millisecond) // the call Alibaba was still handling lands
	if n := srv.Stats().Requests["SendSms"]; n != 1 {
		t.Fatalf("%d SendSms calls; an unknown outcome must not be retried", n)
	}
}
