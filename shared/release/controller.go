package release

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"smsflow/shared/alert"
)

// Actions a Decision takes.
const (
	ActionIdle     = "idle"     // no canary on the alias
	ActionWait     = "wait"     // too few samples or too short a soak yet
	ActionStart    = "start"    // the operator gave the canary its first step
	ActionAdvance  = "advance"  // the canary got its next share
	ActionPromote  = "promote"  // the alias now points at the canary, weight cleared
	ActionRollback = "rollback" // the canary's weight is 0; the alias stays on stable
	ActionAbort    = "abort"    // the operator rolled the canary back
)

// Decision is one run's outcome with the figures that led to it.
type Decision struct {
	Action   string  `json:"action"`
	Function string  `json:"function"`
	Alias    string  `json:"alias"`
	Stable   Figures `json:"stable"`
	Canary   Figures `json:"canary"`
	// Weight is the canary's share before the decision, NextWeight after.
	Weight     float64       `json:"weight"`
	NextWeight float64       `json:"next_weight"`
	StepAge    time.Duration `json:"step_age"`
	Reason     string        `json:"reason"`
	worse      bool          // the canary failed a comparison (Reason says which)
	silent     bool          // ... by writing almost no results where stable wrote many
	hold       bool          // the figures cannot be judged (Reason says why): wait
}

// Acts reports whether the decision changed the alias (and so is
// notified).
func (d Decision) Acts() bool {
	return d.Action != ActionIdle && d.Action != ActionWait
}

