package sls

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"smsflow/local/sts"
	"smsflow/shared/slstrace"
)

func otlpRequest() *tracepb.TracesData {
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "send"), str("faas.name", "send")}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: bytes.Repeat([]byte{0xab}, 16), SpanId: bytes.Repeat([]byte{0x01}, 8), ParentSpanId: bytes.Repeat([]byte{0x02}, 8),
			Name: "Dysmsapi/SendSms", Kind: tracepb.Span_SPAN_KIND_CLIENT,
			StartTimeUnixNano: uint64(start.UnixNano()), EndTimeUnixNano: uint64(start.Add(42 * time.Millisecond).UnixNano()),
			Attributes: []*commonpb.KeyValue{{Key: "http.response.status_code", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 200}}}},
			Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "throttled"},
		}}}},
	}}}
}

// conformance: OT-01, OT-02
func TestOTLPRefusesWhatSLSTraceRefuses(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.srv.EnsureTraceInstance(testProject, "smsflow"); err != nil {
		t.Fatal(err)
	}
	body, _ := proto.Marshal(otlpRequest())
	good := sts.Issue(time.Hour)
	expired := sts.IssueAt(time.Now().Add(-2*time.Hour), time.Hour)
	headers := func(project, instance, ak, secret, token string) http.Header {
		h := http.Header{"Content-Type": {"application/x-protobuf"}}
		for k, v := range map[string]string{slstrace.HeaderProject: project, slstrace.HeaderInstanceID: instance,
			slstrace.HeaderAKID: ak, slstrace.HeaderAKSecret: secret, slstrace.HeaderToken: token} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return h
	}
	for _, c := range []struct {
		name   string
		method string
		h      http.Header
		want   int
	}{
		{"STS credentials", http.MethodPost, headers(testProject, "smsflow", good.AccessKeyID, good.AccessKeySecret, good.SecurityToken), 200},
		{"GET", http.MethodGet, headers(testProject, "smsflow", good.AccessKeyID, good.AccessKeySecret, good.SecurityToken), 405},
		{"no project", http.MethodPost, headers("", "smsflow", good.AccessKeyID, good.AccessKeySecret, good.SecurityToken), 400},
		{"wrong secret", http.MethodPost, headers(testProject, "smsflow", good.AccessKeyID, "nope", good.SecurityToken), 401},
		{"STS key without token", http.MethodPost, headers(testProject, "smsflow", good.AccessKeyID, good.AccessKeySecret, ""), 401},
		{"expired token", http.MethodPost, headers(testProject, "smsflow", expired.AccessKeyID, expired.AccessKeySecret, expired.SecurityToken), 401},
		{"unknown instance", http.MethodPost, headers(testProject, "other", good.AccessKeyID, good.AccessKeySecret, good.SecurityToken), 404},
		{"unknown project", http.MethodPost, headers("nope", "smsflow", good.AccessKeyID, good.AccessKeySecret, good.SecurityToken), 404},
	} {
		req, _ := http.NewRequest(c.method, env.ts.URL+slstrace.Path, bytes.NewReader(body))
		req.Header = c.h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
}

// A JSON-encoded export is stored with SLS Trace's field names and units.
// conformance: OT-03
func TestOTLPJSONStoresSLSTraceFields(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.srv.EnsureTraceInstance(testProject, "smsflow"); err != nil {
		t.Fatal(err)
	}
	body, _ := protojson.Marshal(otlpRequest())
	req, _ := http.NewRequest(http.MethodPost, env.ts.URL+slstrace.Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(slstrace.HeaderProject, testProject)
	req.Header.Set(slstrace.HeaderInstanceID, "smsflow")
	req.Header.Set(slstrace.HeaderAKID, sts.LocalAccessKeyID)
	req.Header.Set(slstrace.HeaderAKSecret, sts.LocalAccessKeySecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got, err := env.client.GetLogs(testProject, slstrace.Logstore("smsflow"), "", start.Unix()-1, start.Unix()+1, "spanID: 0101010101010101", 10, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Logs) != 1 {
		t.Fatalf("got %d spans", len(got.Logs))
	}
	row := got.Logs[0]
	want := map[string]string{
		slstrace.FieldTraceID: "abababababababababababababababab", slstrace.FieldParentSpanID: "0202020202020202",
		slstrace.FieldKind: "CLIENT", slstrace.FieldService: "send", slstrace.FieldName: "Dysmsapi/SendSms",
		slstrace.FieldStart: "1767323045000000", slstrace.FieldDuration: "42000", slstrace.FieldStatusCode: "ERROR",
		slstrace.FieldStatusMessage: "throttled", slstrace.FieldResource: `{"faas.name":"send"}`,
	}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
	var attrs map[string]any
	if json.Unmarshal([]byte(row[slstrace.FieldAttribute]), &attrs) != nil || attrs["http.response.status_code"] != float64(200) {
		t.Errorf("attribute %q", row[slstrace.FieldAttribute])
	}
}
