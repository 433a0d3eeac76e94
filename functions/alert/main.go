// Command alert is the timer-triggered function: each run evaluates the
// alert rules over the events in SLS and notifies on-call people. All of it
// lives in shared/alert; this file only wires.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"smsflow/shared/alert/alertfn"
	"smsflow/shared/runtimefit"
)

func main() {
	runtimefit.Init("alert", os.Getenv, os.Stderr)
	h, err := alertfn.FromEnv(os.Stdout)
	if err != nil {
		// A bad rule file or setting must not half-run: fail every cold
		// start, with the rule (or variable) and the field named.
		fmt.Fprintln(os.Stderr, "alert: refusing to start:", err)
		os.Exit(1)
	}
	fc.Start(h.Handle)
}
