package config

import (
	"fmt"
	"time"
)

// AlertSLS says where the alert function reads events and keeps its state.
// Every location defaults to the function's bound logConfig (FC's
// logproject/logstore of the invocation), through SMSFLOW_SLS_PROJECT and
// SMSFLOW_SLS_LOGSTORE when those are set.
type AlertSLS struct {
	// QueryProject and QueryLogstore hold the sms.* events the rules query
	// (the send function's logstore).
	QueryProject  string `env:"SMSFLOW_ALERT_QUERY_PROJECT" max:"63"`
	QueryLogstore string `env:"SMSFLOW_ALERT_QUERY_LOGSTORE" max:"63"`
	// StateProject and StateLogstore receive the alert.state records. A
	// logstore of its own is advised in production: each run reads the
	// state shard back over StateLookback, and a shard shared with all
	// sms.* traffic makes that read large.
	StateProject  string `env:"SMSFLOW_ALERT_STATE_PROJECT" max:"63"`
	StateLogstore string `env:"SMSFLOW_ALERT_STATE_LOGSTORE" max:"63"`
	// StateLookback is how far back each run reads the state log. It must
	// cover the longest repeat_interval of the rules (48 h covers the
	// defaults with room to spare).
	StateLookback time.Duration `env:"SMSFLOW_ALERT_STATE_LOOKBACK" envDefault:"48h" max:"16"`
	// SLSTimeout bounds one GetLogs, PutLogs or PullLogs call, SDK retries
	// included. A rule query with SQL can take seconds on a busy logstore.
	SLSTimeout time.Duration `env:"SMSFLOW_ALERT_SLS_TIMEOUT" envDefault:"10s" max:"16"`
}

// AlertRules picks the rule file (see docs/alerts.md). Empty: the
// alert-rules.yaml packaged next to the binary, else the embedded
// defaults. The rules themselves never travel in the environment (FC's
// 4 KB for all variables).
type AlertRules struct {
	RulesFile string `env:"SMSFLOW_ALERT_RULES_FILE" max:"256"`
}

// AlertChannelSecrets are the variables the default rule file's channels
// name. They are listed here so deployment descriptors declare them; a
// rule file may name other variables, which are read the same way.
type AlertChannelSecrets struct {
	WebhookURL     string `env:"SMSFLOW_ALERT_WEBHOOK_URL" secret:"true" max:"256"`
	WebhookSecret  string `env:"SMSFLOW_ALERT_WEBHOOK_SECRET" secret:"true" max:"128"`
	DingTalkURL    string `env:"SMSFLOW_ALERT_DINGTALK_URL" secret:"true" max:"256"`
	DingTalkSecret string `env:"SMSFLOW_ALERT_DINGTALK_SECRET" secret:"true" max:"128"`
	WeComURL       string `env:"SMSFLOW_ALERT_WECOM_URL" secret:"true" max:"256"`
	LarkURL        string `env:"SMSFLOW_ALERT_LARK_URL" secret:"true" max:"256"`
	LarkSecret     string `env:"SMSFLOW_ALERT_LARK_SECRET" secret:"true" max:"128"`
	// OncallPhones are comma-separated numbers: personal data, kept out of
	// descriptors in clear like a secret.
	OncallPhones string `env:"SMSFLOW_ALERT_ONCALL_PHONES" secret:"true" max:"160"`
}

// Alert is the configuration of functions/alert.
type Alert struct {
	// Dysms is the client of the SMS channel (the shared sender).
	Dysms
	// Logs is where the function's own alert.* events are shipped.
	Logs
	AlertSLS
	AlertRules
	AlertChannelSecrets
	// Release is the canary the alert timer drives, if any.
	Release
	// SendTimeout bounds one notification on one channel.
	SendTimeout time.Duration `env:"SMSFLOW_ALERT_SEND_TIMEOUT" envDefault:"10s" max:"16"`
}

// Validate checks what env parsing cannot.
func (a Alert) Validate() error {
	if err := a.Dysms.Validate(); err != nil {
		return err
	}
	if err := a.Release.Validate(); err != nil {
		return err
	}
	if err := a.Logs.Validate(); err != nil {
		return err
	}
	if err := checkSLSNames("SMSFLOW_ALERT_QUERY_PROJECT", a.QueryProject, "SMSFLOW_ALERT_QUERY_LOGSTORE", a.QueryLogstore); err != nil {
		return err
	}
	if err := checkSLSNames("SMSFLOW_ALERT_STATE_PROJECT", a.StateProject, "SMSFLOW_ALERT_STATE_LOGSTORE", a.StateLogstore); err != nil {
		return err
	}
	switch {
	case a.StateLookback < time.Hour:
		return fmt.Errorf("SMSFLOW_ALERT_STATE_LOOKBACK must be at least 1h (it must cover the longest repeat_interval), got %s", a.StateLookback)
	case a.SLSTimeout < time.Second:
		return fmt.Errorf("SMSFLOW_ALERT_SLS_TIMEOUT must be at least 1s, got %s", a.SLSTimeout)
	case a.SendTimeout < time.Second:
		return fmt.Errorf("SMSFLOW_ALERT_SEND_TIMEOUT must be at least 1s, got %s", a.SendTimeout)
	}
	return nil
}
