package config

import (
	"strings"
	"testing"
	"time"
)

// An OTLP endpoint may hold its receiver's key (a path segment or a query
// parameter); a refused one is named, never quoted, since start-up errors
// reach the function's logs (issue 10.4's class).
func TestARefusedOTLPEndpointIsNotQuoted(t *testing.T) {
	for _, e := range []string{"collector.example.com/v1/traces?api_key=S3CRET", "ftp://collector.example.com/S3CRET/v1/traces", "https:///S3CRET"} {
		err := OTLP{Endpoint: e, Timeout: time.Second}.Validate()
		if err == nil || !strings.Contains(err.Error(), "SMSFLOW_OTLP_ENDPOINT") || strings.Contains(err.Error(), "S3CRET") {
			t.Errorf("%s: %v; want a refusal that does not quote it", e, err)
		}
	}
}

// The OTLP endpoint is held to the same host[:port] rule as every other
// endpoint (shape.go) inside its URL, and to no whitespace anywhere: a
// pasted space in the path made every export a 404. A bad endpoint turns
// the export off at start (docs/tracing.md), it does not stop the function.
func TestAnOTLPEndpointWithSpacesOrABadPortIsRefused(t *testing.T) {
	for _, e := range []string{"http://collector:4318/v1/traces ", "http://collector:99999/v1/traces",
		"http://collector:0/v1/traces", "http://coll ector/v1/traces", "http://collector:4318/v1/ traces"} {
		if err := (OTLP{Endpoint: e, Timeout: time.Second}).Validate(); err == nil || !strings.Contains(err.Error(), "SMSFLOW_OTLP_ENDPOINT") {
			t.Errorf("%q: %v; want a refusal naming SMSFLOW_OTLP_ENDPOINT", e, err)
		}
	}
	for _, e := range []string{"http://collector:4318/v1/traces", "https://p.cn-hangzhou-intranet.log.aliyuncs.com/opentelemetry/v1/traces", "http://[::1]:4318/v1/traces"} {
		if err := (OTLP{Endpoint: e, Timeout: time.Second}).Validate(); err != nil {
			t.Errorf("%q refused: %v", e, err)
		}
	}
}
