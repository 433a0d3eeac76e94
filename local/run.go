package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"smsflow/local/stack"
	"smsflow/local/sts"
)

// run starts the local stack in the foreground until Ctrl-C.
func run(_ []string) error {
	var o stack.Options
	if err := stack.PortsFromEnv(&o); err != nil {
		return err
	}
	// Tencent is the send function's secondary provider (docs/providers.md).
	o.Tencent.Failover = true
	// send's trigger invokes alias prod; versions are released by the
	// alert timer's release controller (docs/release.md).
	o.Release.Enabled = true
	o.StateDir = os.Getenv("SMSFLOW_LOCAL_STATE_DIR")
	if o.StateDir == "" {
		o.StateDir = ".local-state"
	}
	o.BinDir = filepath.Join(o.StateDir, "bin")
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	o.FunctionOutput = os.Stdout
	o.Metrics.Enabled = true // the local MetricStore (docs/metrics.md)
	// The gateway opens once the banner is out: a script polling /healthz
	// and a person reading the banner see the stack ready at once.
	o.DeferReady = true
	if err := os.MkdirAll(o.StateDir, 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintln(os.Stderr, "building functions and starting the local stack ...")
	s, err := stack.Start(ctx, o)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf(`
smsflow local stack is up (state in %s). Ctrl-C stops it.

  send function (FC HTTP trigger)  %s        ready: GET %s/healthz
  Dysmsapi emulator                http://%s  admin: /_emulator/
  SLS emulator                     http://%s  project %s, logstore %s

  local-only AccessKey pair   %s / %s
  bearer token of send        %s

Try it:
  curl -s %s/v1/messages -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"phone_numbers":["13800138000"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"482913"}}'

Then follow it:  go run ./local trace <trace_id from the answer>

`, o.StateDir, s.GatewayURL, s.GatewayURL, s.DysmsAddr, s.SLSAddr, stack.LocalProject, stack.LocalLogstore,
		sts.LocalAccessKeyID, sts.LocalAccessKeySecret, stack.LocalToken, s.GatewayURL, stack.LocalToken)
	for _, line := range s.Banner {
		fmt.Println("  " + line)
	}
	s.MarkReady()
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "\nstopping ...")
	return s.Close()
}
