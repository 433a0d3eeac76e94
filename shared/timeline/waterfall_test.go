package timeline

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"smsflow/shared/slstrace"
)

func spanRow(id, parent, name string, startMS, durMS int64) map[string]string {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	return map[string]string{slstrace.FieldSpanID: id, slstrace.FieldParentSpanID: parent, slstrace.FieldName: name,
		slstrace.FieldStart: strconv.FormatInt(base+startMS*1000, 10), slstrace.FieldEnd: strconv.FormatInt(base+(startMS+durMS)*1000, 10),
		slstrace.FieldKind: "CLIENT", slstrace.FieldService: "send", slstrace.FieldStatusCode: "UNSET"}
}

// Children sit under their parent in start order, whatever order SLS
// returns them in; a span exported twice is drawn once; a span whose
// parent is the caller's is a root.
func TestWaterfallNestsSpansUnderTheirParents(t *testing.T) {
	rows := []map[string]string{
		spanRow("a2", "req", "Dysmsapi/SendSms", 60, 40),
		spanRow("rcpt", "req", "sms.receipt", 5000, 3),
		spanRow("req", "caller", "sms.request", 0, 120),
		spanRow("a1", "req", "Dysmsapi/SendSms", 5, 30),
		spanRow("a1", "req", "Dysmsapi/SendSms", 5, 30),
	}
	got := Waterfall(rows)
	var order []string
	for _, s := range got {
		order = append(order, strings.Repeat(">", s.Depth)+s.SpanID)
	}
	if strings.Join(order, " ") != "req >a1 >a2 >rcpt" {
		t.Fatalf("order %v", order)
	}
	if got[2].Offset != 60*time.Millisecond || got[2].Duration != 40*time.Millisecond {
		t.Errorf("a2 placed at %s for %s", got[2].Offset, got[2].Duration)
	}
	var b strings.Builder
	RenderWaterfall(&b, "t", rows)
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 5 || !strings.Contains(lines[1], "sms.request") ||
		!strings.Contains(lines[2], "  Dysmsapi/SendSms") {
		t.Errorf("rendered:\n%s", b.String())
	}
}

// A span name is anyone's OTLP input: the terminal gets it escaped.
func TestWaterfallEscapesWhatSLSReturns(t *testing.T) {
	var b strings.Builder
	RenderWaterfall(&b, "t", []map[string]string{spanRow("a", "", "evil\x1b[2Jname", 0, 5)})
	if strings.Contains(b.String(), "\x1b") {
		t.Fatalf("escape sequence reached the output: %q", b.String())
	}
}

// Span times are anyone's OTLP input. Spans years apart (40 × the offset
// overflowed int64: a negative bar width and a panic), at the ends of what
// a microsecond count can say (Offset+Duration wrapped round), or ending
// before they start, still draw a bar of exactly the axis' width, inside it.
func TestWaterfallSurvivesHostileSpanTimes(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	row := func(id string, startUS, endUS int64) map[string]string {
		return map[string]string{slstrace.FieldSpanID: id, slstrace.FieldName: "x", slstrace.FieldKind: "SERVER",
			slstrace.FieldStart: strconv.FormatInt(startUS, 10), slstrace.FieldEnd: strconv.FormatInt(endUS, 10)}
	}
	tenYears := time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for name, rows := range map[string][]map[string]string{
		"ten years apart": {row("a", base, base+1000), row("b", tenYears, tenYears+1000)},
		"the ends of int64 microseconds": {row("a", math.MinInt64, math.MinInt64+1), row("b", 0, 1000),
			row("c", math.MaxInt64-1, math.MaxInt64)},
		"ends before it starts": {row("a", base, base+1000), row("b", base+5000, base)},
		"one span, no length":   {row("a", base, base)},
	} {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panicked: %v", r)
					}
				}()
				RenderWaterfall(&b, "4bf92f3577b34da6a3ce929d0e0e4736", rows)
			}()
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			if len(lines) != len(rows)+1 {
				t.Fatalf("%d lines for %d spans:\n%s", len(lines), len(rows), b.String())
			}
			for _, l := range lines[1:] {
				bar := strings.Split(l, "|")
				if len(bar) < 2 || utf8.RuneCountInString(bar[1]) != 40 || !strings.Contains(bar[1], "█") {
					t.Errorf("bar is not 40 cells holding the span: %q", l)
				}
			}
			for _, s := range Waterfall(rows) {
				if e := s.End(); e < s.Offset || e > Extent(Waterfall(rows)) {
					t.Errorf("span %s ends at %d, outside [%d, %d]", s.SpanID, e, s.Offset, Extent(Waterfall(rows)))
				}
			}
		})
	}
}

func TestScaleStaysOnTheAxis(t *testing.T) {
	for _, c := range []struct {
		d, total time.Duration
		want     int
	}{
		{0, 0, 0}, {5, 0, 0}, {-5, 10, 0}, {5, 10, 20}, {10, 10, 40}, {20, 10, 40},
		{math.MaxInt64 / 2, math.MaxInt64, 20}, {math.MaxInt64, math.MaxInt64, 40}, {1, math.MaxInt64, 0},
	} {
		if got := Scale(c.d, c.total, 40); got != c.want {
			t.Errorf("Scale(%d, %d, 40) = %d, want %d", c.d, c.total, got, c.want)
		}
	}
}

// A chain of nested spans (anyone's OTLP input) prints in space that grows
// with its length, not its square: past maxIndent the depth is a number.
func TestADeepChainOfSpansPrintsInLinearSpace(t *testing.T) {
	const n = 2000
	rows := make([]map[string]string, n)
	for i := range rows {
		parent := ""
		if i > 0 {
			parent = "s" + strconv.Itoa(i-1)
		}
		rows[i] = spanRow("s"+strconv.Itoa(i), parent, "x", int64(i), 1)
	}
	var b strings.Builder
	RenderWaterfall(&b, "t", rows)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != n+1 {
		t.Fatalf("%d lines for %d spans", len(lines), n)
	}
	widest := 0
	for _, l := range lines {
		widest = max(widest, len(l))
	}
	if widest > 200 || !strings.Contains(lines[n], "["+strconv.Itoa(n-1)+"]") {
		t.Errorf("widest line %d bytes; last line %q: want the depth as a number, not %d levels of indent", widest, lines[n], n-1)
	}
}
