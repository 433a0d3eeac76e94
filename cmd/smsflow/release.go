package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"smsflow/shared/alert/slsstate"
	"smsflow/shared/cliflag"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/release"
	"smsflow/shared/text"
)

// releaseFlags are what every release command takes. Defaults come from
// SMSFLOW_* variables, so a shell set up once needs no flags.
type releaseFlags struct {
	fcEndpoint, slsEndpoint, project, logstore string
	function, alias, policy                    string
	allowLongLived                             bool
	jsonOut                                    bool
}

func (f *releaseFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.fcEndpoint, "fc-endpoint", os.Getenv("SMSFLOW_RELEASE_FC_ENDPOINT"),
		"FC control API: host[:port] (HTTPS) or http://host:port (the local emulator: http://127.0.0.1:9700)")
	fs.StringVar(&f.slsEndpoint, "sls-endpoint", os.Getenv("SMSFLOW_SLS_ENDPOINT"), "SLS endpoint host[:port] (local: 127.0.0.1:9200)")
	fs.StringVar(&f.project, "project", os.Getenv("SMSFLOW_SLS_PROJECT"), "SLS project of the sms.* events")
	fs.StringVar(&f.logstore, "logstore", os.Getenv("SMSFLOW_SLS_LOGSTORE"), "SLS logstore of the sms.* events")
	fs.StringVar(&f.function, "function", envOr("SMSFLOW_RELEASE_FUNCTION", "send"), "released function")
	fs.StringVar(&f.alias, "alias", envOr("SMSFLOW_RELEASE_ALIAS", "prod"), "alias its triggers invoke")
	fs.StringVar(&f.policy, "policy", os.Getenv("SMSFLOW_RELEASE_POLICY"), "release policy (must match the alert function's)")
	fs.BoolVar(&f.allowLongLived, "allow-long-lived-key", os.Getenv("SMSFLOW_ALLOW_LONG_LIVED_KEY") == "true",
		"accept an AccessKey without STS token: only when both endpoints are loopback (the local stack)")
	fs.BoolVar(&f.jsonOut, "json", false, "print decisions as JSON")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func runRelease(cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("smsflow release "+cmd, flag.ContinueOnError)
	var f releaseFlags
	f.register(fs)
	version := fs.String("version", "", "start: the version to release")
	reason := fs.String("reason", "aborted by an operator", "abort: why (recorded and notified)")
	every := fs.Duration("every", 5*time.Second, "watch: how often (at least 1s)")
	if err := cliflag.Parse(fs, args); err != nil {
		return err
	}
	if *every < minWatchPeriod {
		// 0 or less would be a loop of FC and SLS calls without a pause.
		return fmt.Errorf("-every must be at least %s, got %s", minWatchPeriod, *every)
	}
	c, shipper, err := f.controller()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx = obs.NewBatch(ctx)
	// Decisions the operator makes are events too: shipped before exit.
	defer func() {
		if err := shipper.FlushOrFail(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "smsflow: the decision event did not reach SLS:", errorText(err))
		}
	}()
	var d release.Decision
	switch cmd {
	case "start":
		if *version == "" {
			return errors.New("start needs -version")
		}
		d, err = c.Start(ctx, *version)
	case "status":
		d, err = c.Status(ctx)
	case "step":
		d, err = c.Run(ctx)
	case "abort":
		d, err = c.Abort(ctx, *reason)
	case "watch":
		return watch(ctx, c, *every, out, f.jsonOut)
	default:
		return fmt.Errorf("unknown command %q (start, status, watch, step, abort)", cmd)
	}
	// A decision that moved the alias is shown whatever failed after the
	// update (recording, notifying, an abort's figures), then the failure.
	var after *release.UpdatedError
	if err != nil && !errors.As(err, &after) {
		return err
	}
	return errors.Join(printDecision(out, d, f.jsonOut), err)
}

// minWatchPeriod is the shortest -every: each look is one FC call and
// two SLS queries.
const minWatchPeriod = time.Second

