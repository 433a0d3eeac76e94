// Package alert is the alerting core of smsflow: rules as code, evaluation
// over SLS (one aggregated query per rule per run), per-group state kept in
// an append-only log instead of a database, and notifications.
//
// See docs/alerts.md for the rule file format and the state protocol.
package alert

import "time"

// Config is a parsed and validated rule file.
type Config struct {
	Settings Settings  `yaml:"settings"`
	Rules    []Rule    `yaml:"rules"`
	Silences []Silence `yaml:"silences"`
	Channels []Channel `yaml:"channels"`
}

// Settings tune the evaluator as a whole.
type Settings struct {
	// Interval is the timer period. "now" is truncated to it to get the
	// evaluation slot, so two deliveries of one tick compute the same slot.
	Interval time.Duration `yaml:"interval"`
	// IndexLag shifts every window into the past: SLS needs 10-70 s before
	// a log is queryable, so a window ending "now" would undercount.
	IndexLag time.Duration `yaml:"index_lag"`
	// DeliveryLease is how long a claimed notification may stay without a
	// recorded outcome before another run assumes the sender died.
	DeliveryLease time.Duration `yaml:"delivery_lease"`
}

// Rule is one alert rule.
type Rule struct {
	Name     string `yaml:"name"`
	Enabled  *bool  `yaml:"enabled"`
	Severity string `yaml:"severity"`
	// Kind is a built-in measure compiled to SLS SQL; Query is a hand
	// written `search | SQL` instead. Exactly one of them is set.
	Kind  string `yaml:"kind"`
	Query string `yaml:"query"`
	// Filter is an extra SLS search condition ANDed into a built-in kind's
	// search part, e.g. `function: send`.
	Filter     string        `yaml:"filter"`
	Quantile   float64       `yaml:"quantile"`
	Unit       string        `yaml:"unit"`
	Window     time.Duration `yaml:"window"`
	Threshold  *float64      `yaml:"threshold"`
	Comparison string        `yaml:"comparison"`
	MinSamples int64         `yaml:"min_samples"`
	// For is the number of consecutive breaching evaluations before firing.
	For            int               `yaml:"for"`
	GroupBy        []string          `yaml:"group_by"`
	Labels         map[string]string `yaml:"labels"`
	Annotations    map[string]string `yaml:"annotations"`
	RepeatInterval time.Duration     `yaml:"repeat_interval"`
	Channels       []string          `yaml:"channels"`
}

// IsEnabled reports whether the rule runs; rules are on unless told otherwise.
func (r Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// Silence mutes notifications (not evaluation) of matching alerts between
// Start and End.
type Silence struct {
	Rule    string            `yaml:"rule"`
	Matcher map[string]string `yaml:"match"`
	Start   time.Time         `yaml:"start"`
	End     time.Time         `yaml:"end"`
	Comment string            `yaml:"comment"`
}

// Channel declares a notification channel. Secrets are never values in the
// file: *_env fields name the environment variable that holds them.
type Channel struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Enabled *bool  `yaml:"enabled"`
	// URL may be written in clear only for the generic webhook; robot URLs
	// carry their access token and must come from URLEnv.
	URL       string `yaml:"url"`
	URLEnv    string `yaml:"url_env"`
	SecretEnv string `yaml:"secret_env"`
	// SMS channel settings.
	SignName     string            `yaml:"sign_name"`
	TemplateCode string            `yaml:"template_code"`
	PhonesEnv    string            `yaml:"phones_env"`
	Params       map[string]string `yaml:"params"`
}

// IsEnabled reports whether the channel is used; a disabled channel named
// by a rule is skipped silently so that defaults can ship every kind.
func (c Channel) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Built-in rule kinds.
const (
	KindFailureRate             = "failure_rate"
	KindLatencyQuantile         = "latency_quantile"
	KindThrottleRate            = "throttle_rate"
	KindNoTraffic               = "no_traffic"
	KindDeliveryRate            = "delivery_rate"
	KindDeliveryLatencyQuantile = "delivery_latency_quantile"
)

// Channel types.
const (
	ChannelSMS      = "sms"
	ChannelDingTalk = "dingtalk"
	ChannelWeCom    = "wecom"
	ChannelLark     = "lark"
	ChannelWebhook  = "webhook"
)

// Default settings, used where the file leaves them out.
const (
	DefaultInterval      = time.Minute
	DefaultIndexLag      = 60 * time.Second
	DefaultDeliveryLease = 5 * time.Minute
)
