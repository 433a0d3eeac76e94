package receipts

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/slstrace"
	"smsflow/shared/trace"
)

// s.yaml exports the receipts function's spans over OTLP. A receiver that
// does not answer must not hold the push's answer past its budget: the
// receipts are stored, so the answer is 200 on time, and the spans fall
// back to stdout. (Before, the store waited out SMSFLOW_OTLP_TIMEOUT
// whatever was left of the budget.)
// conformance: RC-09
func TestStalledSpanExportDoesNotHoldTheAnswer(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)

	out := &lockedBuffer{}
	// No logstore: events go to stdout, which counts as stored. The span
	// export's own bound is far beyond any push's budget.
	shipper := obs.NewShipper(config.Logs{OTLP: config.OTLP{Endpoint: hang.URL + "/v1/traces", Timeout: time.Hour}},
		"receipts", creds.NewSource(false), out)
	logger := obs.NewLogger(shipper)
	sum := sha256.Sum256([]byte(testToken))
	h := New(Options{
		Recorder: &Recorder{Logger: logger, Hasher: phone.NewHasher([]byte("k")), Store: shipper.FlushOrFail},
		Auth:     config.ReceiptsAuth{TokenSHA256: []string{hex.EncodeToString(sum[:])}, MaxBodyBytes: 4096},
		Logger:   logger,
		Budget:   100 * time.Millisecond,
	})
	handler := obs.Middleware(h, shipper)
	body := "[" + receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04") + "]"
	answered := make(chan int, 1)
	go func() {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, PushPathPrefix+testToken, strings.NewReader(body)))
		answered <- w.Code
	}()
	select {
	case code := <-answered:
		if code != http.StatusOK {
			t.Errorf("answer %d, want 200: the receipts were stored", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the push is still unanswered: its answer waits for the span export, past the budget")
	}
	if !strings.Contains(out.text(), `"`+slstrace.FieldSpanID+`"`) {
		t.Errorf("the receipt's span did not fall back to stdout:\n%s", out.text())
	}
}
