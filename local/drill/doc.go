// Package drill runs failure drills against a fresh local stack and prints
// a scorecard: for each scenario, a bounded stream of keyed messages, a
// fault injected through the emulators' admin knobs (or by killing a
// process), the fault's removal, and what happened, measured: when the
// alert fired (read from the notification sink), when the service
// accepted messages again, and every message's fate as the Dysmsapi
// emulator saw it (sent, sent twice) and as SLS recorded it.
//
// Time runs Scale times faster than in production: the alert timer ticks
// every second instead of every minute and every window, lag and
// expectation is divided by Scale (docs/operations.md, "Failure drills").
//
// `go run ./local drill [-json] [scenario...]` is the command; `make drill`
// runs every scenario, and this package's test runs a short subset.
package drill
