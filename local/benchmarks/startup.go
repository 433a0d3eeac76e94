package benchmarks

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"smsflow/local/fcrt"
	"smsflow/local/stack"
)

func init() {
	Register(Section{Name: "start-up: process start to first `next` poll", Order: 40, Run: startup})
}

// goalStartupRatio is issue 10's goal: send's start-up at most this many
// times a hello-world go1 function's.
const goalStartupRatio = 1.5

const startsPerRound = 7

// startup starts fresh instances of a hello-world function
// (local/benchmarks/hello), of the floor (local/benchmarks/floor: hello-world
// linking the four SDKs of the design card) and of send, all built here with
// the same flags, alternately, and reads when each first polled the FC
// emulator's runtime API. The ratios cancel what all pay (exec, the Go
// runtime, the fc SDK, this machine's load): send / hello-world is issue
// 10's goal; floor / hello-world is the part the design's SDKs fix, and
// send / floor what smsflow's own code adds.
func startup(ctx context.Context, b *Bench) error {
	st, err := b.Stack(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "smsflow-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	send := st.SendFunction
	send.Output, send.Logger = io.Discard, slog.New(slog.DiscardHandler)
	hello, err := benchFunction(ctx, dir, "hello", send)
	if err != nil {
		return err
	}
	floor, err := benchFunction(ctx, dir, "floor", send)
	if err != nil {
		return err
	}
	fns := []fcrt.Function{hello, floor, send}
	for _, fn := range fns { // warm the page cache for each
		if _, err := startOnce(ctx, fn); err != nil {
			return err
		}
	}
	var startMs [3][]float64
	var sendRatio, floorRatio, addedRatio []float64
	for r := 0; r < b.Rounds; r++ {
		var round [3]Samples
		for i := 0; i < startsPerRound; i++ {
			for k, fn := range fns { // alternating: drift in load hits all three alike
				d, err := startOnce(ctx, fn)
				if err != nil {
					return err
				}
				round[k] = append(round[k], d)
			}
		}
		var med [3]float64
		for k := range fns {
			med[k] = ms(round[k].Quantile(0.5))
			startMs[k] = append(startMs[k], med[k])
		}
		sendRatio = append(sendRatio, med[2]/med[0])
		floorRatio = append(floorRatio, med[1]/med[0])
		addedRatio = append(addedRatio, med[2]/med[1])
	}
	var inits [3]map[string]float64
	for k, fn := range fns {
		if inits[k], err = initCost(ctx, fn.Binary, b.Rounds); err != nil {
			return err
		}
	}
	rs := SpreadOf(sendRatio)
	fmt.Fprintf(b.Out, "  %d starts of each per round, alternating; a round's figure is its median start\n", startsPerRound)
	fmt.Fprintf(b.Out, "  hello-world go1 function    %s\n", SpreadOf(startMs[0]).Format("%.1f", "ms"))
	fmt.Fprintf(b.Out, "  floor (+ the 4 SDKs)        %s\n", SpreadOf(startMs[1]).Format("%.1f", "ms"))
	fmt.Fprintf(b.Out, "  send                        %s\n", SpreadOf(startMs[2]).Format("%.1f", "ms"))
	fmt.Fprintf(b.Out, "  send / hello-world          %-30s goal ≤ %gx  %s\n", rs.Format("%.2f", "x"), goalStartupRatio,
		b.Goal("start-up send / hello-world", rs.Median <= goalStartupRatio, fmt.Sprintf("%s, goal ≤ %gx", rs.Format("%.2f", "x"), goalStartupRatio)))
	fmt.Fprintf(b.Out, "      floor / hello-world     %-30s (what the four SDKs cost before any smsflow code)\n", SpreadOf(floorRatio).Format("%.2f", "x"))
	fmt.Fprintf(b.Out, "      send / floor            %-30s (what smsflow adds)\n", SpreadOf(addedRatio).Format("%.2f", "x"))
	fmt.Fprintf(b.Out, "  package init before main (GODEBUG=inittrace=1, least of %d runs per package): hello-world %.2f ms in %d packages, floor %.2f ms in %d, send %.2f ms in %d\n",
		b.Rounds, sumInit(inits[0]), len(inits[0]), sumInit(inits[1]), len(inits[1]), sumInit(inits[2]), len(inits[2]))
	fmt.Fprintf(b.Out, "  send's costliest (ms): %s\n", topInit(inits[2], 6))
	fmt.Fprintf(b.Out, "  send's beyond the floor (ms): %s\n", topInit(beyond(inits[2], inits[1]), 6))
	return nil
}

// benchFunction builds local/benchmarks/<name> here, with the same flags
// as send, and runs it as the FC emulator runs send.
func benchFunction(ctx context.Context, dir, name string, like fcrt.Function) (fcrt.Function, error) {
	bin, err := stack.BuildPackage(ctx, dir, name, "./local/benchmarks/"+name)
	if err != nil {
		return fcrt.Function{}, err
	}
	return fcrt.Function{Name: name, Binary: bin, Timeout: 10 * time.Second, Output: io.Discard,
		Logger: slog.New(slog.DiscardHandler), Region: like.Region, AccountID: like.AccountID}, nil
}

// beyond is the init cost of the packages in m that base does not have.
func beyond(m, base map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if _, ok := base[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func startOnce(ctx context.Context, fn fcrt.Function) (time.Duration, error) {
	inst, err := fcrt.Start(ctx, fn)
	if err != nil {
		return 0, fmt.Errorf("starting %s: %w", fn.Name, err)
	}
	defer inst.Kill()
	d := inst.Timing().StartupLatency()
	if d <= 0 {
		return 0, fmt.Errorf("%s never polled the runtime API", fn.Name)
	}
	return d, nil
}
