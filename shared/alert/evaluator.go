package alert

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"smsflow/shared/alert/notify"
)

// Options are the evaluator's dependencies.
type Options struct {
	Querier  Querier
	StateLog StateLog
	// Channels by name, as built by BuildChannels.
	Channels map[string]notify.Channel
	// Emitter receives alert.* events; dropped when nil.
	Emitter Emitter
	// SendTimeout bounds one notification; 10 s when zero.
	SendTimeout time.Duration
	// AppendReserve is the time kept before ctx's deadline for recording
	// the outcomes once the notices are sent (one state-log call): no send
	// starts that could not end before it. The function passes its SLS
	// call timeout.
	AppendReserve time.Duration
	// Now is the wall clock the delivery lease is kept by: claims are
	// stamped with it, a run sends nothing that could not be recorded
	// before its claim's lease ends (LeaseMargin before), and a run takes
	// an unanswered claim over only once its own Now is a lease past the
	// stamp. The function passes its clock. nil reads the run's time plus
	// the time since Run began: the tests' simulated runs.
	Now func() time.Time
}

// LeaseMargin is kept between a sender's last possible record and the
// end of its claim's lease: room for clock skew between two instances
// (NTP keeps it to milliseconds) and the state log's round trip.
const LeaseMargin = 5 * time.Second

// CheckLease refuses a delivery_lease too short to hold one send (send)
// and the record of its outcome (appendReserve), with LeaseMargin: every
// notice would be left unsent, run after run, and the alert would fire
// without a word. NewEvaluator applies it; the deployment checks apply it
// to s.yaml's timeouts.
func CheckLease(cfg *Config, send, appendReserve time.Duration) error {
	if need := send + appendReserve + LeaseMargin; cfg.Settings.DeliveryLease < need {
		return fmt.Errorf("alert: settings: delivery_lease %s cannot hold one notification: it must be at least the send timeout (%s) + the state log's timeout (%s) + %s", cfg.Settings.DeliveryLease, send, appendReserve, LeaseMargin)
	}
	return nil
}

// MaxLateRun is how far behind a key's last evaluated slot a run may be
// and still be taken for a late or duplicated timer delivery (skipped).
// The function uses a timer's trigger time only within this of its clock.
const MaxLateRun = 10 * time.Minute

// Evaluator runs every enabled rule once per Run.
type Evaluator struct {
	cfg  *Config
	opts Options
	emit Emitter
}

// NewEvaluator checks that every channel a rule uses is either disabled in
// the file or present in opts.Channels.
func NewEvaluator(cfg *Config, opts Options) (*Evaluator, error) {
	if cfg == nil || opts.Querier == nil || opts.StateLog == nil {
		return nil, errors.New("alert: config, querier and state log are required")
	}
	if opts.SendTimeout == 0 {
		opts.SendTimeout = 10 * time.Second
	}
	enabled := map[string]bool{}
	for _, c := range cfg.Channels {
		enabled[c.Name] = c.IsEnabled()
	}
	for _, r := range cfg.Rules {
		for _, ch := range r.Channels {
			if enabled[ch] && opts.Channels[ch] == nil {
				return nil, fmt.Errorf("alert: rule %q: channel %q is enabled but was not built", r.Name, ch)
			}
		}
	}
	if err := CheckLease(cfg, opts.SendTimeout, opts.AppendReserve); err != nil {
		return nil, err
	}
	e := &Evaluator{cfg: cfg, opts: opts, emit: opts.Emitter}
	if e.emit == nil {
		e.emit = nopEmitter{}
	}
	return e, nil
}

// Report sums up one run.
type Report struct {
	RunID       string
	Slot        time.Time
	Evaluated   int // rules evaluated
	Unknown     int // rules whose result was unknown (query error or incomplete)
	Transitions int // records this run wrote and won
	Lost        int // records this run wrote but another run won: no notification
	Sent        int
	Failed      int
	// DeliveryUnknown counts notices that may have arrived (not retried).
	DeliveryUnknown int
}

