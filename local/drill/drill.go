package drill

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"smsflow/local/faults"
)

// Scenario is one failure we claim to survive.
type Scenario struct {
	Name        string
	Description string
	// Alert is the rule whose firing detects the fault ("" when no SLS
	// rule can see it); ExpectedDetect bounds the time to its firing.
	Alert          string
	ExpectedDetect time.Duration
	// ExpectedRecover bounds the time from the fault's removal to the
	// first message accepted that was first tried after it.
	ExpectedRecover time.Duration
	// Rate (messages per second) and Max bound the traffic.
	Rate float64
	Max  int
	// Failover runs the stack with Tencent as the secondary provider;
	// RecoverVia, when set, is the provider whose first acceptance after
	// the fault counts as recovery (the primary, back from failover).
	Failover   bool
	RecoverVia string
	// Release serves send behind alias prod with the release controller
	// on the alert timer; Detected, when set, answers when the fault was
	// detected (polled) instead of an alert's firing.
	Release  bool
	Detected func(context.Context, *env) (time.Time, error)
	// MinFault keeps the fault on at least this long, alert or not.
	MinFault time.Duration
	// inject starts the fault and answers when it started; heal removes it.
	inject func(context.Context, *env) (time.Time, error)
	heal   func(context.Context, *env) error
	// check adds scenario-specific failures once the messages are counted.
	check func(*env, *Result)
}

// Options of a drill run.
type Options struct {
	// BinDir receives the function binaries ("" = a temporary folder).
	BinDir string
	// Progress receives a line per step ("" = none).
	Progress func(format string, args ...any)
}

// Names lists the scenarios in the order they run.
func Names() []string {
	var out []string
	for _, s := range scenarios() {
		out = append(out, s.Name)
	}
	return out
}

// Run runs the named scenarios (all when names is empty), each on a fresh
// stack, in the order of Names.
func Run(ctx context.Context, names []string, o Options) (Scorecard, error) {
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	all := scenarios()
	for _, n := range names {
		if !slices.ContainsFunc(all, func(s Scenario) bool { return s.Name == n }) {
			return Scorecard{}, fmt.Errorf("no scenario %q (known: %v)", n, Names())
		}
	}
	if o.BinDir == "" {
		dir, err := os.MkdirTemp("", "smsflow-drill-")
		if err != nil {
			return Scorecard{}, err
		}
		defer os.RemoveAll(dir)
		o.BinDir = dir
	}
	card := Scorecard{Scale: Scale, Pass: true}
	for i, sc := range all {
		if len(names) > 0 && !slices.Contains(names, sc.Name) {
			continue
		}
		o.Progress("%s: %s", sc.Name, sc.Description)
		r, err := runScenario(ctx, i+1, sc, o)
		if err != nil {
			return card, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		card.Scenarios = append(card.Scenarios, r)
		card.Pass = card.Pass && r.Pass
	}
	return card, nil
}

// The standard timeline: healthy traffic, the fault until the alert fires
// (or twice the expected time), its removal, recovery, then the stragglers'
// retries until drain.
const (
	warmUp = 2 * time.Second
	drain  = 15 * time.Second
)

func runScenario(ctx context.Context, idx int, sc Scenario, o Options) (Result, error) {
	r := Result{Scenario: sc.Name, AlertRule: sc.Alert, ExpectedDetect: Seconds(sc.ExpectedDetect),
		ExpectedRecover: Seconds(sc.ExpectedRecover), Detect: Never, Recover: Never, Resolved: Never}
	if sc.Alert != "" && sc.Detected == nil {
		r.ExpectedResolve = Seconds(expectResolve)
	}
	e, err := startEnv(ctx, o.BinDir, sc)
	if err != nil {
		return r, err
	}
	defer e.Close()
	tr := newTraffic(e.s, idx, sc.Rate, sc.Max)
	e.tr = tr
	tr.start()
	defer tr.finish(drain) // on an early return too: no goroutine outlives the stack
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			tr.stopGenerating()
		}
	}
	defer stop()
	if err := sleep(ctx, warmUp); err != nil {
		return r, err
	}
	faultAt, err := sc.inject(ctx, e)
	if err != nil {
		return r, err
	}
	o.Progress("%s: fault on", sc.Name)
	// Keep the fault on until the alert fires (bounded), at least MinFault.
	limit := faultAt.Add(max(2*sc.ExpectedDetect, sc.MinFault))
	for time.Now().Before(limit) {
		if sc.Detected != nil && r.Detect < 0 {
			at, err := sc.Detected(ctx, e)
			if err != nil {
				return r, err
			}
			if !at.IsZero() {
				r.Detect = Seconds(at.Sub(faultAt))
			}
		}
		detected := r.Detect >= 0 || (sc.Alert != "" && !e.firing(sc.Alert, faultAt).IsZero())
		if detected && time.Since(faultAt) >= sc.MinFault {
			break
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return r, err
		}
	}
	if sc.Alert != "" && sc.Detected == nil {
		if at := e.firing(sc.Alert, faultAt); !at.IsZero() {
			r.Detect = Seconds(at.Sub(faultAt))
		}
	}
	if err := sc.heal(ctx, e); err != nil {
		return r, err
	}
	healedAt := time.Now()
	o.Progress("%s: fault off (detect %s)", sc.Name, r.Detect)
	for deadline := healedAt.Add(3 * sc.ExpectedRecover); time.Now().Before(deadline); {
		if at := tr.firstAcceptedAfter(healedAt, sc.RecoverVia); !at.IsZero() {
			r.Recover = Seconds(at.Sub(healedAt))
			break
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return r, err
		}
	}
	stop()
	tr.finish(drain)
	if sc.Alert != "" && sc.Detected == nil && r.Detect >= 0 {
		// The alert must clear once the window holds no more failures.
		for deadline := healedAt.Add(2 * expectResolve); time.Now().Before(deadline); {
			if at := e.notified(sc.Alert, "resolved", healedAt); !at.IsZero() {
				r.Resolved = Seconds(at.Sub(healedAt))
				break
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return r, err
			}
		}
	}
	// Events are shipped before each answer; a moment lets the last
	// PutLogs settle in the emulator's index.
	if err := sleep(ctx, time.Second); err != nil {
		return r, err
	}
	if err := e.tally(&r, tr.snapshot()); err != nil {
		return r, err
	}
	if sc.check != nil {
		sc.check(e, &r)
	}
	r.judge()
	return r, nil
}

// sleep waits d, or answers ctx's error when it ends first.
func sleep(ctx context.Context, d time.Duration) error {
	faults.Sleep(ctx, d)
	return ctx.Err()
}
