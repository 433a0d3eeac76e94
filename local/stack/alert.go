package stack

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"smsflow/local/fcrt"
	"smsflow/local/sink"
	"smsflow/shared/alert"
)

// The alert part of the local contract (docs/alerts.md, "Locally").
const (
	DefaultSinkPort      = 9300
	DefaultAlertInterval = 10 * time.Second
	// LocalStateLogstore keeps the alert.state records apart from the
	// events, as production should (see SMSFLOW_ALERT_STATE_LOGSTORE).
	LocalStateLogstore = "alert-state"
	// Local-only channel secrets, shared by the alert function and the
	// sink so that the sink can verify every signature. Not secret.
	LocalWebhookSecret  = "smsflow-local-webhook-secret"
	LocalDingTalkSecret = "SECsmsflow-local-dingtalk-secret"
	LocalLarkSecret     = "smsflow-local-lark-secret"
	// LocalOncallPhone receives the alert texts (see the Dysmsapi
	// emulator's /_emulator/messages).
	LocalOncallPhone = "13800138000"
)

//go:embed alert_rules_local.yaml
var localRulesTemplate string

// AlertOptions configure the alert function, its timer and the sink.
type AlertOptions struct {
	// Disabled leaves the alert function, timer and sink out.
	Disabled bool
	// Interval is the timer period; 0 = no timer (tests invoke s.Alert
	// themselves, and other tests see no alert traffic). The launcher gets
	// SMSFLOW_LOCAL_ALERT_INTERVAL, default DefaultAlertInterval, through
	// PortsFromEnv.
	Interval time.Duration
	// TimerPayload is the timer trigger's payload (which rules it runs;
	// see docs/alerts.md); "" runs every enabled rule.
	TimerPayload string
	// SinkPort is the webhook sink's port (0 = any free port);
	// PortsFromEnv sets it from SMSFLOW_LOCAL_SINK_PORT.
	SinkPort int
	// RulesYAML replaces the local rule file (defaults with short windows).
	// Either is written next to the function's binary, as make build ships it.
	RulesYAML string
	// Env overrides the alert function's environment.
	Env map[string]string
	// SLSFilter, when set, wraps the SLS emulator as the alert function
	// sees it (tests inject Incomplete answers or failures with it).
	SLSFilter func(http.Handler) http.Handler
}

// AlertParts is what the alert part adds to a running Stack.
type AlertParts struct {
	// Alert is the alert function; invoke it with an events.TimerEvent.
	Alert *fcrt.Pool
	// Sink receives the robot and webhook notifications; SinkURL is its page.
	Sink    *sink.Sink
	SinkURL string
}

func init() {
	register(component{name: "alert function", order: 50, start: startAlert})
}

func startAlert(ctx context.Context, s *Stack, o Options) error {
	ao := o.Alert
	if ao.Disabled {
		return nil
	}
	bin, err := BuildFunction(ctx, o.BinDir, "alert")
	if err != nil {
		return err
	}
	if err := s.startSink(ao.SinkPort); err != nil {
		return err
	}
	slsAddr := s.SLSAddr
	if ao.SLSFilter != nil {
		if slsAddr, err = s.Serve(0, ao.SLSFilter(s.SLS)); err != nil {
			return fmt.Errorf("alert sls filter: %w", err)
		}
	}
	if err := s.SLS.EnsureLogstore(LocalProject, LocalStateLogstore); err != nil {
		return fmt.Errorf("alert state logstore: %w", err)
	}
	if bin, err = s.alertPackage(bin, alertRules(ao)); err != nil {
		return err
	}
	s.Alert = o.pool(s.withTraces(s.alertFunction(o, bin, alertEnv(s, ao, slsAddr))))
	s.OnClose(s.Alert.Stop)
	if err := s.Alert.Warm(ctx); err != nil {
		return fmt.Errorf("starting the alert function: %w", err)
	}
	if ao.Interval > 0 {
		s.startAlertTimer(ao.Interval, ao.TimerPayload)
		s.Banner = append(s.Banner, fmt.Sprintf("alert function                   on a timer every %s (SMSFLOW_LOCAL_ALERT_INTERVAL)", ao.Interval))
	}
	return nil
}

// startSink serves the notification sink, which verifies signatures with
// the local-only secrets the alert function signs with.
func (s *Stack) startSink(port int) error {
	s.Sink = sink.New(sink.Config{WebhookSecret: LocalWebhookSecret, DingTalkSecret: LocalDingTalkSecret, LarkSecret: LocalLarkSecret})
	addr, err := s.Serve(port, s.Sink)
	if err != nil {
		return fmt.Errorf("alert sink: %w", err)
	}
	s.SinkURL = "http://" + addr
	s.Banner = append(s.Banner, fmt.Sprintf("alert notifications (sink)       %s/", s.SinkURL))
	return nil
}

// alertRules is the rule file the function runs: the test's, or the local
// one with the timer's interval (the interval defines the slot).
func alertRules(ao AlertOptions) string {
	if ao.RulesYAML != "" {
		return ao.RulesYAML
	}
	interval := DefaultAlertInterval
	if ao.Interval > 0 {
		interval = max(ao.Interval.Truncate(time.Second), time.Second)
	}
	return LocalRules(interval)
}

