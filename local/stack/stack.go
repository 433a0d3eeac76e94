// Package stack assembles the local stack: the Dysmsapi and SLS emulators,
// and each function running under the FC runtime emulator behind its
// trigger. `go run ./local run` and the end-to-end tests start the same
// Stack, so what a user tries is what the tests prove.
package stack

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/fcrt"
	"smsflow/local/sls"
	"smsflow/shared/config"
	"smsflow/shared/provision"
)

// The local contract (README.md, "Local stack").
const (
	DefaultGatewayPort = 9000
	DefaultDysmsPort   = 9100
	DefaultSLSPort     = 9200
	LocalToken         = "smsflow-local-token"
	LocalProject       = "smsflow-local"
	LocalLogstore      = "sms"
	LocalRegion        = "cn-hangzhou"
	LocalAccountID     = "1234567890123456"
	// LocalPhoneHashKey keys phone_hash locally; production sets a secret
	// (the functions refuse this published one off loopback).
	LocalPhoneHashKey = config.LocalStackPhoneHashKey
	// DefaultMaxInstances is each local function's instance limit: room
	// for the tests' bursts of concurrent requests, each on its own process.
	DefaultMaxInstances = 12
)

// Options choose ports and behaviour. Port 0 picks a free port.
type Options struct {
	GatewayPort, DysmsPort, SLSPort int
	// StateDir keeps SLS data across restarts; "" keeps it in memory.
	StateDir string
	// BinDir receives the function binaries; "" uses a temporary folder.
	BinDir string
	// FunctionOutput receives the functions' stdout and stderr.
	FunctionOutput io.Writer
	// Logger receives the emulators' own lines.
	Logger *slog.Logger
	// AutoFreeze freezes idle instances, as FC does.
	AutoFreeze bool
	// SendEnv overrides the send function's environment.
	SendEnv map[string]string
	// FunctionTimeout is the send function's timeout (default s.yaml's:
	// FunctionTimeout["send"]).
	FunctionTimeout time.Duration
	// MaxInstances is each function's instance limit (FC's per-function
	// limit; default DefaultMaxInstances). An instance runs one invocation
	// at a time (go1 is a standard runtime), so this is also how many
	// requests a function serves at once: more are refused with 429.
	MaxInstances int
	// IdleTimeout is how long an idle instance lives (default
	// fcrt.DefaultIdleTimeout).
	IdleTimeout time.Duration
	// DeferReady leaves the send gateway answering 503 after Start returns,
	// until the caller calls MarkReady (the launcher, after its banner).
	DeferReady bool
	// Unbound runs the send function without a bound logstore, so its
	// events go to stdout only (the benchmark's no-shipping baseline).
	Unbound bool

	// Options of the parts that live in their own files.
	Alert     AlertOptions
	Idem      IdemOptions
	Receipts  ReceiptOptions
	Dashboard DashboardOptions
	Tencent   TencentOptions
	Signed    SignedOptions
	Traces    TraceOptions
	Metrics   MetricsOptions
	Release   ReleaseOptions
}

// Stack is a running local stack.
type Stack struct {
	Dysms *dysms.Server
	SLS   *sls.Server
	Send  *fcrt.Pool
	// SendFunction is how the send function runs in Send (the benchmark
	// starts extra instances of it).
	SendFunction fcrt.Function

	GatewayURL, DysmsAddr, SLSAddr string

	// The parts that live in their own files.
	AlertParts
	IdemParts
	ReceiptParts
	DashboardParts
	TencentParts
	SignedParts
	TraceParts
	MetricsParts
	ReleaseParts

	// Banner lines the launcher prints, one per URL a user may want.
	Banner []string

	gate    *readyGate // the send gateway answers 503 until MarkReady
	servers []*http.Server
	closers []func(context.Context) error
	tmp     string
	once    sync.Once
}

// component is a part of the stack that starts after the core (the
// emulators and the send function) and registers itself from its own file.
type component struct {
	name  string
	order int
	// prepare, when set, runs before the send function starts: a part the
	// send function depends on (the idempotency store) starts there and
	// adds to o.SendEnv.
	prepare func(ctx context.Context, s *Stack, o *Options) error
	start   func(ctx context.Context, s *Stack, o Options) error
}

