package alert

import (
	"testing"
	"time"
)

func TestSilenceMatching(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	cfg := &Config{Silences: []Silence{
		{Rule: "r", Matcher: map[string]string{"template_code": "SMS_1"}, Start: start, End: start.Add(time.Hour)},
		{Rule: "all", Start: start, End: start.Add(time.Hour)},
	}}
	g1, g2 := map[string]string{"template_code": "SMS_1"}, map[string]string{"template_code": "SMS_2"}
	for _, c := range []struct {
		rule  string
		group map[string]string
		at    time.Time
		want  bool
	}{
		{"r", g1, start, true},
		{"r", g1, start.Add(59 * time.Minute), true},
		{"r", g1, start.Add(time.Hour), false}, // end is exclusive
		{"r", g1, start.Add(-time.Second), false},
		{"r", g2, start, false},
		{"other", g1, start, false},
		{"all", g2, start, true},
		{"all", nil, start, true},
	} {
		if got := cfg.silenced(c.rule, c.group, c.at); got != c.want {
			t.Errorf("silenced(%s, %v, %s) = %v", c.rule, c.group, c.at.Format(time.TimeOnly), got)
		}
	}
}
