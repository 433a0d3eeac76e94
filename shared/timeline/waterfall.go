package timeline

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/slstrace"
	"smsflow/shared/text"
)

// SpanRow is one line of a trace's waterfall: a span placed in time
// relative to the trace's first span, under its parent.
type SpanRow struct {
	SpanID, ParentSpanID string
	Name, Kind, Service  string
	Status               string // UNSET, OK, ERROR
	Depth                int
	Offset, Duration     time.Duration
}

// FetchSpans reads the spans of traceID from an SLS Trace logstore
// (`{instance}-traces`).
func FetchSpans(c sls.ClientInterface, project, logstore, traceID string, from, to time.Time) ([]map[string]string, error) {
	if err := CheckTraceID(traceID); err != nil {
		return nil, err
	}
	return fetchAll(c, project, logstore, slstrace.FieldTraceID+": "+traceID, from, to)
}

// Waterfall lays out spans stored with SLS Trace's field names: each
// span under its parent, siblings by start time. A span whose parent is
// not in the trace (the caller's, or one not exported) is a root.
func Waterfall(rows []map[string]string) []SpanRow {
	type node struct {
		row        SpanRow
		start, end time.Time
		children   []*node
	}
	byID := map[string]*node{}
	var all []*node
	for _, r := range rows {
		start, ok1 := slstrace.TimeFromMicros(r[slstrace.FieldStart])
		end, ok2 := slstrace.TimeFromMicros(r[slstrace.FieldEnd])
		if !ok1 || !ok2 || r[slstrace.FieldSpanID] == "" || byID[r[slstrace.FieldSpanID]] != nil {
			continue // malformed, or a span exported twice (a retried export)
		}
		// Whatever SLS returns is shown escaped (it is anyone's OTLP input).
		n := &node{start: start, end: end, row: SpanRow{SpanID: text.Escape(r[slstrace.FieldSpanID]), ParentSpanID: text.Escape(r[slstrace.FieldParentSpanID]),
			Name: text.Escape(r[slstrace.FieldName]), Kind: text.Escape(r[slstrace.FieldKind]),
			Service: text.Escape(r[slstrace.FieldService]), Status: text.Escape(r[slstrace.FieldStatusCode])}}
		byID[n.row.SpanID] = n
		all = append(all, n)
	}
	if len(all) == 0 {
		return nil
	}
	var roots []*node
	first := all[0].start
	for _, n := range all {
		if n.start.Before(first) {
			first = n.start
		}
		if p := byID[n.row.ParentSpanID]; p != nil && p != n {
			p.children = append(p.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	byStart := func(ns []*node) {
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].start.Before(ns[j].start) })
	}
	var out []SpanRow
	var walk func(ns []*node, depth int)
	walk = func(ns []*node, depth int) {
		byStart(ns)
		for _, n := range ns {
			n.row.Depth, n.row.Offset, n.row.Duration = depth, n.start.Sub(first), n.end.Sub(n.start)
			out = append(out, n.row)
			walk(n.children, depth+1)
		}
	}
	walk(roots, 0)
	return out
}

// End is where the span ends on the trace's axis: Offset+Duration, or
// Offset when the span ends before it starts. Span times are anyone's OTLP
// input, so both can be near the limits of time.Duration: the sum
// saturates instead of wrapping round to a negative.
func (s SpanRow) End() time.Duration {
	if s.Duration <= 0 {
		return s.Offset
	}
	if s.Offset > math.MaxInt64-s.Duration {
		return math.MaxInt64
	}
	return s.Offset + s.Duration
}

// Extent is the length of the waterfall's time axis: the latest End.
func Extent(spans []SpanRow) time.Duration {
	var total time.Duration
	for _, s := range spans {
		total = max(total, s.End())
	}
	return total
}

// Scale places d on an axis of n units standing for total, in [0, n].
// It divides in floating point, so no product of two durations overflows
// however far apart the spans are, and clamps what lies off the axis.
func Scale(d, total time.Duration, n int) int {
	if total <= 0 || d <= 0 {
		return 0
	}
	if d >= total {
		return n
	}
	return min(int(float64(n)*(float64(d)/float64(total))), n)
}

// RenderWaterfall prints spans as an indented list with bars on one time
// axis, the way trace viewers draw them.
func RenderWaterfall(w io.Writer, traceID string, rows []map[string]string) {
	spans := Waterfall(rows)
	if len(spans) == 0 {
		fmt.Fprintf(w, "trace %s: no spans found (is OTLP export on? see docs/tracing.md)\n", traceID)
		return
	}
	total := Extent(spans)
	const width = 40
	fmt.Fprintf(w, "trace %s  (%d spans, %s)\n", traceID, len(spans), fmtDur(total))
	for _, s := range spans {
		from, to := Scale(s.Offset, total, width), Scale(s.End(), total, width)
		to = min(max(to, from+1), width)
		from = min(from, to-1)
		bar := strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", width-to)
		name := indent(s.Depth) + s.Name
		status := ""
		if s.Status == "ERROR" {
			status = "  ERROR"
		}
		fmt.Fprintf(w, "  %-30s %-8s %-9s +%-9s %9s |%s|%s\n", name, s.Service, s.Kind, fmtDur(s.Offset), fmtDur(s.Duration), bar, status)
	}
}

// maxIndent is the deepest nesting drawn as indentation. Spans are
// anyone's OTLP input: a chain of n nested spans indented two spaces per
// level would print n² bytes (gigabytes for 100,000); past this depth a
// span shows its depth as a number instead.
const maxIndent = 16

func indent(depth int) string {
	if depth <= maxIndent {
		return strings.Repeat("  ", depth)
	}
	return strings.Repeat("  ", maxIndent) + "[" + strconv.Itoa(depth) + "] "
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}
