package timeline

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
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

// What an operator pastes in place of a trace id is often a phone number:
// the refusal says what a trace id looks like and how long the argument
// is, never the argument.
func TestATraceIDRefusalDoesNotRepeatTheArgument(t *testing.T) {
	for _, arg := range []string{"13800138000", "+8613800138000", "4BF92F3577B34DA6A3CE929D0E0E4736", "1380013800013800138000138000ab"} {
		for name, err := range map[string]error{"Fetch": fetchErr(arg), "FetchSpans": fetchSpansErr(arg)} {
			if err == nil || strings.Contains(err.Error(), arg) || !strings.Contains(err.Error(), "32 lower-case hex characters") {
				t.Errorf("%s(%d characters): err = %v; want what a trace id is, without the argument", name, len(arg), err)
			}
		}
	}
	if err := CheckTraceID("13800138000"); err == nil || !strings.Contains(err.Error(), "11 characters long") {
		t.Errorf("err = %v, want the argument's length", err)
	}
	if err := CheckTraceID("4bf92f3577b34da6a3ce929d0e0e4736"); err != nil {
		t.Errorf("a good trace id: %v", err)
	}
}

func fetchErr(id string) error {
	_, err := Fetch(nil, "p", "l", id, time.Time{}, time.Time{})
	return err
}

func fetchSpansErr(id string) error {
	_, err := FetchSpans(nil, "p", "l", id, time.Time{}, time.Time{})
	return err
}
