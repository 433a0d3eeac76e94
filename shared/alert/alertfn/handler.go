// Package alertfn is the alert function without FC: it turns a timer
// invocation into one evaluator run, ships the run's alert.* events before
// answering, and builds everything the function needs from its
// environment. functions/alert only wires it to fc.Start.
package alertfn

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"smsflow/shared/alert"
	"smsflow/shared/obs"
	"smsflow/shared/redact"
	"smsflow/shared/release"
	"smsflow/shared/trace"
)

// MaxTriggerSkew is how far the timer's triggerTime may be from the clock
// and still be used as the run's time. Using it makes two deliveries of one
// tick land in the same evaluation slot even if the second one is late;
// past the skew (a replay hours later) the clock is used instead.
const MaxTriggerSkew = alert.MaxLateRun

// Deps are what a Handler needs.
type Deps struct {
	Rules *alert.Config
	// Options carry the Querier, StateLog, Channels, Emitter and SendTimeout.
	Options alert.Options
	// Flush ships the invocation's batch of events; called before the
	// handler returns (FC 3.0 may freeze the instance right after).
	Flush func(context.Context)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Release, when set, judges the canary of one alias on every run
	// (docs/release.md).
	Release *release.Controller
}

// Handler serves timer invocations.
type Handler struct {
	deps Deps
	emit alert.Emitter

	mu         sync.Mutex
	evaluators map[string]*alert.Evaluator // by selection
}

// New checks that the whole rule file can run (every enabled channel
// built), so that a function that starts never half-runs.
func New(d Deps) (*Handler, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Options.Now == nil {
		// The delivery lease is kept by the wall clock, not the run's
		// time: a late timer delivery's trigger time lies behind it.
		d.Options.Now = d.Now
	}
	if d.Flush == nil {
		d.Flush = func(context.Context) {}
	}
	h := &Handler{deps: d, emit: d.Options.Emitter, evaluators: map[string]*alert.Evaluator{}}
	if h.emit == nil {
		h.emit = alert.SlogEmitter{Logger: slog.New(slog.DiscardHandler)}
	}
	if _, err := h.evaluator(Selection{}); err != nil {
		return nil, err
	}
	return h, nil
}

// Result is the invocation's answer: the run's report.
type Result struct {
	RunID       string    `json:"run_id"`
	Slot        time.Time `json:"slot"`
	Rules       []string  `json:"rules"`
	Evaluated   int       `json:"evaluated"`
	Unknown     int       `json:"unknown"`
	Transitions int       `json:"transitions"`
	Lost        int       `json:"lost"`
	Sent        int       `json:"sent"`
	Failed      int       `json:"failed"`
	// DeliveryUnknown: notices that may have arrived; never retried.
	DeliveryUnknown int `json:"delivery_unknown"`
	// Release is the release controller's decision, when one runs.
	Release *release.Decision `json:"release,omitempty"`
	// ReleaseError is why the release controller could not decide (also
	// an alert.error event); the next run tries again.
	ReleaseError string `json:"release_error,omitempty"`
}

// Handle runs the rules the timer payload selects, for the slot of the
// trigger time. It fails only for a bad payload or a state log that cannot
// be read or written; FC's retry of the invocation is then safe (the state
// log dedups by slot, and unrecorded notices wait for delivery_lease).
func (h *Handler) Handle(ctx context.Context, ev events.TimerEvent) (Result, error) {
	// The run is one span: its events share a trace, exported like the
	// other functions' spans (docs/tracing.md).
	ctx = obs.NewBatch(obs.WithInvocation(trace.NewContext(ctx, trace.NewRoot())))
	defer h.deps.Flush(ctx)
	sel, err := ParseSelection(deref(ev.Payload))
	var e *alert.Evaluator
	if err == nil {
		e, err = h.evaluator(sel)
	}
	if err != nil {
		h.emit.Emit(ctx, slog.LevelError, alert.EventError, slog.String("rule", ""),
			slog.String("stage", "payload"), slog.String("error_message", err.Error()))
		return Result{}, fmt.Errorf("alert: timer payload: %w", err)
	}
	rep, err := e.Run(ctx, h.runTime(deref(ev.TriggerTime)))
	res := Result{RunID: rep.RunID, Slot: rep.Slot, Rules: sel.names(h.deps.Rules), Evaluated: rep.Evaluated,
		Unknown: rep.Unknown, Transitions: rep.Transitions, Lost: rep.Lost, Sent: rep.Sent, Failed: rep.Failed,
		DeliveryUnknown: rep.DeliveryUnknown}
	res.Release, res.ReleaseError = h.runRelease(ctx)
	// The error goes to FC's own log: the same redaction as our events.
	return res, redact.Error(err)
}

// runTime is the trigger time when FC gave a plausible one, else the clock.
func (h *Handler) runTime(trigger string) time.Time {
	now := h.deps.Now()
	t, err := time.Parse(time.RFC3339Nano, trigger)
	if err != nil {
		return now
	}
	if d := t.Sub(now); d > MaxTriggerSkew || d < -MaxTriggerSkew {
		return now
	}
	return t
}

// evaluator returns the evaluator of the rules sel picks, built once.
func (h *Handler) evaluator(sel Selection) (*alert.Evaluator, error) {
	key := sel.key()
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.evaluators[key]; ok {
		return e, nil
	}
	cfg, err := sel.apply(h.deps.Rules)
	if err != nil {
		return nil, err
	}
	e, err := alert.NewEvaluator(cfg, h.deps.Options)
	if err != nil {
		return nil, err
	}
	h.evaluators[key] = e
	return e, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
