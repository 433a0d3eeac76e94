package obs

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
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
func f64(f float64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: f}}
}
func boolean(b bool) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: b}}
}
func array(vs ...*commonpb.AnyValue) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vs}}}
}
func kv(k string, v *commonpb.AnyValue) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: v}
}

// Our request body decodes as the real ExportTraceServiceRequest (whose
// package links gRPC, so only this test imports it), with every field of a
// span where the OTLP model puts it: ids, parent, kind, status, events,
// links, flags, dropped counts, attributes of every value type, resource
// and scope.
// conformance: OT-08
func TestOTLPBodyIsAnExportTraceServiceRequest(t *testing.T) {
	tid := oteltrace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sid := oteltrace.SpanID{1, 1, 1, 1, 1, 1, 1, 1}
	pid := oteltrace.SpanID{2, 2, 2, 2, 2, 2, 2, 2}
	lid := oteltrace.SpanID{3, 3, 3, 3, 3, 3, 3, 3}
	ltid := oteltrace.TraceID{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	ts, err := oteltrace.ParseTraceState("vendor=abc")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 2, 10, 0, 0, 123, time.UTC)
	end := start.Add(42 * time.Millisecond)
	stub := tracetest.SpanStub{
		Name: "Dysmsapi/SendSms",
		SpanContext: oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: tid, SpanID: sid,
			TraceFlags: oteltrace.FlagsSampled, TraceState: ts}),
		Parent:    oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: tid, SpanID: pid, Remote: true}),
		SpanKind:  oteltrace.SpanKindClient,
		StartTime: start, EndTime: end,
		Attributes: []attribute.KeyValue{
			attribute.String("s", "v"), attribute.Int64("i", -7), attribute.Float64("f", 1.5), attribute.Bool("b", true),
			attribute.StringSlice("ss", []string{"a", "b"}), attribute.Int64Slice("is", []int64{1, 2}),
			attribute.Float64Slice("fs", []float64{0.5}), attribute.BoolSlice("bs", []bool{false, true}),
			{Key: "bytes", Value: attribute.ByteSliceValue([]byte{0, 0xff})},
			attribute.Slice("mixed", attribute.StringValue("x"), attribute.Int64Value(3)),
			attribute.Map("m", attribute.String("k", "v"), attribute.Int64("n", 1)),
			{Key: "empty"},
		},
		Events: []sdktrace.Event{{Name: "retry", Time: start.Add(time.Millisecond),
			Attributes: []attribute.KeyValue{attribute.Int("attempt", 2)}, DroppedAttributeCount: 1}},
		Links: []sdktrace.Link{{SpanContext: oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: ltid, SpanID: lid,
			TraceFlags: oteltrace.FlagsSampled, TraceState: ts, Remote: true}),
			Attributes: []attribute.KeyValue{attribute.String("why", "receipt")}, DroppedAttributeCount: 2}},
		Status:            sdktrace.Status{Code: codes.Error, Description: "isv.BUSINESS_LIMIT_CONTROL"},
		DroppedAttributes: 3, DroppedEvents: 4, DroppedLinks: 5,
		Resource: resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
			attribute.String("service.name", "send"), attribute.String("cloud.provider", "alibaba_cloud")),
		InstrumentationScope: instrumentation.Scope{Name: "smsflow/shared/obs", Version: "1", SchemaURL: "https://scope.example/1",
			Attributes: attribute.NewSet(attribute.String("scope.attr", "x"))},
	}
	body, err := proto.Marshal(tracesData(tracetest.SpanStubs{stub}.Snapshots()))
	if err != nil {
		t.Fatal(err)
	}
	var got coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &got); err != nil {
		t.Fatalf("not an ExportTraceServiceRequest: %v", err)
	}

	const hasRemote, isRemote = uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK), uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)
	want := &coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		// A resource's attributes come sorted by key (attribute.Set).
		Resource:  &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("cloud.provider", str("alibaba_cloud")), kv("service.name", str("send"))}},
		SchemaUrl: "https://opentelemetry.io/schemas/1.26.0",
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope:     &commonpb.InstrumentationScope{Name: "smsflow/shared/obs", Version: "1", Attributes: []*commonpb.KeyValue{kv("scope.attr", str("x"))}},
			SchemaUrl: "https://scope.example/1",
			Spans: []*tracepb.Span{{
				TraceId: tid[:], SpanId: sid[:], ParentSpanId: pid[:], TraceState: "vendor=abc",
				Flags: 0x01 | hasRemote | isRemote, // sampled; the parent is remote
				Name:  "Dysmsapi/SendSms", Kind: tracepb.Span_SPAN_KIND_CLIENT,
				StartTimeUnixNano: uint64(start.UnixNano()), EndTimeUnixNano: uint64(end.UnixNano()),
				Attributes: []*commonpb.KeyValue{
					kv("s", str("v")), kv("i", i64(-7)), kv("f", f64(1.5)), kv("b", boolean(true)),
					kv("ss", array(str("a"), str("b"))), kv("is", array(i64(1), i64(2))),
					kv("fs", array(f64(0.5))), kv("bs", array(boolean(false), boolean(true))),
					kv("bytes", &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0, 0xff}}}),
					kv("mixed", array(str("x"), i64(3))),
					kv("m", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{
						Values: []*commonpb.KeyValue{kv("k", str("v")), kv("n", i64(1))}}}}),
					kv("empty", &commonpb.AnyValue{}),
				},
				DroppedAttributesCount: 3,
				Events: []*tracepb.Span_Event{{Name: "retry", TimeUnixNano: uint64(start.Add(time.Millisecond).UnixNano()),
					Attributes: []*commonpb.KeyValue{kv("attempt", i64(2))}, DroppedAttributesCount: 1}},
				DroppedEventsCount: 4,
				Links: []*tracepb.Span_Link{{TraceId: ltid[:], SpanId: lid[:], TraceState: "vendor=abc",
					Attributes: []*commonpb.KeyValue{kv("why", str("receipt"))}, DroppedAttributesCount: 2,
					Flags: 0x01 | hasRemote | isRemote}},
				DroppedLinksCount: 5,
				Status:            &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "isv.BUSINESS_LIMIT_CONTROL"},
			}},
		}},
	}}}
	if !proto.Equal(&got, want) {
		t.Fatalf("decoded request\n%s\nwant\n%s", prototext.Format(&got), prototext.Format(want))
	}
}

