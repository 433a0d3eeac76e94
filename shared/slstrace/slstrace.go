// Package slstrace is the shape of SLS Trace: the x-sls-otel-* headers an
// OTLP export authenticates with, and the fields a span is stored as in the
// `{instance}-traces` logstore (docs/conformance.md, section OT). The
// exporter's stdout fallback (shared/obs) and the local SLS write it.
package slstrace

import (
	"encoding/json"
	"strconv"
	"time"
)

// Span is one span as SLS Trace stores it.
type Span struct {
	TraceID, SpanID, ParentSpanID, TraceState string
	Name, Kind                                string // Kind: SERVER, CLIENT, INTERNAL, PRODUCER, CONSUMER
	Service, Host                             string
	Start, End                                time.Time
	Attributes, Resource                      map[string]any
	StatusCode, StatusMessage                 string // StatusCode: UNSET, OK, ERROR
	// Logs are the span's events: name, time (µs) and attributes.
	Logs []map[string]any
}

// Field is one stored key and value.
type Field struct{ Key, Value string }

// Authentication headers (platform-facts: SLS for OpenTelemetry). Alibaba's
// page names no header for an STS token; HeaderToken is unverified.
const (
	HeaderProject    = "x-sls-otel-project"
	HeaderInstanceID = "x-sls-otel-instance-id"
	HeaderAKID       = "x-sls-otel-ak-id"
	HeaderAKSecret   = "x-sls-otel-ak-secret"
	HeaderToken      = "x-sls-otel-token"
)

// Path is where SLS Trace takes OTLP/HTTP spans.
const Path = "/opentelemetry/v1/traces"

// Logstore is where SLS Trace stores an instance's spans.
func Logstore(instance string) string { return instance + "-traces" }

// Field names of the `{instance}-traces` logstore.
const (
	FieldTraceID       = "traceID"
	FieldSpanID        = "spanID"
	FieldParentSpanID  = "parentSpanID"
	FieldTraceState    = "traceState"
	FieldName          = "name"
	FieldKind          = "kind"
	FieldService       = "service"
	FieldHost          = "host"
	FieldResource      = "resource"
	FieldAttribute     = "attribute"
	FieldStart         = "start"    // µs since the epoch
	FieldEnd           = "end"      // µs since the epoch
	FieldDuration      = "duration" // µs
	FieldStatusCode    = "statusCode"
	FieldStatusMessage = "statusMessage"
	FieldLogs          = "logs"
	FieldLinks         = "links"
)

// Fields renders s as SLS Trace's key/value fields.
func (s Span) Fields() []Field {
	start, end := s.Start.UnixMicro(), s.End.UnixMicro()
	out := []Field{
		{FieldTraceID, s.TraceID}, {FieldSpanID, s.SpanID}, {FieldParentSpanID, s.ParentSpanID},
		{FieldName, s.Name}, {FieldKind, s.Kind}, {FieldService, s.Service},
		{FieldStart, strconv.FormatInt(start, 10)}, {FieldEnd, strconv.FormatInt(end, 10)},
		{FieldDuration, strconv.FormatInt(end-start, 10)},
		{FieldAttribute, jsonObject(s.Attributes)}, {FieldResource, jsonObject(s.Resource)},
		{FieldStatusCode, s.StatusCode}, {FieldStatusMessage, s.StatusMessage},
		{FieldHost, s.Host}, {FieldTraceState, s.TraceState},
		{FieldLogs, jsonArray(s.Logs)}, {FieldLinks, "[]"},
	}
	return out
}

func jsonObject(m map[string]any) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func jsonArray(a []map[string]any) string {
	if len(a) == 0 {
		return "[]"
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// TimeFromMicros reads a start/end field.
func TimeFromMicros(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMicro(n), true
}

// KindName is the kind SLS Trace stores for an OTLP SpanKind number
// (trace.proto; the Go SDK's trace.SpanKind has the same numbers).
func KindName(k int) string {
	switch k {
	case 2:
		return "SERVER"
	case 3:
		return "CLIENT"
	case 4:
		return "PRODUCER"
	case 5:
		return "CONSUMER"
	default:
		return "INTERNAL"
	}
}

// Status codes as stored.
const (
	StatusUnset = "UNSET"
	StatusOK    = "OK"
	StatusError = "ERROR"
)
