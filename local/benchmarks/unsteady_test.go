package benchmarks

import (
	"bytes"
	"strings"
	"testing"
)

func rounds(p50, p99 float64) Latency {
	return Latency{P50: []float64{p50, p50, p50}, P99: []float64{p99, p99, p99}}
}

// A run whose floors stalled says so on the goals' own summary lines, the
// part of the output that gets quoted; a steady run adds nothing there.
func TestAnUnsteadyRunSaysSoInTheGoalsSummary(t *testing.T) {
	cases := []struct {
		name              string
		floor, cpu        Latency
		wantOwn, wantShip []string
		absent            string
	}{
		{name: "steady", floor: rounds(0.17, 0.34), cpu: rounds(0.1, 0.18), absent: "unsteady"},
		{name: "loopback stalled", floor: rounds(0.17, 0.70), cpu: rounds(0.1, 0.18),
			wantOwn: []string{"loopback floor's p99 was 4.1x"}, wantShip: []string{"loopback floor's p99 was 4.1x"}},
		{name: "CPU stretched", floor: rounds(0.17, 0.34), cpu: rounds(0.1, 0.35),
			wantOwn: []string{"CPU floor's p99 was 3.5x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &Bench{Out: &bytes.Buffer{}}
			b.LatencyRow(labelOwn, rounds(0.08, 0.2), goalOwnP99)
			b.LatencyRow(labelShip, rounds(0.3, 0.5), goalShipP99)
			b.annotateUnsteady(inProcessResult{Floor: c.floor, CPU: c.cpu})
			text := map[string]string{}
			for _, v := range b.verdicts {
				text[v.label] = v.text
			}
			for label, want := range map[string][]string{labelOwn: c.wantOwn, labelShip: c.wantShip} {
				for _, w := range want {
					if !strings.Contains(text[label], w) {
						t.Errorf("%s: summary %q lacks %q", label, text[label], w)
					}
				}
				if len(want) == 0 && strings.Contains(text[label], "unsteady") {
					t.Errorf("%s: summary %q calls a steady floor unsteady", label, text[label])
				}
			}
			if c.absent != "" && strings.Contains(b.Out.(*bytes.Buffer).String(), "NOTE") {
				t.Errorf("a steady run printed a NOTE:\n%s", b.Out)
			}
		})
	}
}
