package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"smsflow/local/faults"
	"smsflow/local/stack"
	"smsflow/shared/alert"
)

// Scale is how many times faster time runs in a drill than in production:
// the alert timer ticks every second (production: every minute), windows
// and the index lag are divided by it, and so are the expected times.
const Scale = 60

// drillRules are the default rules (shared/alert/defaults.yaml) with
// every window divided by Scale (at least a second), and the settings
// scaled likewise but for delivery_lease, which must hold one send and its
// record (the alert function's 10 s send and SLS timeouts, and
// alert.LeaseMargin) and which no scenario waits out; only the signed
// webhook channel is on by default, which the sink records with its status
// and rule.
func drillRules() (string, error) {
	defaults, err := alert.Defaults()
	if err != nil {
		return "", fmt.Errorf("alert defaults: %w", err)
	}
	var b strings.Builder
	b.WriteString("include_defaults: true\nsettings: {interval: 1s, index_lag: 1s, delivery_lease: 30s}\nrules:\n")
	for _, r := range defaults.Rules {
		w := max(time.Second, (r.Window / Scale).Round(time.Second))
		fmt.Fprintf(&b, "  - {name: %s, window: %ds}\n", r.Name, int(w/time.Second))
	}
	return b.String(), nil
}

// Timing of the send function in a drill: short enough that a black hole
// costs a second per call, and a lease above the function timeout (as
// production keeps it), scaled so that a crashed claim lapses in seconds.
const (
	dysmsTimeout    = "1s"
	functionTimeout = 4 * time.Second
	idemLease       = "6s"
)

// env is one scenario's fresh stack and what the drill reads from it.
type env struct {
	s      *stack.Stack
	slsGap *switchProxy // the send function's way to SLS, which a scenario may cut
	stdout *lineBuffer  // the functions' stdout, which FC collects into the logstore
	tr     *traffic     // the scenario's traffic
	canary string       // the version a release scenario published
}

// startEnv starts a fresh stack for one scenario. binDir is shared by every
// scenario, so the functions are built once.
func startEnv(ctx context.Context, binDir string, sc Scenario) (*env, error) {
	e := &env{stdout: &lineBuffer{}}
	rules, err := drillRules()
	if err != nil {
		return nil, err
	}
	// The send function reaches SLS through a proxy the drill can cut; the
	// alert function and the drill's own queries do not (an SLS outage is
	// the send function's: its events must land, the drill must count).
	// The proxy learns where SLS is once the stack has started.
	if e.slsGap, err = newSwitchProxy(); err != nil {
		return nil, err
	}
	sendEnv := map[string]string{
		"SMSFLOW_DYSMS_TIMEOUT":     dysmsTimeout,
		"SMSFLOW_IDEMPOTENCY_LEASE": idemLease,
		"SMSFLOW_SLS_ENDPOINT":      e.slsGap.Addr(),
	}
	o := stack.Options{
		BinDir: binDir, FunctionOutput: e.stdout, FunctionTimeout: functionTimeout,
		SendEnv: sendEnv,
		Alert:   stack.AlertOptions{Interval: time.Second, RulesYAML: rules},
		// Receipts and dispatch are not what the drills exercise; fewer
		// processes keep the timings honest on a small machine.
		Receipts: stack.ReceiptOptions{Disabled: true},
		Idem:     stack.IdemOptions{DispatchDisabled: true},
		Signed:   stack.SignedOptions{Disabled: true},
	}
	if sc.Release {
		o.Release = stack.ReleaseOptions{Enabled: true, Policy: releasePolicy}
	}
	if o.Tencent.Failover = sc.Failover; sc.Failover {
		// The primary's circuit stays open 30 s in production: scaled,
		// the minimum of 1 s. Tencent's timeout is Alibaba's: the function
		// only fails over while its deadline leaves room for one Tencent
		// call, and 4 s minus Alibaba's attempts does not hold the default 5 s.
		sendEnv["SMSFLOW_BREAKER_OPEN"] = "1s"
		sendEnv["SMSFLOW_TENCENT_TIMEOUT"] = dysmsTimeout
	}
	if e.s, err = stack.Start(ctx, o); err != nil {
		e.slsGap.Close()
		return nil, err
	}
	e.slsGap.target(e.s.SLSAddr)
	if e.s.RedisAddr == "" {
		e.Close()
		return nil, fmt.Errorf("the drills need redis-server (the idempotency store) on PATH")
	}
	return e, nil
}

func (e *env) Close() {
	if e.s != nil {
		e.s.Close()
	}
	e.slsGap.Close()
}

// armDysms arms a fault on the Dysmsapi emulator through its admin API,
// as an operator's curl would.
func (e *env) armDysms(f string) error {
	resp, err := http.Post("http://"+e.s.DysmsAddr+"/_emulator/faults", "application/json", strings.NewReader(f))
	if err != nil {
		return fmt.Errorf("arming %s: %w", f, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("arming %s: %s %s", f, resp.Status, b)
	}
	return nil
}

// clearDysms disarms every fault of the Dysmsapi emulator.
func (e *env) clearDysms() error {
	req, _ := http.NewRequest(http.MethodDelete, "http://"+e.s.DysmsAddr+"/_emulator/faults", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("clearing faults: %w", err)
	}
	resp.Body.Close()
	return nil
}

// switchProxy forwards to SLS until cut; cut, it resets every connection,
// as an unreachable endpoint does.
type switchProxy struct {
	srv  *http.Server
	addr string
	to   atomic.Pointer[httputil.ReverseProxy]
	down atomic.Bool
}

func newSwitchProxy() (*switchProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &switchProxy{addr: ln.Addr().String()}
	p.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := p.to.Load()
		if p.down.Load() || to == nil {
			faults.ResetConnection(w)
			return
		}
		// The Host stays the client's: SLS reads the project from it.
		to.ServeHTTP(w, r)
	})}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// target points the proxy at SLS's host:port.
func (p *switchProxy) target(hostPort string) {
	p.to.Store(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: hostPort}))
}

func (p *switchProxy) Addr() string  { return p.addr }
func (p *switchProxy) Cut(down bool) { p.down.Store(down) }
func (p *switchProxy) Close()        { _ = p.srv.Close() }

// lineBuffer keeps the trace ids of the sms.result events the functions
// wrote to stdout (the events' fallback when SLS cannot be reached).
type lineBuffer struct {
	mu      sync.Mutex
	partial []byte
	results map[string]bool // trace_id of sms.result lines
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.partial = append(b.partial, p...)
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		b.line(b.partial[:i])
		b.partial = b.partial[i+1:]
	}
	return len(p), nil
}

func (b *lineBuffer) line(l []byte) {
	if !bytes.Contains(l, []byte(`"sms.result"`)) {
		return
	}
	var ev struct {
		Event   string `json:"event"`
		TraceID string `json:"trace_id"`
	}
	if json.Unmarshal(l, &ev) != nil || ev.Event != "sms.result" {
		return
	}
	if b.results == nil {
		b.results = map[string]bool{}
	}
	b.results[ev.TraceID] = true
}

// hasResult says whether an sms.result of trace went to stdout.
func (b *lineBuffer) hasResult(trace string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.results[trace]
}
