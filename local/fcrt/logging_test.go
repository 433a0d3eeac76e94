package fcrt

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/local/testkit"
)

type syncBuffer = testkit.Buffer

func TestEmulatorNeverLogsPayloads(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	fn := testFunction(t)
	fn.Logger = logger
	inst := startInstance(t, fn)
	srv := httptest.NewServer(NewGateway(inst, GatewayConfig{Logger: logger}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/send?phone=13900000000",
		strings.NewReader(`{"phone":"13800000000","code":"482913"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, _ := do(t, req); resp.StatusCode != 201 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if resp, _ := do(t, mustRequest(t, http.MethodGet, srv.URL+"/send?fail=error")); resp.StatusCode != 502 {
		t.Fatalf("status %d", resp.StatusCode)
	}

	out := logs.String()
	if !strings.Contains(out, "fc http trigger") || !strings.Contains(out, "fc invocation failed") {
		t.Fatalf("expected request and failure lines, got:\n%s", out)
	}
	for _, secret := range []string{"13800000000", "13900000000", "482913", "http boom"} {
		if strings.Contains(out, secret) {
			t.Errorf("emulator log contains %q:\n%s", secret, out)
		}
	}
}
