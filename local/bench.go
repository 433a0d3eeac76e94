package main

import (
	"context"
	"flag"
	"os"

	"smsflow/local/benchmarks"
)

// bench prints the figures the issues set goals for, all measured in this
// one run on this machine (local/benchmarks; docs/benchmarks.md says how
// to read them).
func bench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	rounds := fs.Int("rounds", 5, "rounds per figure")
	only := fs.String("only", "", "run only the sections whose name contains this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return benchmarks.Run(context.Background(), os.Stdout, benchmarks.Options{Rounds: *rounds, Only: *only})
}
