package trace

import (
	"strings"
	"testing"
)

func TestParseContinuesCallerTrace(t *testing.T) {
	in := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	sc, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if sc.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || sc.ParentIDString() != "00f067aa0ba902b7" || sc.Flags != 1 {
		t.Fatalf("parsed %+v", sc)
	}
	if sc.SpanIDString() == "00f067aa0ba902b7" {
		t.Fatal("our span reuses the caller's span id")
	}
	out := sc.Traceparent()
	if !strings.HasPrefix(out, "00-4bf92f3577b34da6a3ce929d0e0e4736-") || !strings.HasSuffix(out, "-01") {
		t.Fatalf("Traceparent() = %q", out)
	}
}

func TestParseRefusesInvalid(t *testing.T) {
	for _, v := range []string{
		"",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
		"xx-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
	} {
		if _, err := Parse(v); err == nil {
			t.Errorf("Parse(%q) accepted", v)
		}
	}
	// A future version with extra fields is read for its known fields.
	if _, err := Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever"); err != nil {
		t.Errorf("future version refused: %v", err)
	}
}

func TestFromHeaderStartsNewTraceOnGarbage(t *testing.T) {
	a, b := FromHeader("garbage"), FromHeader("")
	if a.TraceID == b.TraceID || a.ParentIDString() != "" || a.Flags != 1 {
		t.Fatalf("new roots: %+v %+v", a, b)
	}
}

func TestChildKeepsTraceAndLinksParent(t *testing.T) {
	root := NewRoot()
	c := root.Child()
	if c.TraceID != root.TraceID || c.Parent != root.SpanID || c.SpanID == root.SpanID {
		t.Fatalf("child %+v of %+v", c, root)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	f.Add("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x")
	f.Fuzz(func(t *testing.T, v string) {
		sc, err := Parse(v)
		if err != nil {
			return
		}
		again, err := Parse(sc.Traceparent())
		if err != nil || again.TraceID != sc.TraceID || again.Parent != sc.SpanID {
			t.Fatalf("round trip of %q failed: %v", v, err)
		}
	})
}
