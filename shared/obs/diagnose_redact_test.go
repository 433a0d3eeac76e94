package obs

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/trace"
)

// Issue 10.4's class: an OTLP endpoint may carry its receiver's key in the
// URL (a query parameter or a path segment, as some hosted collectors
// take it), and the exporter's errors quote the URL. What the shipper
// writes to stdout (and so to the function's logs in SLS) is redacted in
// the one place every diagnostic passes through.
func TestShipperDiagnosticsNeverQuoteAURLCredential(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad key", http.StatusUnauthorized)
	}))
	defer refuse.Close()
	for _, endpoint := range []string{
		refuse.URL + "/v1/traces?api_key=S3CRETKEY",
		refuse.URL + "/tenant/S3CRETKEY/v1/traces",
		"http://127.0.0.1:1/v1/traces?token=S3CRETKEY",
		"http://user:S3CRETKEY@127.0.0.1:1/v1/traces",
	} {
		var stdout bytes.Buffer
		cfg := config.Logs{OTLP: config.OTLP{Endpoint: endpoint, Timeout: 300 * time.Millisecond}}
		shipper := NewShipper(cfg, "send", creds.NewSource(false), &stdout)
		ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("", ""), trace.NewRoot())))
		NewLogger(shipper).LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
		shipper.Flush(ctx)
		if shipper.Failures.Load() == 0 {
			t.Fatalf("%s: the export did not fail", endpoint)
		}
		if strings.Contains(stdout.String(), "S3CRETKEY") {
			t.Errorf("%s: stdout quotes the credential: %s", endpoint, stdout.String())
		}
	}
}
