package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	sdk "github.com/aliyun/aliyun-log-go-sdk"
	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slsclient"
	"smsflow/shared/trace"
)

func fcContext(logProject, logStore string) context.Context {
	c := sts.Issue(time.Hour)
	return fccontext.NewContext(context.Background(), &fccontext.FcContext{
		RequestID:   "req-1",
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Function:    fccontext.Function{Name: "send"},
		Service:     fccontext.Service{LogProject: logProject, LogStore: logStore, Qualifier: "LATEST", VersionId: "3"},
		Region:      "cn-hangzhou",
	})
}

// localSLS serves a local SLS with project p and logstore events, after
// the extra setup steps.
func localSLS(t *testing.T, setup ...func(*localsls.Server) error) *httptest.Server {
	t.Helper()
	srv, err := localsls.New(localsls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	steps := []func(*localsls.Server) error{
		func(srv *localsls.Server) error { return srv.EnsureProject("p") },
		func(srv *localsls.Server) error { return srv.EnsureLogstore("p", "events") },
	}
	for _, step := range append(steps, setup...) {
		if err := step(srv); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs
}

// eventsIndex indexes every field for analytics, as provision.Index does
// (which imports this package, so its tests here cannot).
func eventsIndex() sdk.Index {
	keys := map[string]sdk.IndexKey{}
	for _, f := range Fields {
		keys[f.Key] = sdk.IndexKey{Type: f.Type, DocValue: true, Token: []string{" ", ","}}
	}
	return sdk.Index{Keys: keys, Line: &sdk.IndexLine{Token: []string{" ", ","}}}
}

// conformance: SLS-01
func TestEventsShipToTheBoundLogstoreAsNativeFields(t *testing.T) {
	hs := localSLS(t, func(srv *localsls.Server) error { return srv.EnsureIndex("p", "events", eventsIndex()) })
	endpoint := strings.TrimPrefix(hs.URL, "http://")

	var stdout bytes.Buffer
	shipper := NewShipper(config.Logs{Endpoint: endpoint}, "send", creds.NewSource(false), &stdout)
	log := NewLogger(shipper)
	span := trace.NewRoot()
	ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("p", "events"), span)))
	log.LogAttrs(ctx, slog.LevelInfo, EventRequest, slog.String(KeyPhoneMasked, "138****8000"), slog.Int(KeyNumberCount, 1))
	log.LogAttrs(trace.NewContext(ctx, span.Child()), slog.LevelWarn, EventAttempt, slog.Int64(KeyLatencyMS, 42), slog.Bool(KeyRetryable, true))
	log.InfoContext(ctx, "plain diagnostic line")
	shipper.Flush(ctx)
	if stdout.Len() != 0 || shipper.Failures.Load() != 0 {
		t.Fatalf("shipping fell back to stdout: %s", stdout.String())
	}

	p := &slsclient.Live{}
	p.Set(sdk.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	rows, err := slsclient.Query(slsclient.New(endpoint, p, 5*time.Second), "p", "events", "trace_id: "+span.TraceIDString(), time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("stored %d events, want 3: %v", len(rows), rows)
	}
	byEvent := map[string]map[string]string{}
	for _, r := range rows {
		key := r[KeyEvent]
		if key == "log" {
			key = r["message"]
		}
		byEvent[key] = r
	}
	req, att := byEvent[EventRequest], byEvent[EventAttempt]
	if req[KeyPhoneMasked] != "138****8000" || req[KeyNumberCount] != "1" || req[KeyFunction] != "send" || req[KeyFCRequestID] != "req-1" ||
		req[KeyLevel] != "INFO" || req[KeyVersion] != "3" || req["__topic__"] != "send" {
		t.Errorf("request event %v", req)
	}
	if att[KeyLatencyMS] != "42" || att[KeyRetryable] != "true" || att[KeyParentSpanID] != span.SpanIDString() || att[KeyLevel] != "WARN" {
		t.Errorf("attempt event %v", att)
	}
	if byEvent["plain diagnostic line"] == nil {
		t.Errorf("diagnostic line not stored as event=log: %v", rows)
	}
	ts, err := time.Parse(time.RFC3339Nano, req[KeyTime])
	if err != nil || ts.Nanosecond() == 0 || strconv.FormatInt(ts.Unix(), 10) != req["__time__"] {
		t.Errorf("time %q / __time__ %q", req[KeyTime], req["__time__"])
	}
}

