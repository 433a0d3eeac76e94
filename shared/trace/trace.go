// Package trace carries W3C Trace Context (https://www.w3.org/TR/trace-context/)
// through smsflow: a request continues the caller's trace when it sends a
// valid `traceparent`, else starts one, and every Alibaba call is a child span.
// It is the small subset of what opentelemetry-go's propagation does that
// the functions need, without an SDK or exporter: spans end up as log events.
package trace

import (
	"context"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
)

// Header is the W3C propagation header.
const Header = "traceparent"

// SpanContext identifies one span of one trace.
type SpanContext struct {
	TraceID [16]byte
	SpanID  [8]byte
	// Parent is the span this one continues; zero for a root span.
	Parent [8]byte
	Flags  byte
}

var errMalformed = errors.New("malformed traceparent")

// Parse reads a traceparent header value. Per the spec, a version it does not
// know is still read for its first four fields, version ff is invalid, and
// all-zero ids are invalid.
func Parse(v string) (SpanContext, error) {
	v = strings.TrimSpace(v)
	if len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return SpanContext{}, errMalformed
	}
	version := v[:2]
	if version == "ff" || !isLowerHex(version) || (version == "00" && len(v) != 55) || (len(v) > 55 && v[55] != '-') {
		return SpanContext{}, errMalformed
	}
	var sc SpanContext
	if !decode(sc.TraceID[:], v[3:35]) || !decode(sc.Parent[:], v[36:52]) {
		return SpanContext{}, errMalformed
	}
	var flags [1]byte
	if !decode(flags[:], v[53:55]) {
		return SpanContext{}, errMalformed
	}
	if sc.TraceID == ([16]byte{}) || sc.Parent == ([8]byte{}) {
		return SpanContext{}, errMalformed
	}
	sc.Flags = flags[0]
	// What arrived is the caller's span: ours is a new child of it.
	sc.SpanID = newSpanID()
	return sc, nil
}

func decode(dst []byte, s string) bool {
	if !isLowerHex(s) {
		return false
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// FromHeader continues the trace in a traceparent value, or starts a new
// sampled trace when the value is absent or invalid (the spec's rule).
func FromHeader(v string) SpanContext {
	if sc, err := Parse(v); err == nil {
		return sc
	}
	return NewRoot()
}

// NewRoot starts a new trace.
func NewRoot() SpanContext {
	var sc SpanContext
	for sc.TraceID == ([16]byte{}) {
		for i := 0; i < 16; i += 8 {
			putUint64(sc.TraceID[i:], rand.Uint64())
		}
	}
	sc.SpanID = newSpanID()
	sc.Flags = 0x01
	return sc
}

// Child is a new span in the same trace whose parent is sc.
func (sc SpanContext) Child() SpanContext {
	return SpanContext{TraceID: sc.TraceID, SpanID: newSpanID(), Parent: sc.SpanID, Flags: sc.Flags}
}

func newSpanID() [8]byte {
	var id [8]byte
	for id == ([8]byte{}) {
		putUint64(id[:], rand.Uint64())
	}
	return id
}

func putUint64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// TraceIDString is the 32-hex trace id.
func (sc SpanContext) TraceIDString() string { return hex.EncodeToString(sc.TraceID[:]) }

// SpanIDString is the 16-hex span id.
func (sc SpanContext) SpanIDString() string { return hex.EncodeToString(sc.SpanID[:]) }

// ParentIDString is the 16-hex parent span id, or "" for a root span.
func (sc SpanContext) ParentIDString() string {
	if sc.Parent == ([8]byte{}) {
		return ""
	}
	return hex.EncodeToString(sc.Parent[:])
}

// Traceparent renders sc as a version-00 header value naming sc's own span,
// which is what a callee (or the caller reading our answer) continues from.
func (sc SpanContext) Traceparent() string {
	return "00-" + sc.TraceIDString() + "-" + sc.SpanIDString() + "-" + hex.EncodeToString([]byte{sc.Flags})
}

type ctxKey struct{}

// inContext is a span with its ids already rendered: every log line of a
// request carries them, and hex-encoding them each time costs allocations.
type inContext struct {
	sc                      SpanContext
	traceID, spanID, parent string
}

// NewContext returns ctx carrying sc.
func NewContext(ctx context.Context, sc SpanContext) context.Context {
	return context.WithValue(ctx, ctxKey{}, &inContext{sc: sc, traceID: sc.TraceIDString(), spanID: sc.SpanIDString(), parent: sc.ParentIDString()})
}

// FromContext returns the span in ctx, if any.
func FromContext(ctx context.Context) (SpanContext, bool) {
	c, ok := ctx.Value(ctxKey{}).(*inContext)
	if !ok {
		return SpanContext{}, false
	}
	return c.sc, true
}

// IDsFromContext returns the rendered trace, span and parent span ids of
// the span in ctx (parent "" for a root span).
func IDsFromContext(ctx context.Context) (traceID, spanID, parentID string, ok bool) {
	c, ok := ctx.Value(ctxKey{}).(*inContext)
	if !ok {
		return "", "", "", false
	}
	return c.traceID, c.spanID, c.parent, true
}