// Spans are grouped by resource, then scope, in first-seen order: one
// ResourceSpans per resource, one ScopeSpans per scope within it.
// conformance: OT-08
func TestOTLPBodyGroupsByResourceAndScope(t *testing.T) {
	resA := resource.NewSchemaless(attribute.String("service.name", "send"))
	resA2 := resource.NewSchemaless(attribute.String("service.name", "send")) // equal, another pointer
	resB := resource.NewSchemaless(attribute.String("service.name", "alert"))
	one, two := instrumentation.Scope{Name: "one"}, instrumentation.Scope{Name: "two"}
	stub := func(name string, r *resource.Resource, s instrumentation.Scope) tracetest.SpanStub {
		return tracetest.SpanStub{Name: name, Resource: r, InstrumentationScope: s}
	}
	td := tracesData(tracetest.SpanStubs{
		stub("a1", resA, one), stub("b1", resB, one), stub("a2", resA2, two), stub("a1'", resA, one),
		stub("none", resA, instrumentation.Scope{}),
	}.Snapshots())
	var got [][]string
	for _, rs := range td.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			g := []string{rs.Resource.Attributes[0].Value.GetStringValue() + "/" + ss.GetScope().GetName()}
			for _, sp := range ss.Spans {
				g = append(g, sp.Name)
			}
			got = append(got, g)
		}
	}
	want := [][]string{{"send/one", "a1", "a1'"}, {"send/two", "a2"}, {"send/", "none"}, {"alert/one", "b1"}}
	if len(td.ResourceSpans) != 2 || len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("groups %v, want %v", got, want)
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("groups %v, want %v", got, want)
			}
		}
	}
	if td.ResourceSpans[0].ScopeSpans[2].Scope != nil {
		t.Errorf("an empty scope is sent as %v, want none", td.ResourceSpans[0].ScopeSpans[2].Scope)
	}
}
