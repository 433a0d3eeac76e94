package obs

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// The spans smsflow exports are the ones its events already describe: every
// event carries trace_id/span_id/parent_span_id, so one invocation's batch
// is a set of spans whose start, end and outcome the events tell. Building
// them from the batch at flush time (instead of keeping live SDK spans)
// keeps one source of truth, the same ids, and the same privacy rules:
// a span holds nothing an event does not.

// Span names: the event that defines the span (low cardinality, stable).
const (
	spanRequest = EventRequest
	spanAttempt = "Dysmsapi/SendSms" // semconv rpc span name {rpc.service}/{rpc.method}
	spanReceipt = EventReceipt
	spanAlert   = "alert.run"
)

// Fields that are span structure, not attributes.
var structural = map[string]bool{KeyTime: true, KeyLevel: true, KeyEvent: true,
	KeyTraceID: true, KeySpanID: true, KeyParentSpanID: true,
	// resource attributes: the same for every span of the process
	KeyFunction: true, KeyQualifier: true, KeyVersion: true, KeyRegion: true, KeyInstanceID: true}

type spanGroup struct {
	traceID, spanID, parentID string
	events                    []Event
}

// spansFrom builds the spans of one invocation that began at start and
// ended at end.
func spansFrom(events []Event, start, end time.Time) []tracetest.SpanStub {
	var groups []*spanGroup
	byID := map[string]*spanGroup{}
	for _, e := range events {
		tid, sid := e.Get(KeyTraceID), e.Get(KeySpanID)
		if tid == "" || sid == "" {
			continue // a line logged outside any trace
		}
		g := byID[tid+sid]
		if g == nil {
			g = &spanGroup{traceID: tid, spanID: sid, parentID: e.Get(KeyParentSpanID)}
			byID[tid+sid] = g
			groups = append(groups, g)
		}
		g.events = append(g.events, e)
	}
	out := make([]tracetest.SpanStub, 0, len(groups))
	index := map[oteltrace.SpanID]int{}
	for _, g := range groups {
		if s, ok := g.stub(start, end); ok {
			index[s.SpanContext.SpanID()] = len(out)
			out = append(out, s)
		}
	}
	// Durations are whole milliseconds: a child may seem to start a little
	// before its parent. A parent covers its children, as viewers expect.
	for _, c := range out {
		if i, ok := index[c.Parent.SpanID()]; ok && c.Parent.IsValid() {
			if c.StartTime.Before(out[i].StartTime) {
				out[i].StartTime = c.StartTime
			}
			if c.EndTime.After(out[i].EndTime) {
				out[i].EndTime = c.EndTime
			}
		}
	}
	return out
}

// main picks the event whose fields describe the span best: the final
// outcome over the intermediate ones.
func (g *spanGroup) main() Event {
	rank := func(name string) int {
		switch name {
		case EventResult, EventAttempt, EventReceipt, spanAlert:
			return 3
		case EventRequest:
			return 2
		case "log":
			return 0
		}
		return 1
	}
	best := g.events[0]
	for _, e := range g.events[1:] {
		if rank(e.Get(KeyEvent)) > rank(best.Get(KeyEvent)) {
			best = e
		}
	}
	return best
}

func (g *spanGroup) stub(invStart, invEnd time.Time) (tracetest.SpanStub, bool) {
	sc, ok := spanContext(g.traceID, g.spanID)
	if !ok {
		return tracetest.SpanStub{}, false
	}
	m := g.main()
	name, kind := spanNameKind(m)
	s := tracetest.SpanStub{Name: name, SpanContext: sc, SpanKind: kind,
		InstrumentationScope: scope}
	if g.parentID != "" {
		if p, ok := spanContext(g.traceID, g.parentID); ok {
			s.Parent = p.WithRemote(true)
		}
	}
	// A span ends with its last event; it starts where a duration says it
	// did, else when the invocation began.
	s.StartTime, s.EndTime = invStart, invStart
	var measured bool
	for _, e := range g.events {
		if e.Time.After(s.EndTime) {
			s.EndTime = e.Time
		}
		for _, k := range []string{KeyLatencyMS, KeyDurationMS} {
			if ms, err := strconv.ParseInt(e.Get(k), 10, 64); err == nil {
				if st := e.Time.Add(-time.Duration(ms) * time.Millisecond); !measured || st.Before(s.StartTime) {
					s.StartTime, measured = st, true
				}
			}
		}
	}
	if s.EndTime.Before(s.StartTime) {
		s.EndTime = s.StartTime
	}
	if name == spanAlert && invEnd.After(s.EndTime) {
		s.EndTime = invEnd
	}
	s.Attributes = attributesOf(m, kind)
	s.Status = statusOf(m, kind)
	for _, e := range g.events {
		if e.Get(KeyEvent) == m.Get(KeyEvent) && e.Time.Equal(m.Time) {
			continue
		}
		s.Events = append(s.Events, sdktrace.Event{Name: e.Get(KeyEvent), Time: e.Time, Attributes: attributesOf(e, oteltrace.SpanKindInternal)})
	}
	return s, true
}