var components []component

// register adds a component; lower order starts first.
func register(c component) { components = append(components, c) }

// OnClose adds a function Close calls (in reverse order) before stopping
// the servers.
func (s *Stack) OnClose(f func(context.Context) error) { s.closers = append(s.closers, f) }

// Serve listens on 127.0.0.1:port (0 = any free port), serves h until
// Close, and returns host:port.
func (s *Stack) Serve(port int, h http.Handler) (string, error) { return s.serve(port, h) }

// PortsFromEnv reads SMSFLOW_LOCAL_{GATEWAY,DYSMS,SLS,DASHBOARD,RECEIPTS,QUEUE,TENCENT,SIGNED,PROMETHEUS,FC}_PORT over defaults.
func PortsFromEnv(o *Options) error {
	for _, p := range []struct {
		env string
		dst *int
		def int
	}{
		{"SMSFLOW_LOCAL_GATEWAY_PORT", &o.GatewayPort, DefaultGatewayPort},
		{"SMSFLOW_LOCAL_DYSMS_PORT", &o.DysmsPort, DefaultDysmsPort},
		{"SMSFLOW_LOCAL_SLS_PORT", &o.SLSPort, DefaultSLSPort},
		{"SMSFLOW_LOCAL_SINK_PORT", &o.Alert.SinkPort, DefaultSinkPort},
		{"SMSFLOW_LOCAL_DASHBOARD_PORT", &o.Dashboard.Port, DefaultDashboardPort},
		{"SMSFLOW_LOCAL_RECEIPTS_PORT", &o.Receipts.Port, DefaultReceiptsPort},
		{"SMSFLOW_LOCAL_QUEUE_PORT", &o.Idem.QueuePort, DefaultQueuePort},
		{"SMSFLOW_LOCAL_TENCENT_PORT", &o.Tencent.Port, DefaultTencentPort},
		{"SMSFLOW_LOCAL_PROMETHEUS_PORT", &o.Metrics.Port, DefaultPrometheusPort},
		{"SMSFLOW_LOCAL_SIGNED_PORT", &o.Signed.Port, DefaultSignedPort},
		{"SMSFLOW_LOCAL_FC_PORT", &o.Release.Port, DefaultFCPort},
	} {
		*p.dst = p.def
		if v := os.Getenv(p.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("%s=%q is not a port", p.env, v)
			}
			*p.dst = n
		}
	}
	return alertTimerFromEnv(o)
}

// Start builds the functions and starts everything. Close stops it.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FunctionOutput == nil {
		o.FunctionOutput = os.Stderr
	}
	s := &Stack{}
	if o.BinDir == "" {
		dir, err := os.MkdirTemp("", "smsflow-bin-")
		if err != nil {
			return nil, err
		}
		s.tmp, o.BinDir = dir, dir
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	sendBin, err := BuildFunction(ctx, o.BinDir, "send")
	if err != nil {
		return nil, err
	}
	// With receipts on, the emulator holds what it accepts until the
	// receipts part configures it, so no message goes unreported (issue 14).
	if s.Dysms, err = dysms.New(dysms.Options{ReceiptsPending: !o.Receipts.Disabled,
		Logf: func(f string, a ...any) { o.Logger.Debug(fmt.Sprintf(f, a...)) }}); err != nil {
		return nil, fmt.Errorf("dysms emulator: %w", err)
	}
	if s.DysmsAddr, err = s.serve(o.DysmsPort, s.Dysms); err != nil {
		return nil, fmt.Errorf("dysms emulator: %w", err)
	}
	slsState := ""
	if o.StateDir != "" {
		slsState = filepath.Join(o.StateDir, "sls")
	}
	if s.SLS, err = sls.New(sls.Options{StateDir: slsState, Logger: o.Logger}); err != nil {
		return nil, fmt.Errorf("sls emulator: %w", err)
	}
	if err := s.bootstrapSLS(); err != nil {
		return nil, err
	}
	if s.SLSAddr, err = s.serve(o.SLSPort, s.SLS); err != nil {
		return nil, fmt.Errorf("sls emulator: %w", err)
	}
	sort.SliceStable(components, func(i, j int) bool { return components[i].order < components[j].order })
	for _, c := range components {
		if c.prepare == nil {
			continue
		}
		if err := c.prepare(ctx, s, &o); err != nil {
			return nil, fmt.Errorf("preparing %s: %w", c.name, err)
		}
	}
	s.SendFunction = s.withTraces(s.sendFunction(o, sendBin))
	s.Send = o.pool(s.SendFunction)
	s.gate = &readyGate{next: fcrt.NewGateway(s.Send, fcrt.GatewayConfig{AccountID: LocalAccountID, Logger: o.Logger})}
	gwAddr, err := s.serve(o.GatewayPort, s.gate)
	if err != nil {
		return nil, fmt.Errorf("send gateway: %w", err)
	}
	s.GatewayURL = "http://" + gwAddr
	if err := s.Send.Warm(ctx); err != nil {
		return nil, fmt.Errorf("starting the send function: %w", err)
	}
	for _, c := range components {
		if err := c.start(ctx, s, o); err != nil {
			return nil, fmt.Errorf("starting %s: %w", c.name, err)
		}
	}
	ok = true
	if !o.DeferReady {
		s.MarkReady()
	}
	return s, nil
}

