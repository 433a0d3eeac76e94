// Package tracecmd is the trace command: one message's timeline (or its
// span waterfall) read from SLS and printed. `smsflow trace` runs it
// against Alibaba Cloud, `go run ./local trace` against the local stack;
// they differ only in their defaults and in where credentials come from.
package tracecmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/cliflag"
	"smsflow/shared/slsclient"
	"smsflow/shared/text"
	"smsflow/shared/timeline"
)

// Defaults are the flags' defaults.
type Defaults struct {
	// Endpoint is the SLS endpoint, host[:port], no scheme.
	Endpoint, Project, Logstore string
	// Traces is the SLS Trace logstore ({instance}-traces) for -spans.
	Traces string
}

// Credentials answers the provider to sign with for endpoint.
type Credentials func(endpoint string) (sls.CredentialsProvider, error)

// Run parses args (flags before or after the trace id; "--" ends them) and
// prints the trace on out.
func Run(name string, args []string, out io.Writer, d Defaults, creds Credentials) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	endpoint := fs.String("endpoint", d.Endpoint, "SLS endpoint (host[:port])")
	project := fs.String("project", d.Project, "SLS project")
	logstore := fs.String("logstore", d.Logstore, "SLS logstore of the sms.* events")
	since := fs.Duration("since", 24*time.Hour, "how far back to look")
	receiptWait := fs.Duration("receipt-wait", timeline.DefaultReceiptWait, "flag an accepted message without a receipt after this long")
	spans := fs.Bool("spans", false, "print the span waterfall from the SLS Trace logstore (-traces) instead of the events' timeline")
	traces := fs.String("traces", d.Traces, "SLS Trace logstore ({instance}-traces) for -spans")
	ids, err := ParseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return fmt.Errorf("usage: %s <trace_id> [-endpoint host] [-project p] [-logstore l] [-since 24h] [-receipt-wait 5m] [-spans [-traces l]] (flags before or after the id)", name)
	}
	if err := timeline.CheckTraceID(ids[0]); err != nil {
		return err
	}
	if err := cliflag.Positive("-since", *since); err != nil {
		return err
	}
	if err := cliflag.Positive("-receipt-wait", *receiptWait); err != nil {
		return err
	}
	store, storeFlag := *logstore, "-logstore"
	if *spans {
		store, storeFlag = *traces, "-traces"
	}
	if *endpoint == "" || *project == "" || store == "" {
		return fmt.Errorf("%s needs -endpoint, -project and %s (or the SMSFLOW_SLS_* variables they default to)", name, storeFlag)
	}
	provider, err := creds(*endpoint)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	client := slsclient.New(*endpoint, provider, 10*time.Second)
	traceID, now := ids[0], time.Now()
	if *spans {
		rows, err := timeline.FetchSpans(client, *project, store, traceID, now.Add(-*since), now.Add(time.Minute))
		if err != nil {
			return escaped(err)
		}
		timeline.RenderWaterfall(out, traceID, rows)
		return nil
	}
	rows, err := timeline.Fetch(client, *project, store, traceID, now.Add(-*since), now.Add(time.Minute))
	if err != nil {
		return escaped(err)
	}
	timeline.RenderMessage(out, traceID, rows, timeline.Options{Now: now, ReceiptWait: *receiptWait})
	return nil
}

// escaped puts an SLS error on one line and keeps what it quotes from the
// server off the terminal as raw bytes.
func escaped(err error) error { return errors.New(text.Escape(slsclient.Describe(err))) }

// ParseInterleaved parses flags wherever they stand among the arguments
// (the flag package stops at the first non-flag): users paste the trace id
// first and add -receipt-wait after it. "--" ends the flags. Errors never
// repeat an argument (cliflag.Parse).
func ParseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := cliflag.Parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