// Run evaluates every enabled rule for the slot containing now, records
// the transitions, and sends the notices this run won. It returns an
// error only when the state log fails (then nothing was sent).
func (e *Evaluator) Run(ctx context.Context, now time.Time) (Report, error) {
	rep := Report{RunID: newRunID(), Slot: now.Truncate(e.cfg.Settings.Interval)}
	clock := e.opts.Now
	if clock == nil {
		began := time.Now()
		clock = func() time.Time { return now.Add(time.Since(began)) }
	}
	records, err := e.opts.StateLog.Load(ctx)
	if err != nil {
		e.emitError(ctx, "", "state_load", err)
		return rep, fmt.Errorf("alert: load state: %w", err)
	}
	folded := Fold(records)
	var claims []Record
	for _, r := range e.cfg.Rules {
		if !r.IsEnabled() {
			continue
		}
		recs, ok := e.evaluateRule(ctx, r, rep, folded, clock())
		if !ok {
			rep.Unknown++
			continue
		}
		rep.Evaluated++
		claims = append(claims, recs...)
	}
	if len(claims) > 0 {
		if err := e.claimAndNotify(ctx, claims, &rep, clock); err != nil {
			return rep, err
		}
	}
	e.emit.Emit(ctx, slog.LevelInfo, EventRun, slog.String("run_id", rep.RunID),
		slog.Time("slot", rep.Slot), slog.Int("evaluated", rep.Evaluated), slog.Int("unknown", rep.Unknown),
		slog.Int("transitions", rep.Transitions), slog.Int("lost", rep.Lost),
		slog.Int("sent", rep.Sent), slog.Int("failed", rep.Failed),
		slog.Int("delivery_unknown", rep.DeliveryUnknown))
	return rep, nil
}

// evaluateRule runs the rule's one query and steps each of its keys at the
// wall clock now. ok is false when the result is unknown: then no key of
// the rule moves.
func (e *Evaluator) evaluateRule(ctx context.Context, r Rule, rep Report, folded *Folded, now time.Time) ([]Record, bool) {
	to := rep.Slot.Add(-e.cfg.Settings.IndexLag)
	res, err := e.opts.Querier.Query(ctx, to.Add(-r.Window), to, r.CompiledQuery())
	if err == nil && !res.Complete {
		err = errors.New("SLS result incomplete")
	}
	if err == nil && r.Query == "" && len(r.GroupBy) > 0 && len(res.Rows) > groupLimit {
		// Groups past the limit would go unseen: a failing one could
		// never fire, and a firing one would resolve as "no data".
		err = fmt.Errorf("more than %d groups: the result would be cut", groupLimit)
	}
	var obs []observation
	if err == nil {
		obs, err = observations(r, res.Rows)
	}
	if err != nil {
		e.emitError(ctx, r.Name, "query", err)
		return nil, false
	}
	inputs := map[Key]*observation{}
	for i := range obs {
		inputs[Key{Rule: r.Name, Group: groupKey(obs[i].Group)}] = &obs[i]
	}
	if len(r.GroupBy) == 0 && len(obs) == 0 {
		inputs[Key{Rule: r.Name}] = nil
		if r.Kind == KindNoTraffic {
			// An aggregate over no logs may come back as no row at all:
			// for a count that is 0, not "no data" (which never breaches).
			inputs[Key{Rule: r.Name}] = &observation{}
		}
	}
	// Keys that are not ok but returned no row must still move (resolve).
	for k, s := range folded.States {
		if _, seen := inputs[k]; !seen && k.Rule == r.Name && (s.Status != StatusOK || len(s.Outbox) > 0) {
			inputs[k] = nil
		}
	}
	channels := e.ruleChannels(r)
	var out []Record
	for k, o := range inputs {
		prev := folded.States[k]
		if lead := prev.Slot.Sub(rep.Slot); !prev.Slot.IsZero() && lead >= 0 && lead <= MaxLateRun {
			// This slot (or a later one) was already evaluated: a
			// duplicated or late timer delivery. A key further ahead was
			// stamped by a clock that ran ahead; skipping it would blind
			// the rule until this clock caught up.
			continue
		}
		group := prev.Group
		if o != nil {
			group = o.Group
		}
		id := transitionID(k, rep.Slot, folded.Head(k))
		next, changed := step(prev, stepInput{
			rule: r, slot: rep.Slot, obs: o, channels: channels, lease: e.cfg.Settings.DeliveryLease,
			silenced: e.cfg.silenced(r.Name, group, rep.Slot), claimID: id, now: now,
		})
		if !changed {
			continue
		}
		from := prev.Status
		if from == "" {
			from = StatusOK
		}
		out = append(out, Record{Type: RecordTransition, ID: id, RunID: rep.RunID, Key: k, At: rep.Slot,
			Prev: folded.Head(k), Slot: rep.Slot, From: from, State: &next})
	}
	return out, true
}

// ruleChannels are the rule's channels that are enabled.
func (e *Evaluator) ruleChannels(r Rule) []string {
	var out []string
	for _, ch := range r.Channels {
		if e.opts.Channels[ch] != nil {
			out = append(out, ch)
		}
	}
	return out
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
