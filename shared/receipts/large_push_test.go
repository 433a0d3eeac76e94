package receipts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/provision"
	"smsflow/shared/slsclient"
)

// A push is stored however many receipts it holds within the body limit.
// Alibaba does not document how many receipts one push carries, and the
// default 1 MiB admits about 5000 short ones; one SLS log group takes at
// most 4096 logs (conformance SLS-03). Sent as one group, such a push was
// refused by SLS on every re-push, answered 500 each time and dropped by
// Alibaba after the last: every receipt in it lost.
// conformance: RC-03, SLS-03
func TestPushLargerThanOneLogGroupIsStored(t *testing.T) {
	srv, err := localsls.New(localsls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, step := range []func() error{
		func() error { return srv.EnsureProject("p") },
		func() error { return srv.EnsureLogstore("p", "events") },
		func() error { return srv.EnsureIndex("p", "events", provision.Index()) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	endpoint := strings.TrimPrefix(hs.URL, "http://")

	out := &lockedBuffer{}
	shipper := obs.NewShipper(config.Logs{Endpoint: endpoint, Project: "p", Logstore: "events", Timeout: 20 * time.Second},
		"receipts", creds.NewSource(false), out)
	logger := obs.NewLogger(shipper)
	h := New(Options{
		Recorder: &Recorder{Logger: logger, Hasher: phone.NewHasher([]byte("k")), Store: shipper.FlushOrFail},
		Auth:     config.ReceiptsAuth{TokenSHA256: []string{hashOf(testToken)}, MaxBodyBytes: 1 << 20},
		Logger:   logger,
		// Far past production's: this is about what SLS takes, not time.
		Budget: 30 * time.Second,
	})

	const n = 5000
	receipts := make([]map[string]any, n)
	for i := range receipts {
		receipts[i] = map[string]any{"phone_number": fmt.Sprintf("139%08d", i), "send_time": "2026-11-27 20:00:00",
			"report_time": "2026-11-27 20:00:04", "success": true, "biz_id": fmt.Sprintf("9006%d^0", i)}
	}
	body, _ := json.Marshal(receipts)
	if len(body) > 1<<20 {
		t.Fatalf("the push is %d bytes, over the default limit", len(body))
	}
	c := sts.Issue(time.Hour)
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "req-1",
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}})
	w := httptest.NewRecorder()
	obs.Middleware(h, shipper).ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodPost, PushPathPrefix+testToken, strings.NewReader(string(body))))
	if w.Code != http.StatusOK {
		t.Fatalf("answer %d %s, want 200", w.Code, w.Body)
	}

	reader := &slsclient.Live{}
	reader.Set(sdk.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	rows, err := slsclient.Query(slsclient.New(endpoint, reader, 10*time.Second), "p", "events",
		`event: "sms.receipt" | SELECT count(DISTINCT receipt_id) AS n`, time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["n"] != fmt.Sprint(n) {
		t.Errorf("SLS holds %v distinct receipts, want %d", rows, n)
	}
}