func spanContext(traceID, spanID string) (oteltrace.SpanContext, bool) {
	var tid oteltrace.TraceID
	var sid oteltrace.SpanID
	if len(traceID) != 32 || len(spanID) != 16 {
		return oteltrace.SpanContext{}, false
	}
	if _, err := hex.Decode(tid[:], []byte(traceID)); err != nil {
		return oteltrace.SpanContext{}, false
	}
	if _, err := hex.Decode(sid[:], []byte(spanID)); err != nil {
		return oteltrace.SpanContext{}, false
	}
	sc := oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: oteltrace.FlagsSampled})
	return sc, sc.IsValid()
}

func spanNameKind(m Event) (string, oteltrace.SpanKind) {
	switch ev := m.Get(KeyEvent); {
	case ev == EventAttempt:
		return spanAttempt, oteltrace.SpanKindClient
	case ev == EventReceipt:
		if m.Get(KeyReceiptSource) == "mns_queue" {
			return spanReceipt, oteltrace.SpanKindConsumer
		}
		return spanReceipt, oteltrace.SpanKindServer
	case strings.HasPrefix(ev, "alert."):
		return spanAlert, oteltrace.SpanKindServer
	case m.Get(KeyFunction) == "dispatch":
		return spanRequest, oteltrace.SpanKindConsumer
	default:
		return spanRequest, oteltrace.SpanKindServer
	}
}

// attributesOf maps an event's fields to semantic-convention attributes
// where one exists and to `smsflow.<field>` otherwise.
func attributesOf(e Event, kind oteltrace.SpanKind) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(e.Fields)+3)
	switch kind {
	case oteltrace.SpanKindClient:
		out = append(out, attribute.String("rpc.service", "Dysmsapi"), attribute.String("rpc.method", "SendSms"))
	case oteltrace.SpanKindServer, oteltrace.SpanKindConsumer:
		out = append(out, attribute.String("faas.trigger", faasTrigger(e)))
	}
	for _, f := range e.Fields {
		if structural[f.Key] {
			continue
		}
		switch {
		case f.Key == KeyFCRequestID:
			out = append(out, attribute.String("faas.invocation_id", f.Value))
		case f.Key == KeyHTTPStatus && kind != oteltrace.SpanKindClient,
			f.Key == KeyUpstreamStatus && kind == oteltrace.SpanKindClient:
			if n, err := strconv.Atoi(f.Value); err == nil && n > 0 {
				out = append(out, attribute.Int("http.response.status_code", n))
			}
		case f.Key == KeyErrorCode:
			out = append(out, attribute.String("error.type", f.Value), attribute.String("smsflow.error_code", f.Value))
		default:
			out = append(out, attribute.String("smsflow."+f.Key, f.Value))
		}
	}
	return out
}

func faasTrigger(e Event) string {
	switch {
	case strings.HasPrefix(e.Get(KeyEvent), "alert."):
		return "timer"
	case e.Get(KeyFunction) == "dispatch", e.Get(KeyReceiptSource) == "mns_queue":
		return "pubsub"
	default:
		return "http"
	}
}

// statusOf follows the HTTP conventions: a client span fails on any
// outcome but acceptance, a server span only on a 5xx or an ERROR event.
func statusOf(m Event, kind oteltrace.SpanKind) sdktrace.Status {
	if m.Get(KeyLevel) == "ERROR" {
		return sdktrace.Status{Code: codes.Error, Description: m.Get(KeyErrorCode)}
	}
	if kind == oteltrace.SpanKindClient {
		if st := m.Get(KeyStatus); st != "" && st != "accepted" {
			return sdktrace.Status{Code: codes.Error, Description: m.Get(KeyErrorCode)}
		}
		return sdktrace.Status{Code: codes.Unset}
	}
	if n, _ := strconv.Atoi(m.Get(KeyHTTPStatus)); n >= 500 {
		return sdktrace.Status{Code: codes.Error, Description: m.Get(KeyErrorCode)}
	}
	return sdktrace.Status{Code: codes.Unset}
}
