package release

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Policy is how a canary advances and when it is judged worse than the
// stable version.
type Policy struct {
	// Steps are the canary's successive shares of the alias's traffic; the
	// last is 1 (promotion). Default 0.05, 0.25, 1.
	Steps []float64
	// MinSamples is how many sms.result events the canary must have in a
	// step before it is judged at all (healthy or not).
	MinSamples int64
	// Soak is how long a step lasts at least before the next one.
	Soak time.Duration
	// MaxFailureIncrease: roll back when the canary's failure rate exceeds
	// the stable version's by more than this (a fraction).
	MaxFailureIncrease float64
	// Max5xxIncrease: likewise for the share of our own 5xx answers.
	Max5xxIncrease float64
	// MaxLatencyRatio and MinLatencyDeltaMS: roll back when the canary's
	// p99 Alibaba-call latency is above stable × ratio AND more than the
	// delta above it (tiny absolute differences are noise).
	MaxLatencyRatio   float64
	MinLatencyDeltaMS float64
	// IndexLag: windows end this long ago (SLS indexes logs in 10-70 s).
	IndexLag time.Duration
}

// DefaultPolicy is the production policy.
func DefaultPolicy() Policy {
	return Policy{Steps: []float64{0.05, 0.25, 1}, MinSamples: 50, Soak: 10 * time.Minute,
		MaxFailureIncrease: 0.02, Max5xxIncrease: 0.01, MaxLatencyRatio: 1.5, MinLatencyDeltaMS: 200,
		IndexLag: time.Minute}
}

// ParsePolicy reads "key=value" pairs separated by spaces or semicolons
// over DefaultPolicy, e.g. "steps=0.05,0.25,1 min_samples=50 soak=10m".
// Keys: steps, min_samples, soak, max_failure_increase, max_5xx_increase,
// max_latency_ratio, min_latency_delta_ms, index_lag.
func ParsePolicy(s string) (Policy, error) {
	p := DefaultPolicy()
	for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' }) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, fmt.Errorf("%s: %q is not key=value", policyErr, kv)
		}
		var err error
		switch k {
		case "steps":
			p.Steps = nil
			for _, f := range strings.Split(v, ",") {
				var w float64
				if w, err = parseFinite(f); err != nil {
					break
				}
				p.Steps = append(p.Steps, w)
			}
		case "min_samples":
			p.MinSamples, err = strconv.ParseInt(v, 10, 64)
		case "soak":
			p.Soak, err = time.ParseDuration(v)
		case "index_lag":
			p.IndexLag, err = time.ParseDuration(v)
		case "max_failure_increase":
			p.MaxFailureIncrease, err = parseFinite(v)
		case "max_5xx_increase":
			p.Max5xxIncrease, err = parseFinite(v)
		case "max_latency_ratio":
			p.MaxLatencyRatio, err = parseFinite(v)
		case "min_latency_delta_ms":
			p.MinLatencyDeltaMS, err = parseFinite(v)
		default:
			return p, fmt.Errorf("%s: unknown key %q", policyErr, k)
		}
		if err != nil {
			return p, fmt.Errorf("%s: %s: %w", policyErr, k, err)
		}
	}
	return p, p.Validate()
}

// policyErr starts every refusal: the policy comes from that variable (or
// from smsflow release -policy, which defaults to it).
const policyErr = "release policy (SMSFLOW_RELEASE_POLICY)"

// parseFinite is strconv.ParseFloat without NaN and the infinities, which
// it accepts: a NaN threshold compares false with everything, so it passes
// every range check and then never trips.
func parseFinite(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = fmt.Errorf("%q is not a finite number", s)
	}
	return f, err
}

// Validate refuses a policy that could never finish or never judge. Every
// comparison is written so that NaN fails it (a NaN built in code, not
// parsed, would otherwise pass). The rate increases compare differences of
// two rates, which never exceed 1: a threshold of 1 or more never trips.
func (p Policy) Validate() error {
	switch {
	case len(p.Steps) == 0 || p.Steps[len(p.Steps)-1] != 1:
		return fmt.Errorf("%s: steps must end with 1 (promotion), got %v", policyErr, p.Steps)
	case !rising(p.Steps) || !(p.Steps[0] > 0):
		return fmt.Errorf("%s: steps must rise strictly from above 0 to 1, got %v", policyErr, p.Steps)
	case p.MinSamples < 1:
		return fmt.Errorf("%s: min_samples must be at least 1, got %d", policyErr, p.MinSamples)
	case p.Soak < 0 || p.IndexLag < 0:
		return fmt.Errorf("%s: soak and index_lag cannot be negative", policyErr)
	case !(p.MaxFailureIncrease >= 0 && p.MaxFailureIncrease < 1):
		return fmt.Errorf("%s: max_failure_increase must be at least 0 and below 1 (a difference of two rates), got %v", policyErr, p.MaxFailureIncrease)
	case !(p.Max5xxIncrease >= 0 && p.Max5xxIncrease < 1):
		return fmt.Errorf("%s: max_5xx_increase must be at least 0 and below 1 (a difference of two rates), got %v", policyErr, p.Max5xxIncrease)
	case !(p.MaxLatencyRatio >= 1) || math.IsInf(p.MaxLatencyRatio, 0):
		return fmt.Errorf("%s: max_latency_ratio must be a finite number of at least 1, got %v", policyErr, p.MaxLatencyRatio)
	case !(p.MinLatencyDeltaMS >= 0) || math.IsInf(p.MinLatencyDeltaMS, 0):
		return fmt.Errorf("%s: min_latency_delta_ms must be a finite number of at least 0, got %v", policyErr, p.MinLatencyDeltaMS)
	}
	return nil
}

func rising(steps []float64) bool {
	for i := 1; i < len(steps); i++ {
		if !(steps[i] > steps[i-1]) { // NaN fails too
			return false
		}
	}
	return true
}

// next is the step after the current weight w: the first step above it.
func (p Policy) next(w float64) float64 {
	for _, s := range p.Steps {
		if s > w+1e-9 {
			return s
		}
	}
	return 1
}