// MaxLocalAlertInterval is the shortest window in alert_rules_local.yaml:
// a longer timer would leave events between two windows unread, and the
// alert function refuses such a rule file.
const MaxLocalAlertInterval = time.Minute

// alertTimerFromEnv sets the launcher's timer period from
// SMSFLOW_LOCAL_ALERT_INTERVAL (default DefaultAlertInterval).
func alertTimerFromEnv(o *Options) error {
	o.Alert.Interval = DefaultAlertInterval
	v := os.Getenv("SMSFLOW_LOCAL_ALERT_INTERVAL")
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d%time.Second != 0 || d > MaxLocalAlertInterval {
		return fmt.Errorf("SMSFLOW_LOCAL_ALERT_INTERVAL=%q must be whole seconds, from 1s to %s (the local rules' shortest window: the alert function refuses a window shorter than its interval)", v, MaxLocalAlertInterval)
	}
	o.Alert.Interval = d
	return nil
}

// startAlertTimer fires the timer trigger until Close; Close waits for the
// firing in flight before the function is stopped.
func (s *Stack) startAlertTimer(every time.Duration, payload string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = fcrt.TimerTrigger{Name: "alert-local", Every: every, Payload: payload}.Run(ctx, s.Alert)
	}()
	s.OnClose(func(stop context.Context) error {
		cancel()
		select {
		case <-done:
			return nil
		case <-stop.Done():
			return fmt.Errorf("alert timer: %w", stop.Err())
		}
	})
}

// alertPackage lays the function out as its code package is in FC: the
// binary and, next to it, alert-rules.yaml, which the function finds on
// its own (no variable names it). Each stack gets its own directory, so
// stacks with different rules can share one build; the binary is
// hard-linked (os.Executable resolves symlinks), else copied.
func (s *Stack) alertPackage(bin, rules string) (string, error) {
	dir, err := os.MkdirTemp(filepath.Dir(bin), "package-")
	if err != nil {
		return "", fmt.Errorf("alert package: %w", err)
	}
	s.OnClose(func(context.Context) error { return os.RemoveAll(dir) })
	main := filepath.Join(dir, "main")
	if err := os.Link(bin, main); err != nil {
		if err := copyFile(bin, main, 0o755); err != nil {
			return "", fmt.Errorf("alert package: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, alert.PackagedRulesFile), []byte(rules), 0o644); err != nil {
		return "", fmt.Errorf("alert package: %w", err)
	}
	return main, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func alertEnv(s *Stack, ao AlertOptions, slsAddr string) map[string]string {
	env := map[string]string{
		"SMSFLOW_SLS_ENDPOINT":          slsAddr,
		"SMSFLOW_ALERT_STATE_LOGSTORE":  LocalStateLogstore,
		"SMSFLOW_DYSMS_ENDPOINT":        s.DysmsAddr,
		"SMSFLOW_DYSMS_PROTOCOL":        "HTTP",
		"SMSFLOW_ALERT_WEBHOOK_URL":     s.SinkURL + "/webhook",
		"SMSFLOW_ALERT_WEBHOOK_SECRET":  LocalWebhookSecret,
		"SMSFLOW_ALERT_DINGTALK_URL":    s.SinkURL + "/dingtalk/robot/send?access_token=local",
		"SMSFLOW_ALERT_DINGTALK_SECRET": LocalDingTalkSecret,
		"SMSFLOW_ALERT_WECOM_URL":       s.SinkURL + "/wecom/cgi-bin/webhook/send?key=local",
		"SMSFLOW_ALERT_LARK_URL":        s.SinkURL + "/lark/open-apis/bot/v2/hook/local",
		"SMSFLOW_ALERT_LARK_SECRET":     LocalLarkSecret,
		"SMSFLOW_ALERT_ONCALL_PHONES":   LocalOncallPhone,
	}
	for k, v := range ao.Env {
		env[k] = v
	}
	return env
}

func (s *Stack) alertFunction(o Options, bin string, env map[string]string) fcrt.Function {
	return fcrt.Function{
		Name: "alert", Binary: bin, Env: env, Timeout: FunctionTimeout["alert"], MemoryMB: FunctionMemoryMB["alert"],
		Region: LocalRegion, AccountID: LocalAccountID, LogProject: LocalProject, LogStore: LocalLogstore,
		AutoFreeze: o.AutoFreeze, Output: o.FunctionOutput, Logger: o.Logger,
	}
}

// LocalRules is the local rule file: the embedded defaults with every
// channel on (pointed at the sink and the Dysmsapi emulator), the interval
// of the local timer, no index lag to speak of (the emulator has none) and
// one-minute windows, so an alert fires within a minute of the faults.
func LocalRules(interval time.Duration) string {
	return strings.ReplaceAll(localRulesTemplate, "{{interval}}", fmt.Sprintf("%ds", int(interval/time.Second)))
}