func (s *Stack) bootstrapSLS() error {
	if err := s.SLS.EnsureProject(LocalProject); err != nil {
		return fmt.Errorf("sls project: %w", err)
	}
	if err := s.SLS.EnsureLogstore(LocalProject, LocalLogstore); err != nil {
		return fmt.Errorf("sls logstore: %w", err)
	}
	if err := s.SLS.EnsureIndex(LocalProject, LocalLogstore, provision.Index()); err != nil {
		return fmt.Errorf("sls index: %w", err)
	}
	return nil
}

func (s *Stack) sendFunction(o Options, bin string) fcrt.Function {
	sum := sha256.Sum256([]byte(LocalToken))
	env := map[string]string{
		"SMSFLOW_DYSMS_ENDPOINT":   s.DysmsAddr,
		"SMSFLOW_DYSMS_PROTOCOL":   "HTTP",
		"SMSFLOW_API_TOKEN_SHA256": hex.EncodeToString(sum[:]),
		"SMSFLOW_PHONE_HASH_KEY":   LocalPhoneHashKey,
		"SMSFLOW_SLS_ENDPOINT":     s.SLSAddr,
	}
	for k, v := range o.SendEnv {
		env[k] = v
	}
	fn := fcrt.Function{
		Name: "send", Binary: bin, Env: env, Timeout: cmp.Or(o.FunctionTimeout, FunctionTimeout["send"]), MemoryMB: FunctionMemoryMB["send"],
		Region: LocalRegion, AccountID: LocalAccountID, LogProject: LocalProject, LogStore: LocalLogstore,
		AutoFreeze: o.AutoFreeze, Output: o.FunctionOutput, Logger: o.Logger,
	}
	if o.Unbound {
		fn.LogProject, fn.LogStore = "", ""
		delete(env, "SMSFLOW_SLS_ENDPOINT")
	}
	return fn
}

// pool is the FC scheduler of fn with the stack's instance limit and idle
// timeout.
func (o Options) pool(fn fcrt.Function) *fcrt.Pool {
	limit := o.MaxInstances
	if limit <= 0 {
		limit = DefaultMaxInstances
	}
	return fcrt.NewPool(fn, limit, fcrt.IdleTimeout(o.IdleTimeout))
}

// serve listens on 127.0.0.1:port and serves h; it returns host:port.
func (s *Stack) serve(port int, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("local stack server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return ln.Addr().String(), nil
}

// Close stops the functions (running their preStop hooks), then the servers.
func (s *Stack) Close() error {
	var errs []error
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for i := len(s.closers) - 1; i >= 0; i-- {
			errs = append(errs, s.closers[i](ctx))
		}
		if s.Send != nil {
			errs = append(errs, s.Send.Stop(ctx))
		}
		for _, srv := range s.servers {
			errs = append(errs, srv.Shutdown(ctx))
		}
		if s.SLS != nil {
			errs = append(errs, s.SLS.Close())
		}
		if s.tmp != "" {
			os.RemoveAll(s.tmp)
		}
	})
	return errors.Join(errs...)
}
