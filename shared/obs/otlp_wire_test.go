package obs

import (
	"bytes"
	"testing"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

func str(s string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
}
func i64(n int64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: n}}
}
func kv(k string, v *commonpb.AnyValue) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: v}
}

// Our request body decodes as the generated TracesData, the wire twin of
// ExportTraceServiceRequest (whose package brings gRPC into the module:
// nothing imports it, tests included; conformance OT-08), every field of a
// span where the OTLP model puts it: ids, parent, kind, times, status,
// events, flags, attributes of both types we make (zero values too),
// resource and scope. Encoded again by the generated code, it is the same
// bytes: fields in number order, proto3's zero values left out.
// conformance: OT-08
func TestOTLPBodyIsAnExportTraceServiceRequest(t *testing.T) {
	tid := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sid := [8]byte{1, 1, 1, 1, 1, 1, 1, 1}
	pid := [8]byte{2, 2, 2, 2, 2, 2, 2, 2}
	start := time.Date(2026, 12, 2, 10, 0, 0, 123, time.UTC)
	end := start.Add(42 * time.Millisecond)
	spans := []span{{
		traceID: tid, spanID: sid, parentID: pid, name: "Dysmsapi/SendSms", kind: kindClient, start: start, end: end,
		attrs:  []attr{stringAttr("s", "v"), intAttr("i", -7), intAttr("zero", 0), stringAttr("empty", ""), intAttr("big", 1<<40)},
		events: []spanEvent{{name: "retry", time: start.Add(time.Millisecond), attrs: []attr{intAttr("attempt", 2)}}},
		status: statusCodeError, statusMsg: "isv.BUSINESS_LIMIT_CONTROL",
	}, {
		traceID: tid, spanID: pid, name: "sms.request", kind: kindServer, start: start, end: end.Add(time.Millisecond),
	}}
	res := []attr{stringAttr("service.name", "send"), stringAttr("cloud.provider", "alibaba_cloud")}
	body := encodeTraces(res, scopeName, spans)
	var got tracepb.TracesData
	if err := proto.Unmarshal(body, &got); err != nil {
		t.Fatalf("not an ExportTraceServiceRequest: %v", err)
	}

	const sampled, hasRemote, isRemote = 0x01, uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK), uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)
	want := &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		// A resource's attributes come sorted by key, as OpenTelemetry's
		// attribute sets are.
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("cloud.provider", str("alibaba_cloud")), kv("service.name", str("send"))}},
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "smsflow/shared/obs"},
			Spans: []*tracepb.Span{{
				TraceId: tid[:], SpanId: sid[:], ParentSpanId: pid[:],
				Flags: sampled | hasRemote | isRemote, // the parent is remote
				Name:  "Dysmsapi/SendSms", Kind: tracepb.Span_SPAN_KIND_CLIENT,
				StartTimeUnixNano: uint64(start.UnixNano()), EndTimeUnixNano: uint64(end.UnixNano()),
				Attributes: []*commonpb.KeyValue{kv("s", str("v")), kv("i", i64(-7)), kv("zero", i64(0)), kv("empty", str("")), kv("big", i64(1<<40))},
				Events: []*tracepb.Span_Event{{Name: "retry", TimeUnixNano: uint64(start.Add(time.Millisecond).UnixNano()),
					Attributes: []*commonpb.KeyValue{kv("attempt", i64(2))}}},
				Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "isv.BUSINESS_LIMIT_CONTROL"},
			}, {
				TraceId: tid[:], SpanId: pid[:], Flags: sampled | hasRemote, // a root: no parent, so not remote
				Name: "sms.request", Kind: tracepb.Span_SPAN_KIND_SERVER,
				StartTimeUnixNano: uint64(start.UnixNano()), EndTimeUnixNano: uint64(end.Add(time.Millisecond).UnixNano()),
				Status: &tracepb.Status{},
			}},
		}},
	}}}
	if !proto.Equal(&got, want) {
		t.Fatalf("decoded request\n%s\nwant\n%s", prototext.Format(&got), prototext.Format(want))
	}
	again, err := proto.MarshalOptions{Deterministic: true}.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, again) {
		t.Errorf("our %d bytes differ from the generated code's %d for the same request", len(body), len(again))
	}
}

// A long body puts a multi-byte length before a message: the encoder
// slides the body to make room.
// conformance: OT-08
func TestOTLPBodyWithLongFieldsDecodes(t *testing.T) {
	long := string(bytes.Repeat([]byte("x"), 70000))
	sp := span{traceID: [16]byte{1}, spanID: [8]byte{1}, name: long, kind: kindServer, attrs: []attr{stringAttr("k", long)}}
	var got tracepb.TracesData
	if err := proto.Unmarshal(encodeTraces(nil, scopeName, []span{sp}), &got); err != nil {
		t.Fatal(err)
	}
	s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
	if s.Name != long || s.Attributes[0].Value.GetStringValue() != long {
		t.Fatalf("long fields came back as %d and %d bytes", len(s.Name), len(s.Attributes[0].Value.GetStringValue()))
	}
}
