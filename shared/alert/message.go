package alert

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"smsflow/shared/alert/notify"
)

// notice is what render needs to describe one alert to one channel.
type notice struct {
	rule      Rule
	key       Key
	state     State
	kind      NoticeKind
	id        string
	windowEnd time.Time
}

// render builds the message: what fired, the value against the threshold,
// the window, the group, the severity, and how to look (query, example
// trace). A resolved message says how long the alert fired.
func render(n notice) notify.Message {
	r, s := n.rule, n.state
	status := "firing"
	if n.kind == NoticeResolved {
		status = "resolved"
	}
	m := notify.Message{
		ID: n.id, Status: status, Kind: string(n.kind), Rule: r.Name, Severity: r.Severity,
		Group: s.Group, Value: formatValue(s.Value, r.Unit), Comparison: r.Comparison,
		Window: formatDuration(r.Window), Samples: s.Samples, Query: r.CompiledQuery(),
		ExampleTraceID: s.Example, FiredAt: s.FiredAt, Labels: r.Labels,
	}
	if s.NoData {
		m.Value = "no data"
	}
	if r.Threshold != nil {
		m.Threshold = formatValue(*r.Threshold, r.Unit)
	}
	if n.kind == NoticeResolved {
		m.ResolvedAt = s.ResolvedAt
		m.FiredFor = formatDuration(s.ResolvedAt.Sub(s.FiredAt))
	}
	m.Vars = map[string]string{
		"rule": r.Name, "severity": r.Severity, "status": status, "value": m.Value,
		"threshold": m.Threshold, "comparison": r.Comparison, "window": m.Window,
		"samples": strconv.FormatInt(s.Samples, 10), "group": n.key.Group,
		"example_trace_id": literal(s.Example), "fired_for": m.FiredFor,
	}
	// Group values and the example come from the logstore: they enter the
	// texts escaped, never as markup (see literal).
	for k, v := range s.Group {
		m.Vars[k] = literal(v)
	}
	if len(r.Annotations) > 0 {
		m.Annotations = make(map[string]string, len(r.Annotations))
		for k, text := range r.Annotations {
			m.Annotations[k] = notify.Expand(text, m.Vars)
		}
	}
	m.Title = title(m, n.key)
	m.Text = body(m, n, false)
	m.Markdown = body(m, n, true)
	return m
}

func title(m notify.Message, k Key) string {
	t := fmt.Sprintf("[%s %s] %s", strings.ToUpper(m.Status), m.Severity, m.Rule)
	if k.Group != "" {
		t += " {" + k.Group + "}"
	}
	return t
}

// body is the plain text, or markdown for the robots that render it.
func body(m notify.Message, n notice, markdown bool) string {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		if markdown {
			fmt.Fprintf(&b, "- **%s**: %s\n", label, fmt.Sprintf(format, args...))
		} else {
			fmt.Fprintf(&b, "%s: %s\n", label, fmt.Sprintf(format, args...))
		}
	}
	if markdown {
		fmt.Fprintf(&b, "### %s\n\n", m.Title)
	}
	if s := m.Annotations["summary"]; s != "" {
		b.WriteString(s + "\n\n")
	}
	end := n.windowEnd.UTC().Format("15:04:05 MST")
	switch m.Status {
	case "resolved":
		line("Resolved", "after firing for %s (since %s)", m.FiredFor, m.FiredAt.UTC().Format(time.RFC3339))
		line("Last value", "%s (threshold %s %s) over the %s window ending %s, %d samples",
			m.Value, m.Comparison, m.Threshold, m.Window, end, m.Samples)
	default:
		line("Value", "%s %s threshold %s over the %s window ending %s, %d samples",
			m.Value, m.Comparison, m.Threshold, m.Window, end, m.Samples)
		line("Firing since", "%s", m.FiredAt.UTC().Format(time.RFC3339))
	}
	line("Severity", "%s", m.Severity)
	if n.key.Group != "" {
		line("Group", "%s", n.key.Group)
	}
	if m.ExampleTraceID != "" {
		line("Example trace", "%s", literal(m.ExampleTraceID))
	}
	for _, k := range slices.Sorted(maps.Keys(m.Annotations)) {
		if k != "summary" {
			line(k, "%s", m.Annotations[k])
		}
	}
	if markdown {
		fmt.Fprintf(&b, "\nSLS query:\n\n```\n%s\n```\n", m.Query)
	} else {
		fmt.Fprintf(&b, "SLS query: %s\n", m.Query)
	}
	return b.String()
}

// formatValue prints a value in the rule's unit: ratios as percents.
func formatValue(v float64, unit string) string {
	switch unit {
	case UnitRatio:
		return strconv.FormatFloat(math.Round(v*10000)/100, 'f', -1, 64) + "%"
	case UnitMillis:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	default:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
}

// formatDuration drops Go's trailing zero units: 5m, 1h30m, 45s.
func formatDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
