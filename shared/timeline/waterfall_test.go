package timeline

import (
	"strconv"
	"strings"
	"testing"
	"time"

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
