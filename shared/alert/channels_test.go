package alert

import (
	"context"
	"strings"
	"testing"

	"smsflow/shared/alert/notify"
)

type nopSMS struct{}

func (nopSMS) SendSMS(context.Context, notify.SMSRequest) error { return nil }

func TestBuildChannelsFromDefaults(t *testing.T) {
	cfg, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildChannels(cfg, ChannelDeps{Getenv: func(string) string { return "" }}); err == nil ||
		!strings.Contains(err.Error(), `channel "webhook": environment variable SMSFLOW_ALERT_WEBHOOK_URL is empty`) {
		t.Fatalf("missing env: %v", err)
	}
	env := map[string]string{"SMSFLOW_ALERT_WEBHOOK_URL": "http://127.0.0.1:9300/webhook", "SMSFLOW_ALERT_WEBHOOK_SECRET": "s"}
	chans, err := BuildChannels(cfg, ChannelDeps{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != 1 || chans["webhook"] == nil {
		t.Fatalf("built %v; only the webhook is enabled by default", chans)
	}
	if w := chans["webhook"].(*notify.Webhook); w.Secret != "s" || w.URL != env["SMSFLOW_ALERT_WEBHOOK_URL"] {
		t.Errorf("webhook = %+v", w)
	}
	// Every default rule can run on these channels.
	if _, err := NewEvaluator(cfg, Options{Querier: &fakeSLS{}, StateLog: &MemoryStateLog{}, Channels: chans}); err != nil {
		t.Fatal(err)
	}
}

func TestBuildSMSChannel(t *testing.T) {
	cfg, err := Parse([]byte(`
include_defaults: true
channels:
  - {name: oncall-sms, enabled: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SMSFLOW_ALERT_WEBHOOK_URL": "http://x", "SMSFLOW_ALERT_WEBHOOK_SECRET": "s",
		"SMSFLOW_ALERT_ONCALL_PHONES": "13800008000, 13900001111,"}
	getenv := func(k string) string { return env[k] }
	if _, err := BuildChannels(cfg, ChannelDeps{Getenv: getenv}); err == nil || !strings.Contains(err.Error(), "no SMS sender") {
		t.Fatalf("sms without sender: %v", err)
	}
	chans, err := BuildChannels(cfg, ChannelDeps{Getenv: getenv, SMS: nopSMS{}})
	if err != nil {
		t.Fatal(err)
	}
	s := chans["oncall-sms"].(*notify.SMS)
	if len(s.Phones) != 2 || s.TemplateCode != "SMS_LOCAL_NOTICE" || s.Params["name"] != "${rule}" {
		t.Errorf("sms = %+v", s)
	}
}

func TestNewEvaluatorRejectsUnbuiltChannel(t *testing.T) {
	cfg, _ := Defaults()
	if _, err := NewEvaluator(cfg, Options{Querier: &fakeSLS{}, StateLog: &MemoryStateLog{}}); err == nil ||
		!strings.Contains(err.Error(), `channel "webhook" is enabled but was not built`) {
		t.Fatalf("err = %v", err)
	}
}
