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

const startsPerRound = 3

// startup starts fresh instances of send and of a hello-world function
// (local/benchmarks/hello, built here with the same flags), alternately, and
// reads when each first polled the FC emulator's runtime API. The ratio
// cancels what both pay (exec, the Go runtime, the fc SDK, this machine's
// load) and leaves what send's own init adds.
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
	helloBin, err := stack.BuildPackage(ctx, dir, "hello", "./local/benchmarks/hello")
	if err != nil {
		return err
	}
	send := st.SendFunction
	send.Output, send.Logger = io.Discard, slog.New(slog.DiscardHandler)
	hello := fcrt.Function{Name: "hello", Binary: helloBin, Timeout: 10 * time.Second, Output: io.Discard,
		Logger: slog.New(slog.DiscardHandler), Region: send.Region, AccountID: send.AccountID}
	if _, err := startOnce(ctx, hello); err != nil { // warm the page cache for both
		return err
	}
	if _, err := startOnce(ctx, send); err != nil {
		return err
	}
	var helloMs, sendMs, ratio []float64
	for r := 0; r < b.Rounds; r++ {
		var hs, ss Samples
		for i := 0; i < startsPerRound; i++ {
			h, err := startOnce(ctx, hello)
			if err != nil {
				return err
			}
			s, err := startOnce(ctx, send)
			if err != nil {
				return err
			}
			hs, ss = append(hs, h), append(ss, s)
		}
		h, s := hs.Quantile(0.5), ss.Quantile(0.5)
		helloMs, sendMs, ratio = append(helloMs, ms(h)), append(sendMs, ms(s)), append(ratio, float64(s)/float64(h))
	}
	helloInit, err := initCost(ctx, helloBin, b.Rounds)
	if err != nil {
		return err
	}
	sendInit, err := initCost(ctx, send.Binary, b.Rounds)
	if err != nil {
		return err
	}
	rs := SpreadOf(ratio)
	fmt.Fprintf(b.Out, "  %d starts of each per round, alternating; a round's figure is its median start\n", startsPerRound)
	fmt.Fprintf(b.Out, "  hello-world go1 function    %s\n", SpreadOf(helloMs).Format("%.1f", "ms"))
	fmt.Fprintf(b.Out, "  send                        %s\n", SpreadOf(sendMs).Format("%.1f", "ms"))
	fmt.Fprintf(b.Out, "  send / hello-world          %-30s goal ≤ %gx  %s\n", rs.Format("%.2f", "x"), goalStartupRatio,
		b.Goal("start-up send / hello-world", rs.Median <= goalStartupRatio, fmt.Sprintf("%s, goal ≤ %gx", rs.Format("%.2f", "x"), goalStartupRatio)))
	fmt.Fprintf(b.Out, "  package init before main (GODEBUG=inittrace=1, least of %d runs per package): hello-world %.2f ms in %d packages, send %.2f ms in %d\n",
		b.Rounds, sumInit(helloInit), len(helloInit), sumInit(sendInit), len(sendInit))
	fmt.Fprintf(b.Out, "  send's costliest (ms): %s\n", topInit(sendInit, 6))
	return nil
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
