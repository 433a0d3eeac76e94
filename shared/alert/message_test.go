package alert

import (
	"strings"
	"testing"
	"time"
)

func TestRenderFiringAndResolved(t *testing.T) {
	r := tableRule()
	r.Name, r.GroupBy = "sms_template_failure_rate", []string{"template_code"}
	r.Annotations = map[string]string{"summary": "Template ${template_code}: ${value} failed", "runbook": "see SLS"}
	fired := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	s := State{Status: StatusFiring, Group: map[string]string{"template_code": "SMS_1"}, Value: 0.125, Samples: 40,
		Example: "4bf92f3577b34da6a3ce929d0e0e4736", FiredAt: fired}
	k := Key{Rule: r.Name, Group: groupKey(s.Group)}
	m := render(notice{rule: r, key: k, state: s, kind: NoticeFiring, id: "c1/a", windowEnd: fired.Add(-time.Minute)})

	if m.Title != "[FIRING critical] sms_template_failure_rate {template_code=SMS_1}" {
		t.Errorf("title = %q", m.Title)
	}
	wantText := `Template SMS_1: 12.5% failed

Value: 12.5% > threshold 5% over the 5m window ending 09:59:00 UTC, 40 samples
Firing since: 2026-11-27T10:00:00Z
Severity: critical
Group: template_code=SMS_1
Example trace: 4bf92f3577b34da6a3ce929d0e0e4736
runbook: see SLS
SLS query: ` + r.CompiledQuery() + "\n"
	if m.Text != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", m.Text, wantText)
	}
	if !strings.HasPrefix(m.Markdown, "### [FIRING critical]") || !strings.Contains(m.Markdown, "- **Value**: 12.5% > threshold 5%") ||
		!strings.Contains(m.Markdown, "```\n"+r.CompiledQuery()+"\n```") {
		t.Errorf("markdown:\n%s", m.Markdown)
	}

	s.Status, s.ResolvedAt, s.Value = StatusResolved, fired.Add(95*time.Minute), 0.01
	m = render(notice{rule: r, key: k, state: s, kind: NoticeResolved, id: "c2/a", windowEnd: s.ResolvedAt})
	if m.Status != "resolved" || m.FiredFor != "1h35m" || !strings.Contains(m.Text, "Resolved: after firing for 1h35m") ||
		!strings.Contains(m.Text, "Last value: 1% (threshold > 5%)") {
		t.Errorf("resolved:\n%s", m.Text)
	}
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{0.075, UnitRatio, "7.5%"}, {1.0 / 3, UnitRatio, "33.33%"}, {1234.4, UnitMillis, "1234 ms"}, {3, UnitCount, "3"},
	} {
		if got := formatValue(c.v, c.unit); got != c.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}
