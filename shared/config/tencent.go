package config

import (
	"fmt"
	"time"
)

// Tencent configures Tencent Cloud SMS, the secondary provider. Tencent has
// no STS reachable from the FC role, so its SecretId and SecretKey come
// from the environment as secrets (s.yaml `${env(...)}`, template.yaml
// NoEcho parameters); they are never logged. All three of SecretID,
// SecretKey and SdkAppID, or none: half a configuration refuses to start.
type Tencent struct {
	SecretID  string `env:"SMSFLOW_TENCENT_SECRET_ID" secret:"true" max:"64"`
	SecretKey string `env:"SMSFLOW_TENCENT_SECRET_KEY" secret:"true" max:"64"`
	// SdkAppID is the SMS application (SmsSdkAppId, 1400xxxxxx).
	SdkAppID string `env:"SMSFLOW_TENCENT_SDK_APP_ID" max:"16"`
	Region   string `env:"SMSFLOW_TENCENT_REGION" envDefault:"ap-guangzhou" max:"32"`
	// Endpoint is host[:port]; Scheme https in the cloud, http locally.
	Endpoint string `env:"SMSFLOW_TENCENT_ENDPOINT" envDefault:"sms.tencentcloudapi.com" max:"128"`
	Scheme   string `env:"SMSFLOW_TENCENT_SCHEME" envDefault:"https" max:"5"`
	// Timeout bounds one SendSms (whole seconds: the SDK's unit). After a
	// timeout the outcome is unknown and nothing is resent.
	Timeout time.Duration `env:"SMSFLOW_TENCENT_TIMEOUT" envDefault:"5s" max:"8"`
	// TemplateMap is the template map file (docs/providers.md); a relative
	// path is read from the directory of the function's binary, so the file
	// travels in the code package.
	TemplateMap string `env:"SMSFLOW_TEMPLATE_MAP" envDefault:"templates.yaml" max:"256"`
	// BreakerFailures consecutive provider-side failures open the primary's
	// circuit for BreakerOpen (per instance).
	BreakerFailures int           `env:"SMSFLOW_BREAKER_FAILURES" envDefault:"5" max:"4"`
	BreakerOpen     time.Duration `env:"SMSFLOW_BREAKER_OPEN" envDefault:"30s" max:"8"`
}

// Enabled reports whether Tencent is configured.
func (t Tencent) Enabled() bool { return t.SecretID != "" }

// Validate refuses half a configuration and impossible settings.
func (t Tencent) Validate() error {
	set := 0
	for _, v := range []string{t.SecretID, t.SecretKey, t.SdkAppID} {
		if v != "" {
			set++
		}
	}
	if t.Enabled() || t.Endpoint != "" {
		if err := checkHostPort("SMSFLOW_TENCENT_ENDPOINT", t.Endpoint); err != nil {
			return err
		}
	}
	switch {
	case set != 0 && set != 3:
		// Never name the values: they are secrets.
		return fmt.Errorf("SMSFLOW_TENCENT_SECRET_ID, SMSFLOW_TENCENT_SECRET_KEY and SMSFLOW_TENCENT_SDK_APP_ID go together: %d of 3 are set", set)
	case t.Scheme != "https" && t.Scheme != "http":
		return fmt.Errorf("SMSFLOW_TENCENT_SCHEME must be https or http, got %q", t.Scheme)
	case t.Scheme == "http" && !IsLoopback(t.Endpoint):
		return fmt.Errorf("SMSFLOW_TENCENT_SCHEME=http is for the local stack only, but SMSFLOW_TENCENT_ENDPOINT is %q", t.Endpoint)
	case t.Timeout < time.Second || t.Timeout%time.Second != 0:
		return fmt.Errorf("SMSFLOW_TENCENT_TIMEOUT must be whole seconds, at least 1s, got %s", t.Timeout)
	case t.BreakerFailures < 1:
		return fmt.Errorf("SMSFLOW_BREAKER_FAILURES must be at least 1, got %d", t.BreakerFailures)
	case t.BreakerOpen < time.Second:
		return fmt.Errorf("SMSFLOW_BREAKER_OPEN must be at least 1s, got %s", t.BreakerOpen)
	}
	return nil
}