// Controller runs a release of one alias. It keeps nothing between runs.
type Controller struct {
	FC       FC
	Querier  alert.Querier
	Policy   Policy
	Function string
	Alias    string
	Now      func() time.Time
	// Record receives every decision that is not idle (an event); Notify
	// every decision that changed the alias (the notification channels).
	// Either may be nil.
	Record func(context.Context, Decision)
	Notify func(context.Context, Decision) error
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Run judges the canary on the alias, if there is one, and advances,
// promotes or rolls it back.
func (c *Controller) Run(ctx context.Context) (Decision, error) {
	d, a, err := c.assess(ctx)
	if err != nil || d.Action == ActionIdle {
		return d, err
	}
	canary := d.Canary.Version
	switch {
	case d.worse && (d.Canary.Results >= c.Policy.MinSamples || d.silent):
		// Worse than stable: roll back at once, soak or not.
		d.Action, d.NextWeight = ActionRollback, 0
	case d.hold:
		d.Action, d.NextWeight = ActionWait, d.Weight
	case d.Canary.Results < c.Policy.MinSamples:
		d.Action, d.NextWeight = ActionWait, d.Weight
		d.Reason = fmt.Sprintf("%d of %d samples", d.Canary.Results, c.Policy.MinSamples)
	case d.Canary.Sends < c.Policy.MinSamples:
		// Results refused before sending are no sample of the failure
		// rate: a canary with no send has not been judged at all.
		d.Action, d.NextWeight = ActionWait, d.Weight
		d.Reason = fmt.Sprintf("%d of %d sends (%d results)", d.Canary.Sends, c.Policy.MinSamples, d.Canary.Results)
	case d.StepAge < c.Policy.Soak:
		d.Action, d.NextWeight = ActionWait, d.Weight
		d.Reason = fmt.Sprintf("soaking %s of %s", d.StepAge.Round(time.Second), c.Policy.Soak)
	default:
		d.NextWeight = c.Policy.next(d.Weight)
		d.Reason = fmt.Sprintf("healthy over %s and %d samples", d.StepAge.Round(time.Second), d.Canary.Results)
		d.Action = ActionAdvance
		if d.NextWeight >= 1 {
			d.Action = ActionPromote
		}
	}
	if !d.Acts() {
		return d, c.report(ctx, d)
	}
	changed, err := c.changedSince(ctx, a)
	if err != nil {
		return d, err
	}
	if changed {
		d.Action, d.NextWeight = ActionWait, d.Weight
		d.Reason = "the alias changed while this run judged it (another run or an operator acted): the next run judges it afresh"
		return d, c.report(ctx, d)
	}
	switch d.Action {
	case ActionRollback:
		_, err = c.FC.UpdateAlias(ctx, c.Function, c.Alias, a.VersionID, map[string]float64{canary: 0},
			"release: version "+canary+" rolled back: "+d.Reason)
	case ActionPromote:
		_, err = c.FC.UpdateAlias(ctx, c.Function, c.Alias, canary, map[string]float64{},
			"release: version "+canary+" promoted")
	case ActionAdvance:
		_, err = c.FC.UpdateAlias(ctx, c.Function, c.Alias, a.VersionID, map[string]float64{canary: d.NextWeight},
			fmt.Sprintf("release: version %s at %g", canary, d.NextWeight))
	}
	if err != nil {
		return d, fmt.Errorf("release: %s %s: %w", d.Action, canary, err)
	}
	return d, updated(c.report(ctx, d))
}

// UpdatedError is what failed after the alias was updated as the decision
// says: recording or notifying it, or (an abort) reading the figures for
// the record. The decision stands: the caller shows it, then the error.
type UpdatedError struct{ Err error }

func (e *UpdatedError) Error() string {
	return "the alias was updated as decided, but: " + e.Err.Error()
}

func (e *UpdatedError) Unwrap() error { return e.Err }

// updated wraps an error met after the alias was updated.
func updated(err error) error {
	if err == nil {
		return nil
	}
	return &UpdatedError{Err: err}
}

// changedSince reads the alias again right before an update and reports
// whether it moved since a was read. FC 3.0's UpdateAlias takes no
// condition (its API reference has no If-Match, unlike FC 2.0's), so
// without this a run whose judgment took seconds of SLS queries would write
// over whatever another run or an operator did meanwhile: an operator's
// abort undone by a stale advance, a rollback undone by a stale promote.
// What remains unguarded is the gap between this read and the update.
func (c *Controller) changedSince(ctx context.Context, a Alias) (bool, error) {
	now, err := c.FC.GetAlias(ctx, c.Function, c.Alias)
	if err != nil {
		return false, fmt.Errorf("release: %w", err)
	}
	return now.VersionID != a.VersionID || now.Modified != a.Modified || !maps.Equal(now.Weights, a.Weights), nil
}

// Status judges the canary without acting: what Run would see.
func (c *Controller) Status(ctx context.Context) (Decision, error) {
	d, _, err := c.assess(ctx)
	return d, err
}

// assess reads the alias and, during a canary, both versions' figures
// since the current step began (the alias's lastModifiedTime).
func (c *Controller) assess(ctx context.Context) (Decision, Alias, error) {
	d := Decision{Function: c.Function, Alias: c.Alias, Action: ActionIdle}
	a, err := c.FC.GetAlias(ctx, c.Function, c.Alias)
	if err != nil {
		return d, a, fmt.Errorf("release: %w", err)
	}
	d.Stable.Version = a.VersionID
	canary, w := a.Canary()
	if canary == "" {
		return d, a, nil
	}
	d.Canary.Version, d.Weight = canary, w
	measured, err := c.measureStep(ctx, &d, a)
	d.Action, d.NextWeight = ActionWait, d.Weight
	switch {
	case !measured && err == nil:
		// SLS windows are whole seconds: nothing to judge yet.
		d.Reason, d.hold = "the step has just begun", true
		return d, a, nil
	case errors.Is(err, ErrIncomplete):
		d.Reason, d.hold = "SLS answered an incomplete result", true
		return d, a, nil
	case errors.Is(err, ErrUnreadable):
		// Never judged, so never promoted on, and said: a version that
		// stopped writing latency_ms waits here until an operator looks.
		d.Reason, d.hold = err.Error()+": waiting until every figure reads", true
		return d, a, nil
	case err != nil:
		return d, a, err
	case d.Stable.Sends < c.Policy.MinSamples:
		// No row for stable (or a few sends) is nothing to compare with:
		// its rates would read as 0 and anything would pass.
		d.Reason = fmt.Sprintf("stable version %s has %d of %d sends in the step: too few to compare the canary with",
			d.Stable.Version, d.Stable.Sends, c.Policy.MinSamples)
		d.hold = true
		return d, a, nil
	}
	d.Reason = c.Policy.verdict(d.Stable, d.Canary)
	if d.Reason == "" {
		d.Reason = c.Policy.refusing(d.Stable, d.Canary)
	}
	if d.Reason == "" {
		d.Reason = c.Policy.silent(d.Stable, d.Canary, w)
		d.silent = d.Reason != ""
	}
	d.worse = d.Reason != ""
	if d.Reason == "" {
		d.Reason = "no worse than stable so far"
	}
	return d, a, nil
}

// measureStep reads both versions' figures over the current step into d:
// from the alias's lastModifiedTime to now less the index lag. It answers
// false, and reads nothing, while the step is younger than one SLS second.
// Figures unreadable in part (ErrUnreadable) are kept as far as read.
func (c *Controller) measureStep(ctx context.Context, d *Decision, a Alias) (bool, error) {
	since, err := a.ModifiedAt()
	if err != nil {
		return false, err
	}
	now := c.now()
	d.StepAge = now.Sub(since)
	to := now.Add(-c.Policy.IndexLag)
	if to.Unix() <= since.Unix() {
		return false, nil
	}
	stable, canary, err := measure(ctx, c.Querier, since, to, a.VersionID, d.Canary.Version)
	if err == nil || errors.Is(err, ErrUnreadable) {
		d.Stable, d.Canary = stable, canary
	}
	return true, err
}

// Start gives version its first step on the alias. It refuses while
// another canary runs, or for the alias's own version or an unknown one.
func (c *Controller) Start(ctx context.Context, version string) (Decision, error) {
	d := Decision{Function: c.Function, Alias: c.Alias, Action: ActionStart}
	a, err := c.FC.GetAlias(ctx, c.Function, c.Alias)
	if err != nil {
		return d, fmt.Errorf("release: %w", err)
	}
	d.Stable.Version, d.Canary.Version = a.VersionID, version
	if cur, w := a.Canary(); cur != "" {
		return d, fmt.Errorf("release: version %s already has %g of %s: abort it first", cur, w, c.Alias)
	}
	if version == a.VersionID {
		return d, fmt.Errorf("release: %s already points at version %s", c.Alias, version)
	}
	versions, err := c.FC.ListVersions(ctx, c.Function, 100)
	if err != nil {
		return d, fmt.Errorf("release: %w", err)
	}
	if !slices.ContainsFunc(versions, func(v Version) bool { return v.ID == version }) {
		return d, fmt.Errorf("release: %s has no version %s among its latest %d", c.Function, version, len(versions))
	}
	d.NextWeight = c.Policy.Steps[0]
	d.Reason = "started by an operator"
	changed, err := c.changedSince(ctx, a)
	if err != nil {
		return d, err
	}
	if changed {
		return d, fmt.Errorf("release: start %s: the alias changed while the start was checked (another operator or run acted): look at it again", version)
	}
	if _, err := c.FC.UpdateAlias(ctx, c.Function, c.Alias, a.VersionID, map[string]float64{version: d.NextWeight},
		fmt.Sprintf("release: version %s at %g", version, d.NextWeight)); err != nil {
		return d, fmt.Errorf("release: start %s: %w", version, err)
	}
	return d, updated(c.report(ctx, d))
}

// Abort rolls the running canary back (weight 0) at once. It is the
// emergency brake: the weight is set from the alias alone, before anything
// else; SLS is read afterwards, for the figures the abort is recorded
// with, and an SLS that fails then (an outage, no log:GetLogStoreLogs) is
// reported after the abort (an *UpdatedError), never instead of it.
func (c *Controller) Abort(ctx context.Context, reason string) (Decision, error) {
	d := Decision{Function: c.Function, Alias: c.Alias, Action: ActionIdle}
	a, err := c.FC.GetAlias(ctx, c.Function, c.Alias)
	if err != nil {
		return d, fmt.Errorf("release: %w", err)
	}
	d.Stable.Version = a.VersionID
	canary, w := a.Canary()
	if canary == "" {
		return d, errors.New("release: no canary on " + c.Alias + " to abort")
	}
	d.Action, d.Canary.Version, d.Weight, d.NextWeight, d.Reason = ActionAbort, canary, w, 0, reason
	if _, err := c.FC.UpdateAlias(ctx, c.Function, c.Alias, a.VersionID, map[string]float64{canary: 0},
		"release: version "+canary+" aborted: "+reason); err != nil {
		return d, fmt.Errorf("release: abort %s: %w", canary, err)
	}
	_, err = c.measureStep(ctx, &d, a)
	if err != nil {
		err = fmt.Errorf("release: the abort is recorded without its figures: %w", err)
	}
	return d, updated(errors.Join(err, c.report(ctx, d)))
}

// report records the decision and notifies it when it changed the alias.
func (c *Controller) report(ctx context.Context, d Decision) error {
	if c.Record != nil && d.Action != ActionIdle {
		c.Record(ctx, d)
	}
	if c.Notify != nil && d.Acts() {
		if err := c.Notify(ctx, d); err != nil {
			return fmt.Errorf("release: notify %s: %w", d.Action, err)
		}
	}
	return nil
}