func watch(ctx context.Context, c *release.Controller, every time.Duration, out io.Writer, jsonOut bool) error {
	canary := ""
	for {
		d, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if d.Action == release.ActionIdle && canary != "" && !jsonOut {
			// The timer ended the canary: say how, from its event.
			printEnding(ctx, c, canary, out)
		}
		canary = d.Canary.Version
		if err := printDecision(out, d, jsonOut); err != nil || d.Action == release.ActionIdle {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// printDecision prints d, on one line of text or as JSON. Either way
// what came from FC and SLS (version ids, reasons quoting SLS) reaches
// the terminal escaped.
func printDecision(out io.Writer, d release.Decision, jsonOut bool) error {
	if jsonOut {
		b, err := json.Marshal(d)
		if err == nil {
			_, err = fmt.Fprintf(out, "%s\n", jsonEscape(b))
			return err
		}
		// Not a number JSON can hold: the decision is still shown.
		printLine(out, "%s %s", time.Now().Format(time.TimeOnly), d.Summary())
		return fmt.Errorf("the decision above could not be printed as JSON: %w", err)
	}
	if d.Action == release.ActionIdle {
		return printLine(out, "%s idle: %s:%s on version %s, no canary", time.Now().Format(time.TimeOnly), d.Function, d.Alias, d.Stable.Version)
	}
	return printLine(out, "%s %s", time.Now().Format(time.TimeOnly), d.Summary())
}

// printLine prints one line, escaped for the terminal as text.Escape does
// (main's errors too): nothing that came from FC or SLS acts on it.
func printLine(out io.Writer, format string, args ...any) error {
	_, err := fmt.Fprintln(out, text.Escape(fmt.Sprintf(format, args...)))
	return err
}

// jsonEscape writes, in encoding/json's output, every character
// text.Unfit names as a JSON \u escape: the same value, and nothing a
// terminal would act on (encoding/json leaves DEL, C1 controls and bidi
// overrides raw). Outside strings its output has none.
func jsonEscape(b []byte) []byte {
	s := string(b)
	if _, _, found := text.FirstUnfit(s); !found {
		return b
	}
	var out strings.Builder
	for _, r := range s {
		if !text.Unfit(r) {
			out.WriteRune(r)
			continue
		}
		if hi, lo := utf16.EncodeRune(r); hi != utf8.RuneError {
			fmt.Fprintf(&out, `\u%04x\u%04x`, hi, lo)
		} else {
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return []byte(out.String())
}

// printEnding prints the last promote, rollback or abort of canary that
// SLS holds (nothing when it is not there yet), escaped: every field is
// as SLS answered it.
func printEnding(ctx context.Context, c *release.Controller, canary string, out io.Writer) {
	now := time.Now()
	res, err := c.Querier.Query(ctx, now.Add(-24*time.Hour), now.Add(time.Minute),
		fmt.Sprintf(`event: "%s" and canary_version: "%s" and release_function: "%s" and release_alias: "%s"`,
			release.EventDecision, canary, c.Function, c.Alias))
	if err != nil {
		return
	}
	var last map[string]string
	for _, r := range res.Rows {
		switch r["release_action"] {
		case release.ActionPromote, release.ActionRollback, release.ActionAbort:
			if last == nil || r["time"] > last["time"] {
				last = r
			}
		}
	}
	if last != nil {
		printLine(out, "%s decided at %s: %s version %s (canary %s samples, failures %s, 5xx %s, p99 %s ms; stable %s samples, failures %s); %s",
			time.Now().Format(time.TimeOnly), last["time"], last["release_action"], canary, last["canary_samples"],
			last["canary_failure_rate"], last["canary_5xx_rate"], last["canary_p99_ms"], last["stable_samples"],
			last["stable_failure_rate"], last["reason"])
	}
}

// controller builds the controller the commands drive, with the
// credentials-go default chain (or FC's, when run inside FC).
func (f releaseFlags) controller() (*release.Controller, *obs.Shipper, error) {
	policy, err := release.ParsePolicy(f.policy)
	if err != nil {
		return nil, nil, err
	}
	if f.fcEndpoint == "" {
		return nil, nil, errors.New("no FC endpoint: -fc-endpoint or SMSFLOW_RELEASE_FC_ENDPOINT (local: http://127.0.0.1:9700)")
	}
	if f.slsEndpoint == "" || f.project == "" || f.logstore == "" {
		return nil, nil, errors.New("SLS endpoint, project and logstore are needed (-sls-endpoint, -project, -logstore)")
	}
	fc := release.NewClient(f.fcEndpoint, nil)
	// As trace and provision: a long-lived AccessKey only against the
	// local stack, whatever the flag (or SMSFLOW_ALLOW_LONG_LIVED_KEY left
	// in the shell by the local recipe) says. One source signs both.
	src := creds.NewSource(f.allowLongLived && config.IsLoopback(fc.Endpoint) && config.IsLoopback(f.slsEndpoint))
	fc.Creds = src
	logs := config.Logs{Project: f.project, Logstore: f.logstore, Endpoint: f.slsEndpoint, Timeout: 5 * time.Second}
	shipper := obs.NewShipper(logs, "smsflow-cli", src, io.Discard)
	logger := obs.NewLogger(shipper)
	conn := &slsstate.Conn{Creds: src, Endpoint: f.slsEndpoint, Timeout: 10 * time.Second}
	return &release.Controller{
		FC:       fc,
		Querier:  &slsstate.Querier{Conn: conn, Location: slsstate.Location{Project: f.project, Logstore: f.logstore}},
		Policy:   policy,
		Function: f.function, Alias: f.alias,
		Record: func(ctx context.Context, d release.Decision) {
			// status and watch only look: no event for what they see.
			if d.Acts() {
				release.LogDecision(ctx, logger, d)
			}
		},
	}, shipper, nil
}
