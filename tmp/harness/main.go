package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"smsflow/local/fcrt"
)

func main() {
	ctx := context.Background()
	names := os.Args[1:]
	res := map[string][]time.Duration{}
	for r := 0; r < 15; r++ {
		for _, b := range names {
			fn := fcrt.Function{Name: "x", Binary: b, Timeout: 10 * time.Second, Output: io.Discard, Logger: slog.New(slog.DiscardHandler),
				Env: map[string]string{"SMSFLOW_API_TOKEN_SHA256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", "SMSFLOW_PHONE_HASH_KEY": "k"}}
			inst, err := fcrt.Start(ctx, fn)
			if err != nil {
				panic(err)
			}
			res[b] = append(res[b], inst.Timing().StartupLatency())
			inst.Kill()
		}
	}
	for _, b := range names {
		d := res[b]
		slices.Sort(d)
		fmt.Printf("%-30s min %v p25 %v med %v\n", b, d[0], d[len(d)/4], d[len(d)/2])
	}
}
