// Command smsflow is the operator's tool, pointed at Alibaba Cloud (or at
// the local stack's emulators):
//
//	smsflow release …     a canary release of a function behind an FC alias;
//	                      the alert function's timer advances, promotes or
//	                      rolls it back on its own (docs/release.md)
//	smsflow trace <id>    one message's timeline from SLS (docs/operations.md)
//	smsflow provision     the logstore's index and the SLS dashboard, created
//	                      or repaired idempotently (make provision)
package main

import (
	"errors"
	"fmt"
	"os"

	"smsflow/shared/slsclient"
	"smsflow/shared/text"
)

const usage = `usage: smsflow <command> [flags]

  release <start|status|watch|step|abort>   a canary release behind an FC alias
  trace <trace_id>                          one message's timeline from SLS
  provision                                 create or repair the logstore index and the dashboard

release:
  start -version N     give version N the first canary step on the alias
  status               the alias, the canary and both versions' figures now
  watch [-every 5s]    status every -every (at least 1s) until no canary is left
  step                 one controller run, as the alert timer makes it
  abort [-reason R]    roll the canary back now (weight 0)

Run "smsflow <command> -h" (or "smsflow release <command> -h") for the
flags. Endpoints, project and logstore default to SMSFLOW_SLS_ENDPOINT,
SMSFLOW_SLS_PROJECT and SMSFLOW_SLS_LOGSTORE; credentials come from the
credentials-go default chain, and a long-lived AccessKey is refused except
against the local stack.`

// errUsage is a command line no command matches.
var errUsage = errors.New("usage")

func main() {
	err := dispatch(os.Args[1:])
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "smsflow:", errorText(err))
		os.Exit(1)
	}
}

// errorText is err for the terminal: SLS errors on one line, and no raw
// server bytes (an SLS or FC answer quoted in the error).
func errorText(err error) string {
	return text.Escape(slsclient.Describe(err))
}

func dispatch(args []string) error {
	switch {
	case len(args) >= 2 && args[0] == "release":
		return runRelease(args[1], args[2:], os.Stdout)
	case len(args) >= 1 && args[0] == "trace":
		return runTrace(args[1:], os.Stdout)
	case len(args) >= 1 && args[0] == "provision":
		return runProvision(args[1:], os.Stdout)
	}
	return errUsage
}
