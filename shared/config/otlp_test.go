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
