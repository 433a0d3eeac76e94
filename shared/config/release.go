package config

import "fmt"

// Release names the alias whose canary the alert timer drives (see
// docs/release.md). Empty Function: no release controller runs.
type Release struct {
	// Function and Alias are the released function and its alias (the
	// one its triggers invoke, e.g. prod).
	Function string `env:"SMSFLOW_RELEASE_FUNCTION" max:"64"`
	Alias    string `env:"SMSFLOW_RELEASE_ALIAS" envDefault:"prod" max:"128"`
	// FCEndpoint is FC's control API, host[:port] (HTTPS) or an http://
	// URL (the local emulator); "" = <account>.<region>.fc.aliyuncs.com
	// of the invocation.
	FCEndpoint string `env:"SMSFLOW_RELEASE_FC_ENDPOINT" max:"256"`
	// Policy overrides release.DefaultPolicy, "key=value ..." (steps,
	// min_samples, soak, max_failure_increase, max_5xx_increase,
	// max_latency_ratio, min_latency_delta_ms, index_lag).
	Policy string `env:"SMSFLOW_RELEASE_POLICY" max:"256"`
}

// Validate checks what env parsing cannot.
func (r Release) Validate() error {
	if r.Function != "" && r.Alias == "" {
		return fmt.Errorf("SMSFLOW_RELEASE_ALIAS is required with SMSFLOW_RELEASE_FUNCTION")
	}
	return checkEndpointURL("SMSFLOW_RELEASE_FC_ENDPOINT", r.FCEndpoint)
}
