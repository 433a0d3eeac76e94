package alert

import (
	"context"
	"errors"
	"fmt"

	"smsflow/shared/alert/notify"
	"smsflow/shared/redact"
)

// claimAndNotify appends the claims, re-reads the log, and sends only the
// notices of claims this run won: a run that lost a race stays silent.
func (e *Evaluator) claimAndNotify(ctx context.Context, claims []Record, rep *Report) error {
	if err := e.opts.StateLog.Append(ctx, claims); err != nil {
		e.emitError(ctx, "", "state_append", err)
		return fmt.Errorf("alert: append state: %w", err)
	}
	records, err := e.opts.StateLog.Load(ctx)
	if err != nil {
		// Whether we won is unknown: sending could notify twice. The
		// notices stay claimed and are retried once the lease expires.
		e.emitError(ctx, "", "state_reload", err)
		return fmt.Errorf("alert: reload state: %w", err)
	}
	folded := Fold(records)
	var outcomes []Record
	for _, c := range claims {
		if !folded.Won(c) {
			rep.Lost++
			continue
		}
		rep.Transitions++
		e.emitState(ctx, c)
		outcomes = append(outcomes, e.deliver(ctx, c, rep)...)
	}
	if len(outcomes) > 0 {
		if err := e.opts.StateLog.Append(ctx, outcomes); err != nil {
			e.emitError(ctx, "", "state_append", err)
			return fmt.Errorf("alert: append deliveries: %w", err)
		}
	}
	return nil
}

// deliver sends every notice the claim c holds and returns their outcomes.
// A failing channel never stops the others.
func (e *Evaluator) deliver(ctx context.Context, c Record, rep *Report) []Record {
	rule, _ := e.cfg.rule(c.Key.Rule)
	var out []Record
	for ch, n := range c.State.Outbox {
		if n.ClaimID != c.ID {
			continue
		}
		msg := render(notice{rule: rule, key: c.Key, state: *c.State, kind: n.Kind,
			id: deliveryID(c.ID, ch), windowEnd: c.Slot.Add(-e.cfg.Settings.IndexLag)})
		err := e.send(ctx, ch, msg)
		outcome := Record{Type: RecordDelivery, ID: deliveryID(c.ID, ch), RunID: c.RunID, Key: c.Key,
			At: c.Slot, ClaimID: c.ID, Channel: ch, Kind: n.Kind, OK: err == nil, Attempt: n.Attempts + 1}
		var partial *notify.PartialError
		var unknown *notify.UnknownError
		switch {
		case errors.As(err, &partial):
			outcome.OK = true
		case errors.As(err, &unknown):
			// Possibly delivered: settled like a delivery, never retried.
			outcome.Unknown = true
		}
		if err != nil {
			// Every channel's failure becomes text here, for the event and
			// the state log: no credential of its URL may ride along.
			outcome.Error = redact.Error(err).Error()
		}
		switch {
		case outcome.OK:
			rep.Sent++
		case outcome.Unknown:
			rep.DeliveryUnknown++
		default:
			rep.Failed++
		}
		e.emitNotification(ctx, outcome)
		out = append(out, outcome)
	}
	return out
}

func (c *Config) rule(name string) (Rule, bool) {
	for _, r := range c.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// send delivers one message within SendTimeout.
func (e *Evaluator) send(ctx context.Context, channel string, m notify.Message) error {
	ch := e.opts.Channels[channel]
	if ch == nil {
		return fmt.Errorf("channel %q is not configured", channel)
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.SendTimeout)
	defer cancel()
	return ch.Send(ctx, m)
}
