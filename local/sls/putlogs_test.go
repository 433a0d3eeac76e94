package sls

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/aliyun-log-go-sdk/producer"
)

// conformance: SLS-01
func TestPutLogsEachCompressionThenGetLogsFindsThem(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	now := time.Now()
	// Client.PutLogs: LZ4 raw block, the SDK default.
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "status", "sent", "via", "lz4"))); err != nil {
		t.Fatalf("PutLogs lz4: %v", err)
	}
	// PostLogStoreLogsV2 lets the caller choose zstd or no compression, with a hash key.
	key := "0123456789abcdef0123456789abcdef"
	for _, ct := range []struct {
		name string
		typ  int
	}{{"zstd", slssdk.Compress_ZSTD}, {"none", slssdk.Compress_None}} {
		req := &slssdk.PostLogStoreLogsRequest{
			LogGroup: groupOf(logOf(now, "status", "sent", "via", ct.name)), HashKey: &key, CompressType: ct.typ,
		}
		if err := env.client.PostLogStoreLogsV2(testProject, testLogstore, req); err != nil {
			t.Fatalf("PostLogStoreLogsV2 %s: %v", ct.name, err)
		}
	}
	resp := mustGetLogs(t, env.client, now.Unix()-1, now.Unix()+1, "status: sent")
	got := map[string]bool{}
	for _, row := range resp.Logs {
		got[row["via"]] = true
		if row["__topic__"] != "send" || row["__source__"] != "test" || row["__time__"] != itoa(now.Unix()) {
			t.Errorf("reserved fields wrong: %v", row)
		}
	}
	for _, via := range []string{"lz4", "zstd", "none"} {
		if !got[via] {
			t.Errorf("log sent with %s not found; got %v", via, resp.Logs)
		}
	}
	if resp.Meta.Count != 3 || resp.Meta.HasSQL {
		t.Errorf("meta count/hasSQL = %d/%v, want 3/false", resp.Meta.Count, resp.Meta.HasSQL)
	}
}

// conformance: SLS-01
func TestProducerShipsLogsTheEmulatorCanQuery(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	cfg := producer.GetDefaultProducerConfig()
	cfg.Endpoint = env.ts.Listener.Addr().String()
	cfg.AccessKeyID, cfg.AccessKeySecret = "smsflow-local-id", "smsflow-local-secret"
	cfg.HTTPClient = LocalHTTPClient(env.ts.Listener.Addr().String())
	cfg.LingerMs = 100
	cfg.Logger = nopKitLogger{}
	p, err := producer.NewProducer(cfg)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	p.Start()
	now := time.Now()
	for i := 0; i < 25; i++ {
		l := producer.GenerateLog(uint32(now.Unix()), map[string]string{"status": "failed", "n": itoa(int64(i))})
		if err := p.SendLog(testProject, testLogstore, "send", "producer-test", l); err != nil {
			t.Fatalf("SendLog: %v", err)
		}
	}
	p.SafeClose()
	resp := mustGetLogs(t, env.client, now.Unix()-1, now.Unix()+1, "status: failed | SELECT count(1) AS n")
	if len(resp.Logs) != 1 || resp.Logs[0]["n"] != "25" {
		t.Fatalf("count after producer = %v, want 25", resp.Logs)
	}
}

// conformance: SLS-05
func TestPutLogsToUnknownLogstoreOrProject(t *testing.T) {
	env := newTestEnv(t, Options{})
	err := env.client.PutLogs(testProject, "nope", groupOf(logOf(time.Now(), "a", "b")))
	asSLSError(t, err, "LogStoreNotExist", 404)
	err = env.client.PutLogs("other-project", testLogstore, groupOf(logOf(time.Now(), "a", "b")))
	asSLSError(t, err, "ProjectNotExist", 404)
}

type nopKitLogger struct{}

func (nopKitLogger) Log(...any) error { return nil }

// conformance: SLS-03
func TestLogGroupOverDocumentedLimitsIsRefused(t *testing.T) {
	env := newTestEnv(t, Options{})
	var logs []*slssdk.Log
	for i := 0; i < maxLogsPerGroup+1; i++ {
		logs = append(logs, logOf(time.Now(), "i", "x"))
	}
	asSLSError(t, env.client.PutLogs(testProject, testLogstore, groupOf(logs...)), "PostBodyTooLarge", 400)
	big := strings.Repeat("x", maxGroupRawBytes)
	asSLSError(t, env.client.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "big", big))), "PostBodyTooLarge", 400)
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logs[:maxLogsPerGroup]...)); err != nil {
		t.Fatalf("a group of exactly %d logs: %v", maxLogsPerGroup, err)
	}
}

// recordingTransport keeps the last response's framing.
type recordingTransport struct {
	next             http.RoundTripper
	contentLength    int64
	transferEncoding []string
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.contentLength, r.transferEncoding = resp.ContentLength, resp.TransferEncoding
	}
	return resp, err
}

// SLS answers a PutLogs with no body and `Content-Length: 0` (the common
// response headers' example), not a chunked stream the client must read
// to its end: the answer is whole in its headers.
//
// conformance: SLS-15
func TestAnswersCarryTheirContentLength(t *testing.T) {
	env := newTestEnv(t, Options{})
	rec := &recordingTransport{next: env.client.HTTPClient.Transport, contentLength: -2}
	env.client.HTTPClient.Transport = rec
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "status", "sent"))); err != nil {
		t.Fatalf("PutLogs: %v", err)
	}
	if rec.contentLength != 0 || len(rec.transferEncoding) != 0 {
		t.Errorf("PutLogs answered Content-Length %d, Transfer-Encoding %v; SLS answers Content-Length 0",
			rec.contentLength, rec.transferEncoding)
	}
	// Its siblings: an answer too large for one buffer, and a refusal.
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	now := time.Now()
	group := groupOf()
	for i := 0; i < 200; i++ {
		group.Logs = append(group.Logs, logOf(now, "status", "sent", "message", rand.Text()+rand.Text()))
	}
	if err := env.client.PutLogs(testProject, testLogstore, group); err != nil {
		t.Fatalf("PutLogs: %v", err)
	}
	resp := mustGetLogs(t, env.client, now.Unix()-1, now.Unix()+1, "status: sent")
	if rec.contentLength < 2<<10 || len(rec.transferEncoding) != 0 {
		t.Errorf("GetLogs of %d logs answered Content-Length %d, Transfer-Encoding %v; want its length, unchunked",
			len(resp.Logs), rec.contentLength, rec.transferEncoding)
	}
	if _, err := env.client.GetLogStore(testProject, "no-such-logstore"); err == nil {
		t.Fatal("GetLogStore of a missing logstore succeeded")
	}
	if rec.contentLength <= 0 || len(rec.transferEncoding) != 0 {
		t.Errorf("a refusal answered Content-Length %d, Transfer-Encoding %v; want its length, unchunked",
			rec.contentLength, rec.transferEncoding)
	}
}
