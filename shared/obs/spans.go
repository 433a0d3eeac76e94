package obs

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The spans smsflow exports are the ones its events already describe: every
// event carries trace_id/span_id/parent_span_id, so one invocation's batch
// is a set of spans whose start, end and outcome the events tell. Building
// them from the batch at flush time (instead of keeping live SDK spans)
// keeps one source of truth, the same ids, and the same privacy rules:
// a span holds nothing an event does not.
//
// The spans are plain values in OTLP's model (otlp_wire.go encodes them),
// not the OpenTelemetry SDK's: no span here is ever live, and linking the
// SDK and OTLP's generated types cost every cold start of every function
// about a third of a millisecond of package initialisation (issue 10;
// docs/architecture.md). Their tests hold the encoding to OTLP's types.

// span is one OTLP span.
type span struct {
	traceID    [16]byte
	spanID     [8]byte
	parentID   [8]byte // zero: a root span; else the parent is remote (FC's gateway, a caller)
	name       string
	kind       spanKind
	start, end time.Time
	attrs      []attr
	events     []spanEvent
	status     statusCode
	statusMsg  string
}

type spanEvent struct {
	name  string
	time  time.Time
	attrs []attr
}

// attr is an attribute: its value a string or an int64, the only types
// smsflow's spans carry.
type attr struct {
	key   string
	value any
}

func stringAttr(k, v string) attr    { return attr{k, v} }
func intAttr(k string, v int64) attr { return attr{k, v} }

// spanKind and statusCode are OTLP's enums (trace.proto), numbered as there.
type spanKind int32

const (
	kindInternal spanKind = 1
	kindServer   spanKind = 2
	kindClient   spanKind = 3
	kindConsumer spanKind = 5
)

type statusCode int32

const (
	statusCodeUnset statusCode = 0
	statusCodeError statusCode = 2
)

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
func spansFrom(events []Event, start, end time.Time) []span {
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
	out := make([]span, 0, len(groups))
	index := map[[8]byte]int{}
	for _, g := range groups {
		if s, ok := g.span(start, end); ok {
			index[s.spanID] = len(out)
			out = append(out, s)
		}
	}
	// Durations are whole milliseconds: a child may seem to start a little
	// before its parent. A parent covers its children, as viewers expect.
	for _, c := range out {
		if i, ok := index[c.parentID]; ok && c.parentID != ([8]byte{}) {
			if c.start.Before(out[i].start) {
				out[i].start = c.start
			}
			if c.end.After(out[i].end) {
				out[i].end = c.end
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

func (g *spanGroup) span(invStart, invEnd time.Time) (span, bool) {
	var s span
	if !decodeID(s.traceID[:], g.traceID) || !decodeID(s.spanID[:], g.spanID) {
		return span{}, false
	}
	m := g.main()
	s.name, s.kind = spanNameKind(m)
	if g.parentID != "" && !decodeID(s.parentID[:], g.parentID) {
		s.parentID = [8]byte{}
	}
	// A span ends with its last event; it starts where a duration says it
	// did, else when the invocation began.
	s.start, s.end = invStart, invStart
	var measured bool
	for _, e := range g.events {
		if e.Time.After(s.end) {
			s.end = e.Time
		}
		for _, k := range []string{KeyLatencyMS, KeyDurationMS} {
			if ms, err := strconv.ParseInt(e.Get(k), 10, 64); err == nil {
				if st := e.Time.Add(-time.Duration(ms) * time.Millisecond); !measured || st.Before(s.start) {
					s.start, measured = st, true
				}
			}
		}
	}
	if s.end.Before(s.start) {
		s.end = s.start
	}
	if s.name == spanAlert && invEnd.After(s.end) {
		s.end = invEnd
	}
	s.attrs = attributesOf(m, s.kind)
	s.status, s.statusMsg = statusOf(m, s.kind)
	for _, e := range g.events {
		if e.Get(KeyEvent) == m.Get(KeyEvent) && e.Time.Equal(m.Time) {
			continue
		}
		s.events = append(s.events, spanEvent{name: e.Get(KeyEvent), time: e.Time, attrs: attributesOf(e, kindInternal)})
	}
	return s, true
}

// decodeID decodes a hex trace or span id into dst; an id of the wrong
// length, not hex, or all zeros (invalid in W3C trace context) is refused.
func decodeID(dst []byte, id string) bool {
	if len(id) != 2*len(dst) {
		return false
	}
	if _, err := hex.Decode(dst, []byte(id)); err != nil {
		return false
	}
	for _, b := range dst {
		if b != 0 {
			return true
		}
	}
	return false
}

func spanNameKind(m Event) (string, spanKind) {
	switch ev := m.Get(KeyEvent); {
	case ev == EventAttempt:
		return spanAttempt, kindClient
	case ev == EventReceipt:
		if m.Get(KeyReceiptSource) == "mns_queue" {
			return spanReceipt, kindConsumer
		}
		return spanReceipt, kindServer
	case strings.HasPrefix(ev, "alert."):
		return spanAlert, kindServer
	case m.Get(KeyFunction) == "dispatch":
		return spanRequest, kindConsumer
	default:
		return spanRequest, kindServer
	}
}

// attributesOf maps an event's fields to semantic-convention attributes
// where one exists and to `smsflow.<field>` otherwise.
func attributesOf(e Event, kind spanKind) []attr {
	out := make([]attr, 0, len(e.Fields)+3)
	switch kind {
	case kindClient:
		out = append(out, stringAttr("rpc.service", "Dysmsapi"), stringAttr("rpc.method", "SendSms"))
	case kindServer, kindConsumer:
		out = append(out, stringAttr("faas.trigger", faasTrigger(e)))
	}
	for _, f := range e.Fields {
		if structural[f.Key] {
			continue
		}
		switch {
		case f.Key == KeyFCRequestID:
			out = append(out, stringAttr("faas.invocation_id", f.Value))
		case f.Key == KeyHTTPStatus && kind != kindClient,
			f.Key == KeyUpstreamStatus && kind == kindClient:
			if n, err := strconv.Atoi(f.Value); err == nil && n > 0 {
				out = append(out, intAttr("http.response.status_code", int64(n)))
			}
		case f.Key == KeyErrorCode:
			out = append(out, stringAttr("error.type", f.Value), stringAttr("smsflow.error_code", f.Value))
		default:
			out = append(out, stringAttr("smsflow."+f.Key, f.Value))
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
func statusOf(m Event, kind spanKind) (statusCode, string) {
	if m.Get(KeyLevel) == "ERROR" {
		return statusCodeError, m.Get(KeyErrorCode)
	}
	if kind == kindClient {
		if st := m.Get(KeyStatus); st != "" && st != "accepted" {
			return statusCodeError, m.Get(KeyErrorCode)
		}
		return statusCodeUnset, ""
	}
	if n, _ := strconv.Atoi(m.Get(KeyHTTPStatus)); n >= 500 {
		return statusCodeError, m.Get(KeyErrorCode)
	}
	return statusCodeUnset, ""
}
