package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

// BenchmarkAcceptedSend is the send handler's own work, line (a) of `make
// bench`, without the two round trips: the real chain (obs.Middleware, the
// memory idempotency store, the three events), a sender that answers at
// once, and a shipper with no destination (its Flush writes JSON lines to
// a discarding writer, which (a) does not include). For profiling:
//
//	go test -run XXX -bench AcceptedSend -cpuprofile cpu.out ./shared/api
func BenchmarkAcceptedSend(b *testing.B) {
	cfg, err := config.Load[config.Send]()
	if err != nil {
		b.Fatal(err)
	}
	shipper := obs.NewShipper(config.Logs{}, "send", creds.NewSource(true), io.Discard)
	logger := obs.NewLogger(shipper)
	idem, err := OpenIdempotency(context.Background(), cfg.Idempotency, "", []byte("k"), logger)
	if err != nil {
		b.Fatal(err)
	}
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted, BizID: "biz", RequestID: "req"}}
	h := obs.Middleware(New(Options{Sender: s, Logger: logger, Hasher: phone.NewHasher([]byte("k")), Idempotency: idem,
		Auth: config.HTTPAuth{TriggerAuth: "anonymous", TokenSHA256: []string{tokenHash(testToken)}, MaxBodyBytes: 65536}}), shipper)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf(`{"phone_numbers":["135%08d"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"bench","status":"ok"}}`, i)
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+testToken)
		r.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("answered %d: %s", w.Code, w.Body)
		}
	}
}
