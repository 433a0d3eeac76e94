package sls

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"

	"smsflow/local/sts"
)

const (
	testProject  = "smsflow-local"
	testLogstore = "sms"
)

func TestMain(m *testing.M) {
	// A 5xx would otherwise be retried by the SDK for 90 s and hide the bug.
	slssdk.RetryOnServerErrorEnabled = false
	os.Exit(m.Run())
}

// testEnv is an emulator behind httptest plus an SDK client pointed at it.
type testEnv struct {
	srv    *Server
	ts     *httptest.Server
	client *slssdk.Client
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	if err := srv.EnsureLogstore(testProject, testLogstore); err != nil {
		t.Fatalf("EnsureLogstore: %v", err)
	}
	return &testEnv{srv: srv, ts: ts, client: clientFor(ts, sts.LocalAccessKeyID, sts.LocalAccessKeySecret, "")}
}

func clientFor(ts *httptest.Server, ak, secret, token string) *slssdk.Client {
	return &slssdk.Client{
		Endpoint:        ts.Listener.Addr().String(),
		AccessKeyID:     ak,
		AccessKeySecret: secret,
		SecurityToken:   token,
		HTTPClient:      LocalHTTPClient(ts.Listener.Addr().String()),
	}
}

// testIndex indexes the event fields the way shared/obs is expected to.
func testIndex() slssdk.Index {
	text := func(doc bool) slssdk.IndexKey {
		return slssdk.IndexKey{Type: "text", DocValue: doc, Token: []string{",", " ", ";", "=", "/", ":"}}
	}
	return slssdk.Index{
		Keys: map[string]slssdk.IndexKey{
			"status":        text(true),
			"template_code": text(true),
			"error_code":    text(true),
			"message":       text(false),
			"latency_ms":    {Type: "long", DocValue: true},
			"cost":          {Type: "double", DocValue: true},
		},
		Line: &slssdk.IndexLine{Token: []string{",", " ", ";", "=", "/", ":"}},
	}
}

func logOf(t time.Time, kv ...string) *slssdk.Log {
	l := &slssdk.Log{Time: proto.Uint32(uint32(t.Unix()))}
	for i := 0; i+1 < len(kv); i += 2 {
		l.Contents = append(l.Contents, &slssdk.LogContent{Key: proto.String(kv[i]), Value: proto.String(kv[i+1])})
	}
	return l
}

func groupOf(logs ...*slssdk.Log) *slssdk.LogGroup {
	return &slssdk.LogGroup{Topic: proto.String("send"), Source: proto.String("test"), Logs: logs}
}

// mustGetLogs runs a query over [from, to) and fails the test on error.
func mustGetLogs(t *testing.T, c *slssdk.Client, from, to int64, query string) *slssdk.GetLogsV3Response {
	t.Helper()
	resp, err := c.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{From: from, To: to, Query: query, Lines: 100})
	if err != nil {
		t.Fatalf("GetLogs %q: %v", query, err)
	}
	if !resp.IsComplete() {
		t.Fatalf("GetLogs %q: progress %q", query, resp.Meta.Progress)
	}
	return resp
}

// asSLSError asserts err is the SDK's *Error with the given code and status.
func asSLSError(t *testing.T, err error, code string, status int32) {
	t.Helper()
	e, ok := err.(*slssdk.Error)
	if !ok {
		t.Fatalf("want *sls.Error %s/%d, got %T %v", code, status, err, err)
	}
	if e.Code != code || e.HTTPCode != status {
		t.Fatalf("want %s/%d, got %s/%d: %s", code, status, e.Code, e.HTTPCode, e.Message)
	}
}
