package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/credentials-go/credentials"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/slsclient"
	"smsflow/shared/slstrace"
	"smsflow/shared/text"
	"smsflow/shared/timeline"
)

// traceCmd prints one message's timeline from SLS: the local emulator by
// default, a real endpoint with -endpoint (credentials from the
// credentials-go default chain).
func traceCmd(args []string) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	port := os.Getenv("SMSFLOW_LOCAL_SLS_PORT")
	if port == "" {
		port = fmt.Sprint(stack.DefaultSLSPort)
	}
	endpoint := fs.String("endpoint", "127.0.0.1:"+port, "SLS endpoint (host[:port])")
	project := fs.String("project", stack.LocalProject, "SLS project")
	logstore := fs.String("logstore", stack.LocalLogstore, "SLS logstore")
	since := fs.Duration("since", 24*time.Hour, "how far back to look")
	receiptWait := fs.Duration("receipt-wait", timeline.DefaultReceiptWait, "flag an accepted message without a receipt after this long")
	spans := fs.Bool("spans", false, "print the span waterfall from the SLS Trace logstore (-traces) instead of the events' timeline")
	traces := fs.String("traces", slstrace.Logstore(stack.LocalTraceInstance), "SLS Trace logstore ({instance}-traces) for -spans")
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return fmt.Errorf("usage: trace <trace_id> [-endpoint host] [-project p] [-logstore l] [-since 24h] [-receipt-wait 5m] [-spans [-traces l]] (flags before or after the id)")
	}
	traceID := ids[0]
	provider := &slsclient.Live{}
	if config.IsLoopback(*endpoint) {
		provider.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	} else {
		cred, err := credentials.NewCredential(nil)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		m, err := cred.GetCredential()
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		provider.Set(sls.Credentials{AccessKeyID: *m.AccessKeyId, AccessKeySecret: *m.AccessKeySecret, SecurityToken: deref(m.SecurityToken)})
	}
	client := slsclient.New(*endpoint, provider, 10*time.Second)
	now := time.Now()
	if *spans {
		rows, err := timeline.FetchSpans(client, *project, *traces, traceID, now.Add(-*since), now.Add(time.Minute))
		if err != nil {
			return errors.New(text.Escape(err.Error()))
		}
		timeline.RenderWaterfall(os.Stdout, traceID, rows)
		return nil
	}
	rows, err := timeline.Fetch(client, *project, *logstore, traceID, now.Add(-*since), now.Add(time.Minute))
	if err != nil {
		// An SLS error may quote what the server sent: print it escaped.
		return errors.New(text.Escape(err.Error()))
	}
	timeline.RenderMessage(os.Stdout, traceID, rows, timeline.Options{Now: now, ReceiptWait: *receiptWait})
	return nil
}

// parseInterleaved parses flags wherever they stand among the arguments
// (the flag package stops at the first non-flag): users paste the trace id
// first and add -receipt-wait after it. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
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

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
