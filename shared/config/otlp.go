package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"smsflow/shared/redact"
)

// OTLP configures the export of each invocation's spans as OpenTelemetry
// traces over OTLP/HTTP (docs/tracing.md). Empty Endpoint: off, the default.
type OTLP struct {
	// Endpoint is the full URL spans are POSTed to, path included: any OTLP
	// receiver (`http://collector:4318/v1/traces`) or SLS Trace
	// (`https://<project>.<region>-intranet.log.aliyuncs.com/opentelemetry/v1/traces`).
	Endpoint string `env:"SMSFLOW_OTLP_ENDPOINT" max:"200"`
	// Headers are sent with every export, `k=v,k2=v2` like
	// OTEL_EXPORTER_OTLP_HEADERS. For SLS Trace: x-sls-otel-project and
	// x-sls-otel-instance-id. A secret: some receivers take a token here.
	Headers string `env:"SMSFLOW_OTLP_HEADERS" secret:"true" max:"300"`
	// SLSAuth adds x-sls-otel-ak-id, -ak-secret and -token from the
	// function's role credentials (STS) to every export, so no AccessKey is
	// ever configured.
	SLSAuth bool `env:"SMSFLOW_OTLP_SLS_AUTH" max:"5"`
	// Timeout bounds one export, retries included; past it the spans go to
	// stdout like events do.
	Timeout time.Duration `env:"SMSFLOW_OTLP_TIMEOUT" envDefault:"500ms" max:"16"`
}

// HeaderMap parses Headers. A malformed pair is an error, not a silently
// dropped header: a missing x-sls-otel-project would lose every trace.
func (o OTLP) HeaderMap() (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(o.Headers, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			// Never echo the pair: it may hold a token.
			return nil, fmt.Errorf("SMSFLOW_OTLP_HEADERS: a pair is not key=value")
		}
		if dv, err := url.QueryUnescape(strings.TrimSpace(v)); err == nil {
			v = dv
		}
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// Validate checks what env parsing cannot.
func (o OTLP) Validate() error {
	if o.Endpoint == "" {
		return nil
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.ContainsFunc(o.Endpoint, unicode.IsSpace) || hostPortProblem(u.Host, false) != "" {
		return fmt.Errorf("SMSFLOW_OTLP_ENDPOINT must be an http(s) URL with the path (…/v1/traces or …/opentelemetry/v1/traces), got %s (shown without its path or query, which may hold a key)", redact.URL(o.Endpoint))
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("SMSFLOW_OTLP_TIMEOUT must be positive, got %s", o.Timeout)
	}
	_, err = o.HeaderMap()
	return err
}
