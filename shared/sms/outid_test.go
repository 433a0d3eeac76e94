package sms

import (
	"context"
	"strings"
	"testing"

	"smsflow/shared/trace"
)

func TestWireOutIDCarriesTheTraceAndTheCallersOutID(t *testing.T) {
	sc := trace.NewRoot()
	ctx := trace.NewContext(context.Background(), sc)
	for _, caller := range []string{"", "order-1", "sf1" + strings.Repeat("a", 48), "with.dots.and 中文"} {
		wire := WireOutID(ctx, caller)
		if len([]rune(wire)) > 255 {
			t.Fatalf("wire OutId is %d characters", len([]rune(wire)))
		}
		link := ParseOutID(wire)
		if !link.Linked || link.TraceID != sc.TraceIDString() || link.SpanID != sc.SpanIDString() || link.CallerOutID != caller {
			t.Errorf("caller %q: wire %q parsed as %+v", caller, wire, link)
		}
	}
}

// conformance: DY-11
func TestWireOutIDLeavesOffACallerOutIDThatDoesNotFit(t *testing.T) {
	sc := trace.NewRoot()
	ctx := trace.NewContext(context.Background(), sc)
	fits := strings.Repeat("界", MaxCallerOutIDOnWire)
	if link := ParseOutID(WireOutID(ctx, fits)); link.CallerOutID != fits {
		t.Errorf("a %d-character out_id should ride along", MaxCallerOutIDOnWire)
	}
	long := strings.Repeat("x", 255)
	wire := WireOutID(ctx, long)
	if len(wire) != OutIDTokenLen || ParseOutID(wire).TraceID != sc.TraceIDString() {
		t.Errorf("a 255-character out_id must leave only the token on the wire, got %d chars", len(wire))
	}
}

func TestWireOutIDWithoutATraceIsTheCallersOwn(t *testing.T) {
	if got := WireOutID(context.Background(), "order-1"); got != "order-1" {
		t.Errorf("got %q", got)
	}
}

func TestParseOutIDFromElsewhere(t *testing.T) {
	for _, wire := range []string{"", "order-1", "sf1" + strings.Repeat("0", 48), "sf1" + strings.Repeat("A", 48),
		"sf1" + strings.Repeat("a", 48) + "x-no-dot", "sf1abc"} {
		if link := ParseOutID(wire); link.Linked || link.CallerOutID != wire {
			t.Errorf("%q: %+v, want unlinked with the whole value as the caller's", wire, link)
		}
	}
}
