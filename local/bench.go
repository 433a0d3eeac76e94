package main

import (
	"context"
	"flag"
	"os"
	"runtime/debug"

	"smsflow/local/benchmarks"
)

// bench prints the figures the issues set goals for, all measured in this
// one run on this machine (local/benchmarks; docs/benchmarks.md says how
// to read them).
func bench(args []string) error {
	if len(args) > 0 && args[0] == "worker" {
		return benchmarks.InProcessWorker(args[1:], os.Stdout)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	rounds := fs.Int("rounds", 5, "rounds per figure")
	only := fs.String("only", "", "run only the sections whose name contains this")
	same := fs.Bool("same-process", false, "measure the in-process send path beside the emulators, in this process (default: in a worker process of its own)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// This process hosts the emulators, whose SQLite and HTTP garbage
		// would otherwise be collected while the measured code runs on
		// the other CPU: collect only past 2 GiB (the machine has plenty;
		// a bench run allocates less).
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(2 << 30)
	}
	worker := []string{self, "bench", "worker"}
	if *same {
		worker = nil
	}
	return benchmarks.Run(context.Background(), os.Stdout, benchmarks.Options{Rounds: *rounds, Only: *only,
		Worker: worker})
}
