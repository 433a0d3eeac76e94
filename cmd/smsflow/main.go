// Command smsflow is the operator's tool. `smsflow release` starts,
// watches and aborts a canary release of a function behind an FC alias;
// the alert function's timer advances, promotes or rolls it back on its
// own (docs/release.md).
package main

import (
	"fmt"
	"os"
)

const usage = `usage: smsflow release <start|status|watch|step|abort> [flags]

  start -version N     give version N the first canary step on the alias
  status               the alias, the canary and both versions' figures now
  watch                status every -every until no canary is left
  step                 one controller run, as the alert timer makes it
  abort [-reason R]    roll the canary back now (weight 0)

Run "smsflow release <command> -h" for the flags (FC and SLS endpoints,
function, alias, policy).`

func main() {
	if len(os.Args) < 3 || os.Args[1] != "release" {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := runRelease(os.Args[2], os.Args[3:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "smsflow:", err)
		os.Exit(1)
	}
}
