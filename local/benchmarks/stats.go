package benchmarks

import (
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Samples are one round's measurements of one figure.
type Samples []time.Duration

// Quantile is the q-quantile (nearest rank) of the samples.
func (s Samples) Quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c[int(q*float64(len(c)-1)+0.5)]
}

// Spread summarises one figure over the rounds: the median of the
// per-round values and their min and max.
type Spread struct{ Median, Min, Max float64 }

// SpreadOf summarises per-round values.
func SpreadOf(v []float64) Spread {
	if len(v) == 0 {
		return Spread{}
	}
	c := slices.Clone(v)
	slices.Sort(c)
	m := c[len(c)/2]
	if len(c)%2 == 0 {
		m = (c[len(c)/2-1] + c[len(c)/2]) / 2
	}
	return Spread{Median: m, Min: c[0], Max: c[len(c)-1]}
}

// Format prints the spread with verb (e.g. "%.3f") and a unit.
func (s Spread) Format(verb, unit string) string {
	return fmt.Sprintf(verb+" %s ["+verb+"–"+verb+"]", s.Median, unit, s.Min, s.Max)
}

// Latency is one latency figure over the rounds: each round's p50 and p99.
type Latency struct{ P50, P99 []float64 } // milliseconds

// Add records one round.
func (l *Latency) Add(s Samples) {
	l.P50 = append(l.P50, ms(s.Quantile(0.50)))
	l.P99 = append(l.P99, ms(s.Quantile(0.99)))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// LatencyHeader is the column heading for LatencyRow.
func (b *Bench) LatencyHeader(what string) {
	fmt.Fprintf(b.Out, "  %-44s %-28s %-28s %s\n", what, "p50 median [min–max]", "p99 median [min–max]", "goal")
}

// LatencyRow prints a latency figure; maxP99 > 0 checks its p99 against a
// goal (in ms) and records the verdict.
func (b *Bench) LatencyRow(label string, l Latency, maxP99 float64) {
	p50, p99 := SpreadOf(l.P50), SpreadOf(l.P99)
	goal := ""
	if maxP99 > 0 {
		text := fmt.Sprintf("p99 %.3f ms [%.3f–%.3f], goal ≤ %g ms", p99.Median, p99.Min, p99.Max, maxP99)
		goal = fmt.Sprintf("p99 ≤ %g ms  %s", maxP99, b.Goal(label, p99.Median <= maxP99, text))
	}
	fmt.Fprintf(b.Out, "  %-44s %-28s %-28s %s\n", label, p50.Format("%.3f", "ms"), p99.Format("%.3f", "ms"), goal)
}

func cpus() string {
	return fmt.Sprintf("%d CPUs, GOMAXPROCS %d, %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
}
