package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"smsflow/local/drill"
)

// drillCmd runs the failure drills and prints the scorecard; it fails
// when a scenario fails.
func drillCmd(args []string) error {
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the scorecard as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./local drill [-json] [scenario...]\nscenarios, in order: %s\n", strings.Join(drill.Names(), " "))
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	card, err := drill.Run(ctx, fs.Args(), drill.Options{Progress: func(f string, a ...any) {
		fmt.Fprintf(os.Stderr, "drill: "+f+"\n", a...)
	}})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(card); err != nil {
			return err
		}
	} else {
		card.WriteTable(os.Stdout)
	}
	if !card.Pass {
		return fmt.Errorf("drill failed")
	}
	return nil
}
