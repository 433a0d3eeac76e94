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

// The SMS channel goes through the shared sender to Dysmsapi (here its
// emulator), and its failures never carry the on-call number.
func TestSMSAdapter(t *testing.T) {
	srv, err := dysms.New(dysms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := sts.Issue(time.Hour)
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}})
	sender := sms.New(config.Dysms{Endpoint: ts.Listener.Addr().String(), Protocol: "HTTP", RegionID: "cn-hangzhou",
		ReadTimeout: 2 * time.Second, MaxAttempts: 1, BackoffInitial: time.Millisecond}, creds.NewSource(false))
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
