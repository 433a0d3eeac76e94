package benchmarks

import (
	"context"
	"fmt"
	"time"
)

func init() {
	Register(Section{Name: "send through the FC emulator: end to end", Order: 20, Run: throughFC})
}

// throughFC sends the same request as the in-process section through the
// FC emulator: HTTP trigger, runtime API, the built send binary, SendSms and
// SLS shipping, with the bare SDK call interleaved as reference. The
// difference includes the emulator's own hops, so it is not our code's cost
// (the in-process section is); it is what a caller of the local stack sees.
func throughFC(ctx context.Context, b *Bench) error {
	st, err := b.Stack(ctx)
	if err != nil {
		return err
	}
	bare, err := bareClient(st.DysmsAddr)
	if err != nil {
		return err
	}
	one := func() (fc, bareT time.Duration, err error) {
		i := next()
		start := time.Now()
		if err := bareSend(bare, i); err != nil {
			return 0, 0, err
		}
		mid := time.Now()
		if err := gatewaySend(st.GatewayURL, i); err != nil {
			return 0, 0, err
		}
		return time.Since(mid), mid.Sub(start), nil
	}
	for i := 0; i < warmRequests; i++ {
		if _, _, err := one(); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
	}
	var fc, bareL Latency
	for r := 0; r < b.Rounds; r++ {
		var sf, sb Samples
		for i := 0; i < roundRequests; i++ {
			f, bt, err := one()
			if err != nil {
				return fmt.Errorf("round %d request %d: %w", r+1, i, err)
			}
			sf, sb = append(sf, f), append(sb, bt)
		}
		fc.Add(sf)
		bareL.Add(sb)
	}
	fmt.Fprintf(b.Out, "  %d requests per round over HTTP to the emulated trigger\n", roundRequests)
	b.LatencyHeader("")
	b.LatencyRow("through the FC emulator (end to end)", fc, 0)
	b.LatencyRow("bare SDK SendSms, same emulator", bareL, 0)
	return nil
}
