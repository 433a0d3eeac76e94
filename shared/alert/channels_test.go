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

// An on-call list of separators only (" , ") is not empty, passed the
// start, and every page then failed with "no on-call numbers".
func TestAnOncallListWithoutANumberIsRefusedAtStart(t *testing.T) {
	cfg, err := Parse([]byte("include_defaults: true\nchannels:\n  - {name: oncall-sms, enabled: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, phones := range []string{" , ", ",", " "} {
		env := map[string]string{"SMSFLOW_ALERT_WEBHOOK_URL": "http://x", "SMSFLOW_ALERT_WEBHOOK_SECRET": "s", "SMSFLOW_ALERT_ONCALL_PHONES": phones}
		_, err := BuildChannels(cfg, ChannelDeps{Getenv: func(k string) string { return env[k] }, SMS: nopSMS{}})
		if want := `channel "oncall-sms": environment variable SMSFLOW_ALERT_ONCALL_PHONES names no number`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", phones, err, want)
		}
	}
}

func TestNewEvaluatorRejectsUnbuiltChannel(t *testing.T) {
	cfg, _ := Defaults()
	if _, err := NewEvaluator(cfg, Options{Querier: &fakeSLS{}, StateLog: &MemoryStateLog{}}); err == nil ||
		!strings.Contains(err.Error(), `channel "webhook" is enabled but was not built`) {
		t.Fatalf("err = %v", err)
	}
}

// A channel URL or secret that no send could use (pasted with a newline,
// a bad escape, no scheme) is refused at start, naming the channel and
// where the value came from, never quoting it: else every run would fail
// to send (or sign wrongly) and the alerts would go unheard.
func TestBuildChannelsRefusesUnusableURLsAndSecretsWithoutQuotingThem(t *testing.T) {
	cfg := dingConfig(t)
	good := "https://oapi.dingtalk.com/robot/send?access_token=" + token
	refusedAtStart(t, cfg, good, []startCase{
		{good + "\n", "SEC" + token, `channel "ding": environment variable DING_URL: the URL has leading or trailing whitespace`},
		{" " + good, "SEC" + token, `environment variable DING_URL: the URL has leading or trailing whitespace`},
		{good + "%zz", "SEC" + token, `environment variable DING_URL: the URL does not parse`},
		{good + "\x7f", "SEC" + token, `environment variable DING_URL: the URL holds a space or a control character`},
		{"oapi.dingtalk.com/robot/send?access_token=" + token, "SEC" + token, `environment variable DING_URL: the URL must start with https://`},
		{"https:///robot/send?access_token=" + token, "SEC" + token, `environment variable DING_URL: the URL has no host`},
		{good, "SEC" + token + "\n", `channel "ding": environment variable DING_SECRET has leading or trailing whitespace`},
	})
}

// A URL with a port but no host name (https://:443/...) passed the start
// check, u.Host being ":443", and every send then failed to dial; so did a
// port no socket has.
func TestAChannelURLWithoutAHostNameOrAPortIsRefused(t *testing.T) {
	cfg := dingConfig(t)
	const q = "/robot/send?access_token=" + token
	refusedAtStart(t, cfg, "https://oapi.dingtalk.com:443"+q, []startCase{
		{"https://:443" + q, "SEC" + token, `channel "ding": environment variable DING_URL: the URL has no host`},
		{"https://:" + q, "SEC" + token, `environment variable DING_URL: the URL has no host`},
		{"https://oapi.dingtalk.com:0" + q, "SEC" + token, `environment variable DING_URL: the URL's port must be 1 to 65535`},
		{"https://oapi.dingtalk.com:65536" + q, "SEC" + token, `environment variable DING_URL: the URL's port must be 1 to 65535`},
	})
	// A webhook URL written in the file is checked at load, so that make
	// build refuses it.
	for url, want := range map[string]string{
		"https://:443/hook":                  `channel "hook": field url: the URL has no host`,
		"https://hooks.example.com:99999/in": `channel "hook": field url: the URL's port must be 1 to 65535`,
		"hooks.example.com/in":               `channel "hook": field url: the URL must start with https://`,
	} {
		_, err := Parse([]byte(strings.Replace(base, "http://127.0.0.1/x", url, 1)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("url %s: err %v, want %q", url, err, want)
		}
	}
}

const token = "T0kenThatMustNotLeak"

// dingConfig is one rule on a DingTalk robot read from DING_URL and
// DING_SECRET.
func dingConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := Parse([]byte(`
channels:
  - {name: ding, type: dingtalk, url_env: DING_URL, secret_env: DING_SECRET}
rules:
  - {name: r, severity: warning, kind: failure_rate, window: 5m, threshold: 0.05, channels: [ding]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type startCase struct{ url, secret, want string }

// refusedAtStart builds cfg's channels with each case's DING_URL and
// DING_SECRET: each must be refused with want, never quoting the token;
// good must be accepted.
func refusedAtStart(t *testing.T, cfg *Config, good string, cases []startCase) {
	t.Helper()
	for _, c := range cases {
		env := map[string]string{"DING_URL": c.url, "DING_SECRET": c.secret}
		_, err := BuildChannels(cfg, ChannelDeps{Getenv: func(k string) string { return env[k] }})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("url %q secret %q: err %v, want %q", c.url, c.secret, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("the start-up error quotes the secret: %v", err)
		}
	}
	env := map[string]string{"DING_URL": good, "DING_SECRET": "SEC" + token}
	if _, err := BuildChannels(cfg, ChannelDeps{Getenv: func(k string) string { return env[k] }}); err != nil {
		t.Errorf("a good URL and secret: %v", err)
	}
}
