package timeline

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
)

// A message to many numbers has a receipt per number: a trace can hold far
// more events than one GetLogs page (100), and Fetch must read them all.
func TestFetchReadsEveryPage(t *testing.T) {
	srv, err := localsls.New(localsls.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.EnsureLogstore("p", "l"); err != nil {
		t.Fatal(err)
	}
	if err := srv.EnsureIndex("p", "l", provision.Index()); err != nil {
		t.Fatal(err)
	}
	addr := ts.Listener.Addr().String()
	client := &sls.Client{Endpoint: addr, AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret,
		HTTPClient: localsls.LocalHTTPClient(addr)}
	const traceID, n = "0af7651916cd43dd8448eb211c80319c", 250
	now := time.Now().Add(-time.Minute)
	var logs []*sls.Log
	for i := 0; i < n; i++ {
		at := now.Add(time.Duration(i) * time.Millisecond)
		logs = append(logs, &sls.Log{Time: proto.Uint32(uint32(at.Unix())), Contents: []*sls.LogContent{
			{Key: proto.String(obs.KeyTraceID), Value: proto.String(traceID)},
			{Key: proto.String(obs.KeyEvent), Value: proto.String(obs.EventReceipt)},
			{Key: proto.String(obs.KeyTime), Value: proto.String(at.UTC().Format(time.RFC3339Nano))},
			{Key: proto.String("receipt_id"), Value: proto.String(fmt.Sprint(i))},
		}})
	}
	if err := client.PutLogs("p", "l", &sls.LogGroup{Logs: logs}); err != nil {
		t.Fatal(err)
	}
	rows, err := Fetch(client, "p", "l", traceID, now.Add(-time.Minute), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r["receipt_id"]] = true
	}
	if len(rows) != n || len(seen) != n {
		t.Fatalf("Fetch read %d events (%d distinct) of %d", len(rows), len(seen), n)
	}
}