// conformance: SLS-05
func TestNoDestinationOrDeadSLSWritesJSONLines(t *testing.T) {
	var stdout bytes.Buffer
	// Bound to a logstore, but SLS is not listening.
	shipper := NewShipper(config.Logs{Endpoint: "127.0.0.1:1", Timeout: 300 * time.Millisecond}, "send", creds.NewSource(false), &stdout)
	log := NewLogger(shipper)
	ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("p", "events"), trace.NewRoot())))
	log.LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
	shipper.Flush(ctx)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || shipper.Failures.Load() != 1 {
		t.Fatalf("stdout: %q", stdout.String())
	}
	var e, diag map[string]string
	if json.Unmarshal([]byte(lines[0]), &e) != nil || e[KeyEvent] != EventResult || e[KeyStatus] != "accepted" || e[KeyTraceID] == "" {
		t.Errorf("event line %q", lines[0])
	}
	if json.Unmarshal([]byte(lines[1]), &diag) != nil || diag[KeyEvent] != "log" || !strings.Contains(diag["message"], "failed") {
		t.Errorf("diagnostic line %q", lines[1])
	}
}

// Every field key the code declares is in the schema the index is built from.
func TestEveryKeyIsInTheSchema(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "schema.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	inSchema := map[string]bool{}
	for _, fs := range Fields {
		inSchema[fs.Key] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || !strings.HasPrefix(vs.Names[0].Name, "Key") {
			return true
		}
		key, _ := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
		if !inSchema[key] {
			t.Errorf("%s (%q) is not in obs.Fields", vs.Names[0].Name, key)
		}
		return true
	})
}

var update = flag.Bool("update", false, "rewrite the field table of docs/events.md from obs.Fields")

// docs/events.md documents every field of the schema, in a table generated
// from it: go test ./shared/obs -run TestEventsDoc -update.
func TestEventsDocListsEveryField(t *testing.T) {
	const path = "../../docs/events.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- fields:begin -->\n", "<!-- fields:end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q ... %q markers", path, begin, end)
	}
	var table strings.Builder
	table.WriteString("| field | index type | meaning |\n|---|---|---|\n")
	for _, f := range Fields {
		fmt.Fprintf(&table, "| `%s` | %s | %s |\n", f.Key, f.Type, f.Doc)
	}
	want := string(doc[:i+len(begin)]) + table.String() + string(doc[j:])
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(doc) {
		t.Fatalf("%s is out of date with obs.Fields: run go test ./shared/obs -run TestEventsDoc -update", path)
	}
}

// A goroutine that outlives its request still gets its events out.
func TestEventsAfterFlushAreNotLost(t *testing.T) {
	var stdout bytes.Buffer
	shipper := NewShipper(config.Logs{}, "send", creds.NewSource(false), &stdout)
	log := NewLogger(shipper)
	ctx := NewBatch(context.Background())
	log.InfoContext(ctx, EventAttempt)
	shipper.Flush(ctx)
	if n := strings.Count(stdout.String(), "\n"); n != 1 {
		t.Fatalf("flush wrote %d lines", n)
	}
	log.InfoContext(ctx, EventAttempt, slog.String(KeyStatus, "late"))
	if !strings.Contains(stdout.String(), `"status":"late"`) {
		t.Fatalf("an event after the flush was lost: %q", stdout.String())
	}
}
