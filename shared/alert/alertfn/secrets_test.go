package alertfn

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsflow/shared/alert"
	"smsflow/shared/alert/notify"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
)

const leakRules = `
settings: {interval: 1m, index_lag: 60s}
channels:
  - {name: webhook, type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET}
  - {name: dingtalk, type: dingtalk, url_env: DING_URL, secret_env: DING_SECRET}
  - {name: wecom, type: wecom, url_env: WECOM_URL}
  - {name: lark, type: lark, url_env: LARK_URL, secret_env: LARK_SECRET}
  - {name: oncall, type: sms, sign_name: smsflow, template_code: SMS_LOCAL_NOTICE, phones_env: PHONES, params: {name: "${rule}"}}
rules:
  - {name: fast, severity: critical, kind: failure_rate, window: 5m, threshold: 0.05, channels: [webhook, dingtalk, wecom, lark, oncall]}
`

const leaked = "T0kenThatMustNotLeak"

// leakySMS fails the way an HTTP client does: quoting the URL it called.
type leakySMS struct{}

func (leakySMS) SendSMS(context.Context, notify.SMSRequest) error {
	return &url.Error{Op: "Post", URL: "https://dysmsapi.aliyuncs.com/?SecurityToken=" + leaked + "&Signature=" + leaked,
		Err: errors.New("connection reset by peer")}
}

// Every channel, each with a malformed URL holding its secret (a control
// character, a bad escape, a space): the run's events, written through the
// real obs handler, and the state log must not carry the secret anywhere.
// (issue 10.4)
func TestNoChannelLeaksItsSecretIntoTheLogs(t *testing.T) {
	rules, err := alert.Parse([]byte(leakRules))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"HOOK_URL":    "https://hooks.example.com/in/" + leaked + "?token=" + leaked + "\x7f",
		"HOOK_SECRET": "s",
		"DING_URL":    "https://oapi.dingtalk.com/robot/send?access_token=" + leaked + "\x7f",
		"DING_SECRET": "SEC" + leaked,
		"WECOM_URL":   "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + leaked + "%zz\n",
		"LARK_URL":    "https://open.feishu.cn/open-apis/bot/v2/hook/" + leaked + " x\x00",
		"LARK_SECRET": leaked,
		"PHONES":      "13800138000",
	}
	// Such URLs are refused at start, without being quoted...
	_, err = alert.BuildChannels(rules, alert.ChannelDeps{Getenv: func(k string) string { return env[k] },
		HTTP: &http.Client{Timeout: time.Second}, SMS: leakySMS{}})
	if err == nil || strings.Contains(err.Error(), leaked) {
		t.Fatalf("malformed secret URLs at start: %v", err)
	}
	// ...and should one reach a send all the same, its failure is redacted.
	client := &http.Client{Timeout: time.Second}
	channels := map[string]notify.Channel{
		"webhook":  &notify.Webhook{URL: env["HOOK_URL"], Secret: env["HOOK_SECRET"], Client: client},
		"dingtalk": &notify.DingTalk{URL: env["DING_URL"], Secret: env["DING_SECRET"], Client: client},
		"wecom":    &notify.WeCom{URL: env["WECOM_URL"], Client: client},
		"lark":     &notify.Lark{URL: env["LARK_URL"], Secret: env["LARK_SECRET"], Client: client},
		"oncall": &notify.SMS{Sender: leakySMS{}, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE",
			Phones: []string{env["PHONES"]}, Params: map[string]string{"name": "${rule}"}},
	}
	out := &bytes.Buffer{}
	shipper := obs.NewShipper(config.Logs{}, "alert", creds.NewSource(true), out)
	stateLog := &alert.MemoryStateLog{}
	h, err := New(Deps{Rules: rules, Flush: shipper.Flush, Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 30, 0, time.UTC) },
		Options: alert.Options{Querier: &rowsQuerier{}, StateLog: stateLog, Channels: channels,
			Emitter: alert.SlogEmitter{Logger: obs.NewLogger(shipper)}, SendTimeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.Handle(context.Background(), timer("2026-11-27T10:00:00Z", ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != len(channels) {
		t.Fatalf("%d of %d channels failed; every malformed one must", res.Failed, len(channels))
	}
	logs := out.String()
	for name := range channels {
		if !strings.Contains(logs, `"channel":"`+name+`"`) {
			t.Errorf("no notification event for channel %s", name)
		}
	}
	if strings.Contains(logs, leaked) {
		t.Errorf("a secret reached the logs:\n%s", logs)
	}
	records, _ := stateLog.Load(context.Background())
	for _, r := range records {
		if strings.Contains(r.Error, leaked) {
			t.Errorf("a secret reached the state log: %s: %s", r.Channel, r.Error)
		}
	}
}
