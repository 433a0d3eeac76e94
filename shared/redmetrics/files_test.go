package redmetrics

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"smsflow/shared/dashboard"
)

var update = flag.Bool("update", false, "rewrite monitoring/ from the code")

// The checked-in Grafana dashboard and Prometheus rule file are what the
// code generates (go test ./shared/redmetrics -update rewrites them):
// nobody edits them by hand.
func TestMonitoringFilesAreGenerated(t *testing.T) {
	dash, err := GrafanaDashboard()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := RulesYAML()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"../../monitoring/grafana-dashboard.json": append(dash, '\n'),
		"../../monitoring/prometheus-rules.yml":   rules,
	} {
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the code generates (%v): go test ./shared/redmetrics -update", path, err)
		}
	}
}

// Every chart of the SLS dashboard has its Grafana panel, in the same
// order, and no label can carry a free-form value.
func TestPanelsMirrorTheSLSDashboardAndLabelsAreBounded(t *testing.T) {
	var charts, panels []string
	for _, c := range dashboard.Charts() {
		charts = append(charts, c.ID)
	}
	for _, p := range Panels() {
		panels = append(panels, p.ID)
	}
	if strings.Join(charts, " ") != strings.Join(panels, " ") {
		t.Errorf("SLS dashboard charts %v, Grafana panels %v", charts, panels)
	}
	for _, v := range []string{"13800138000 x", "a b", "", "<script>"} {
		if got := label(v, "none"); got != "none" && got != "other" {
			t.Errorf("label(%q) = %q", v, got)
		}
	}
	samples := []Sample{}
	for i := 0; i < 3*MaxValuesPerLabel; i++ {
		samples = append(samples, Sample{Name: Messages, Value: float64(i), Labels: map[string]string{"template": "T" + string(rune('A'+i%26)) + string(rune('A'+i/26))}})
	}
	bounded := BoundLabels(samples, MaxValuesPerLabel)
	var total float64
	for _, s := range bounded {
		total += s.Value
	}
	if len(bounded) != MaxValuesPerLabel || total != float64(3*MaxValuesPerLabel*(3*MaxValuesPerLabel-1)/2) {
		t.Errorf("%d series, total %v: folding lost counts or kept too many", len(bounded), total)
	}
}
