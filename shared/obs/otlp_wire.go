package obs

import (
	"cmp"
	"slices"
	"time"

	"smsflow/shared/pbwire"
)

// The OTLP/HTTP request body for traces is an ExportTraceServiceRequest:
// one field (1, repeated ResourceSpans), the same as TracesData, which is
// meant to be embedded by protocols carrying OTLP traces
// (opentelemetry-proto trace.proto). We encode it here with protowire, in
// field-number order as the generated code writes it and leaving out what
// proto3 leaves out, rather than through OTLP's generated types, whose
// package initialisation every cold start would pay (spans.go). Its tests
// decode it with those types and compare. conformance: OT-08

// Field numbers of opentelemetry-proto (common.proto, resource.proto,
// trace.proto, trace_service.proto).
const (
	fReqResourceSpans = 1

	fResSpansResource   = 1
	fResSpansScopeSpans = 2
	fResourceAttrs      = 1

	fScopeSpansScope = 1
	fScopeSpansSpans = 2
	fScopeName       = 1

	fSpanTraceID      = 1
	fSpanSpanID       = 2
	fSpanParentSpanID = 4
	fSpanName         = 5
	fSpanKind         = 6
	fSpanStart        = 7
	fSpanEnd          = 8
	fSpanAttrs        = 9
	fSpanEvents       = 11
	fSpanStatus       = 15
	fSpanFlags        = 16

	fEventTime  = 1
	fEventName  = 2
	fEventAttrs = 3

	fStatusMessage = 2
	fStatusCode    = 3

	fKVKey   = 1
	fKVValue = 2

	fAnyString = 1
	fAnyInt    = 3
)

// Span flags (trace.proto SpanFlags): the low byte is the W3C trace flags
// (sampled), and the next two bits say whether the parent is remote, which
// we always know: a parent of ours is the caller's or FC's.
const (
	flagSampled     = 0x01
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// encodeTraces is the request body for spans of one process: one
// resource (its attributes sorted by key, as OpenTelemetry's attribute
// sets are) and one instrumentation scope.
func encodeTraces(resource []attr, scopeName string, spans []span) []byte {
	resource = slices.SortedStableFunc(slices.Values(resource), func(a, b attr) int { return cmp.Compare(a.key, b.key) })
	var b []byte
	b = appendMessage(b, fReqResourceSpans, func(b []byte) []byte {
		b = appendMessage(b, fResSpansResource, func(b []byte) []byte { return appendAttrs(b, fResourceAttrs, resource) })
		return appendMessage(b, fResSpansScopeSpans, func(b []byte) []byte {
			b = appendMessage(b, fScopeSpansScope, func(b []byte) []byte { return appendString(b, fScopeName, scopeName) })
			for i := range spans {
				b = appendMessage(b, fScopeSpansSpans, spans[i].appendTo)
			}
			return b
		})
	})
	return b
}

func (s *span) appendTo(b []byte) []byte {
	b = appendBytes(b, fSpanTraceID, s.traceID[:])
	b = appendBytes(b, fSpanSpanID, s.spanID[:])
	flags := uint32(flagSampled | flagHasIsRemote)
	if s.parentID != ([8]byte{}) {
		b = appendBytes(b, fSpanParentSpanID, s.parentID[:])
		flags |= flagIsRemote
	}
	b = appendString(b, fSpanName, s.name)
	b = appendVarint(b, fSpanKind, uint64(s.kind))
	b = appendFixed64(b, fSpanStart, unixNano(s.start))
	b = appendFixed64(b, fSpanEnd, unixNano(s.end))
	b = appendAttrs(b, fSpanAttrs, s.attrs)
	for _, e := range s.events {
		b = appendMessage(b, fSpanEvents, func(b []byte) []byte {
			b = appendFixed64(b, fEventTime, unixNano(e.time))
			b = appendString(b, fEventName, e.name)
			return appendAttrs(b, fEventAttrs, e.attrs)
		})
	}
	// The status is always sent, empty when unset, as the SDK sends it.
	b = appendMessage(b, fSpanStatus, func(b []byte) []byte {
		b = appendString(b, fStatusMessage, s.statusMsg)
		return appendVarint(b, fStatusCode, uint64(s.status))
	})
	b = pbwire.AppendTag(b, fSpanFlags, pbwire.Fixed32Type)
	return pbwire.AppendFixed32(b, flags)
}

func appendAttrs(b []byte, num pbwire.Number, attrs []attr) []byte {
	for _, a := range attrs {
		b = appendMessage(b, num, func(b []byte) []byte {
			b = appendString(b, fKVKey, a.key)
			return appendMessage(b, fKVValue, func(b []byte) []byte {
				switch v := a.value.(type) {
				case int64:
					// An AnyValue's oneof is sent even when zero.
					return pbwire.AppendVarint(pbwire.AppendTag(b, fAnyInt, pbwire.VarintType), uint64(v))
				case string:
					return pbwire.AppendString(pbwire.AppendTag(b, fAnyString, pbwire.BytesType), v)
				}
				return b // no other type is made (attr)
			})
		})
	}
	return b
}

// appendMessage appends field num holding what body appends, its length
// first: the body is appended in place and the length slid in front.
func appendMessage(b []byte, num pbwire.Number, body func([]byte) []byte) []byte {
	b = pbwire.AppendTag(b, num, pbwire.BytesType)
	start := len(b)
	b = body(b)
	n := len(b) - start
	lenBytes := pbwire.SizeVarint(uint64(n))
	b = append(b, make([]byte, lenBytes)...)
	copy(b[start+lenBytes:], b[start:start+n])
	pbwire.AppendVarint(b[start:start], uint64(n))
	return b
}

// appendString, appendBytes, appendVarint and appendFixed64 leave a zero
// value out, as proto3 does.
func appendString(b []byte, num pbwire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return pbwire.AppendString(pbwire.AppendTag(b, num, pbwire.BytesType), s)
}

func appendBytes(b []byte, num pbwire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return pbwire.AppendBytes(pbwire.AppendTag(b, num, pbwire.BytesType), v)
}

func appendVarint(b []byte, num pbwire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return pbwire.AppendVarint(pbwire.AppendTag(b, num, pbwire.VarintType), v)
}

func appendFixed64(b []byte, num pbwire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return pbwire.AppendFixed64(pbwire.AppendTag(b, num, pbwire.Fixed64Type), v)
}

// unixNano clamps times before 1970 (or the zero time) to 0: the field is
// unsigned.
func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(max(0, t.UnixNano()))
}
