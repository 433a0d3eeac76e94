package benchmarks

import (
	"context"
	"fmt"
	"testing"
)

func init() {
	Register(Section{Name: "one sms.result event: smsflow's slog handler against zap", Order: 30, Run: eventCost})
}

// Goals of issue 10 for one logged event.
const (
	goalSlogOverZap = 1.5
	goalSlogAllocs  = 1
)

// eventCost runs the SlogEvent and ZapEvent benchmarks alternately, once
// per round, and compares each round's pair, so drift in load hits both.
func eventCost(_ context.Context, b *Bench) error {
	var slogNs, zapNs, ratio, allocs, bytes []float64
	for r := 0; r < b.Rounds; r++ {
		s := testing.Benchmark(SlogEvent)
		z := testing.Benchmark(ZapEvent)
		if s.N == 0 || z.N == 0 {
			return fmt.Errorf("a logging benchmark failed (round %d)", r+1)
		}
		slogNs, zapNs = append(slogNs, float64(s.NsPerOp())), append(zapNs, float64(z.NsPerOp()))
		ratio = append(ratio, float64(s.NsPerOp())/float64(z.NsPerOp()))
		// Not AllocsPerOp: it truncates, and 1.9 allocations are not 1.
		allocs = append(allocs, float64(s.MemAllocs)/float64(s.N))
		bytes = append(bytes, float64(s.AllocedBytesPerOp()))
	}
	rs, as := SpreadOf(ratio), SpreadOf(allocs)
	fmt.Fprintf(b.Out, "  smsflow slog handler       %s   %s   %s\n", SpreadOf(slogNs).Format("%.0f", "ns/event"),
		as.Format("%.2f", "allocs"), SpreadOf(bytes).Format("%.0f", "B"))
	fmt.Fprintf(b.Out, "  go.uber.org/zap            %s\n", SpreadOf(zapNs).Format("%.0f", "ns/event"))
	fmt.Fprintf(b.Out, "  slog / zap per event       %-34s goal ≤ %gx  %s\n", rs.Format("%.2f", "x"), goalSlogOverZap,
		b.Goal("slog event / zap event", rs.Median <= goalSlogOverZap, fmt.Sprintf("%s, goal ≤ %gx", rs.Format("%.2f", "x"), goalSlogOverZap)))
	fmt.Fprintf(b.Out, "  allocations per slog event %-34s goal ≤ %d   %s\n", as.Format("%.2f", ""), goalSlogAllocs,
		b.CountGoal("allocations per slog event", as.Max <= goalSlogAllocs, fmt.Sprintf("%s, goal ≤ %d (every round)", as.Format("%.2f", ""), goalSlogAllocs)))
	return nil
}
