package obs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/aliyun/aliyun-log-go-sdk"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slsclient"
	"smsflow/shared/slstrace"
	"smsflow/shared/trace"
)

// The spans of an invocation reach SLS Trace over OTLP before Flush
// returns, with the events' ids, semantic-convention attributes and the
// function's role credentials in the x-sls-otel-* headers.
// conformance: OT-01, OT-02, OT-03, OT-08
func TestSpansExportWithTheEventsIDs(t *testing.T) {
	hs := localSLS(t, func(srv *localsls.Server) error { return srv.EnsureTraceInstance("p", "smsflow") })
	endpoint := strings.TrimPrefix(hs.URL, "http://")

	var stdout bytes.Buffer
	cfg := config.Logs{Endpoint: endpoint, OTLP: config.OTLP{Endpoint: hs.URL + slstrace.Path,
		Headers: "x-sls-otel-project=p,x-sls-otel-instance-id=smsflow", SLSAuth: true, Timeout: 2 * time.Second}}
	shipper := NewShipper(cfg, "send", creds.NewSource(false), &stdout)
	log := NewLogger(shipper)
	span := trace.NewRoot()
	ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("p", "events"), span)))
	attempt := span.Child()
	log.LogAttrs(ctx, slog.LevelInfo, EventRequest, slog.String(KeyPhoneMasked, "138****8000"))
	log.LogAttrs(trace.NewContext(ctx, attempt), slog.LevelWarn, EventAttempt, slog.Int64(KeyLatencyMS, 42),
		slog.String(KeyStatus, "throttled"), slog.String(KeyErrorCode, "isv.BUSINESS_LIMIT_CONTROL"), slog.Int(KeyUpstreamStatus, 200))
	log.LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"), slog.Int(KeyHTTPStatus, 200),
		slog.Int64(KeyDurationMS, 120), slog.String(KeyPhoneMasked, "138****8000"))
	shipper.Flush(ctx)
	if stdout.Len() != 0 || shipper.Failures.Load() != 0 {
		t.Fatalf("fell back to stdout: %s", stdout.String())
	}

	reader := &slsclient.Live{}
	reader.Set(sdk.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	rows, err := slsclient.Query(slsclient.New(endpoint, reader, 5*time.Second), "p", slstrace.Logstore("smsflow"),
		"traceID: "+span.TraceIDString(), time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("stored %d spans, want 2 (request, attempt): %v", len(rows), rows)
	}
	bySpan := map[string]map[string]string{}
	for _, r := range rows {
		bySpan[r[slstrace.FieldSpanID]] = r
	}
	req, att := bySpan[span.SpanIDString()], bySpan[attempt.SpanIDString()]
	if req == nil || att == nil {
		t.Fatalf("span ids differ from the events': %v", rows)
	}
	if req[slstrace.FieldKind] != "SERVER" || req[slstrace.FieldService] != "send" || req[slstrace.FieldParentSpanID] != "" ||
		req[slstrace.FieldDuration] != "120000" || req[slstrace.FieldStatusCode] != "UNSET" {
		t.Errorf("request span %v", req)
	}
	if att[slstrace.FieldKind] != "CLIENT" || att[slstrace.FieldParentSpanID] != span.SpanIDString() || att[slstrace.FieldDuration] != "42000" ||
		att[slstrace.FieldStatusCode] != "ERROR" || att[slstrace.FieldName] != "Dysmsapi/SendSms" {
		t.Errorf("attempt span %v", att)
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(req[slstrace.FieldAttribute]), &attrs); err != nil {
		t.Fatal(err)
	}
	if attrs["http.response.status_code"] != float64(200) || attrs["smsflow.phone_masked"] != "138****8000" || attrs["faas.trigger"] != "http" {
		t.Errorf("request attributes %v", attrs)
	}
	if err := json.Unmarshal([]byte(att[slstrace.FieldAttribute]), &attrs); err != nil || attrs["error.type"] != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Errorf("attempt attributes %v (%v)", attrs, err)
	}
}

// An OTLP receiver that does not answer costs the invocation the bound,
// not the exporter's minute of retries, and the spans go to stdout in SLS
// Trace's shape, like events do.
func TestSpansPastTheBoundGoToStdout(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hang.Close()
	defer close(release)

	var stdout bytes.Buffer
	cfg := config.Logs{OTLP: config.OTLP{Endpoint: hang.URL + "/v1/traces", Timeout: 150 * time.Millisecond}}
	shipper := NewShipper(cfg, "send", creds.NewSource(false), &stdout)
	span := trace.NewRoot()
	ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("", ""), span)))
	NewLogger(shipper).LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
	shipper.Flush(ctx)

	var spanLine map[string]string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]string
		if json.Unmarshal([]byte(line), &m) == nil && m[slstrace.FieldSpanID] != "" {
			spanLine = m
		}
	}
	if spanLine == nil || spanLine[slstrace.FieldTraceID] != span.TraceIDString() || spanLine[slstrace.FieldSpanID] != span.SpanIDString() ||
		shipper.Failures.Load() != 1 {
		t.Fatalf("no span on stdout after the bound: %q", stdout.String())
	}
}

// A child span measured in whole milliseconds never starts before the
// request span that holds it.
func TestParentSpanCoversItsChildren(t *testing.T) {
	root := trace.NewRoot()
	child := root.Child()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(sc trace.SpanContext, name string, t time.Time, kv ...string) Event {
		f := []Field{{KeyEvent, name}, {KeyTraceID, sc.TraceIDString()}, {KeySpanID, sc.SpanIDString()}}
		if p := sc.ParentIDString(); p != "" {
			f = append(f, Field{KeyParentSpanID, p})
		}
		for i := 0; i+1 < len(kv); i += 2 {
			f = append(f, Field{kv[i], kv[i+1]})
		}
		return Event{Time: t, Fields: f}
	}
	stubs := spansFrom([]Event{
		ev(root, EventRequest, at.Add(500*time.Microsecond)),
		ev(child, EventAttempt, at.Add(1500*time.Microsecond), KeyLatencyMS, "1"),
		ev(root, EventResult, at.Add(1600*time.Microsecond), KeyDurationMS, "1"),
	}, at, at.Add(2*time.Millisecond))
	if len(stubs) != 2 || stubs[1].start.Before(stubs[0].start) || stubs[1].end.After(stubs[0].end) {
		t.Fatalf("request %v–%v, attempt %v–%v", stubs[0].start, stubs[0].end, stubs[1].start, stubs[1].end)
	}
}
