package alert

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"smsflow/shared/alert/notify"
	"smsflow/shared/redact"
)

// claimAndNotify appends the claims, re-reads the log, and sends only the
// notices of claims this run won: a run that lost a race stays silent.
func (e *Evaluator) claimAndNotify(ctx context.Context, claims []Record, rep *Report, clock func() time.Time) error {
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
	var sends []*delivery
	for _, c := range claims {
		if !folded.Won(c) {
			rep.Lost++
			continue
		}
		rep.Transitions++
		e.emitState(ctx, c)
		sends = append(sends, e.owed(c)...)
	}
	e.sendAll(ctx, sends, clock)
	var outcomes []Record
	for _, d := range sends {
		outcomes = append(outcomes, e.outcome(ctx, d, rep))
	}
	if len(outcomes) > 0 {
		if err := e.opts.StateLog.Append(ctx, outcomes); err != nil {
			e.emitError(ctx, "", "state_append", err)
			return fmt.Errorf("alert: append deliveries: %w", err)
		}
	}
	return nil
}

// delivery is one notice of a won claim on one channel, and how sending
// it went.
type delivery struct {
	claim   Record
	channel string
	notice  Notice
	msg     notify.Message
	err     error
	// tried is false when the notice was not attempted (see sendAll).
	tried bool
}

// owed lists the notices the claim c holds.
func (e *Evaluator) owed(c Record) []*delivery {
	rule, _ := e.cfg.rule(c.Key.Rule)
	var out []*delivery
	for ch, n := range c.State.Outbox {
		if n.ClaimID != c.ID {
			continue
		}
		msg := render(notice{rule: rule, key: c.Key, state: *c.State, kind: n.Kind,
			id: deliveryID(c.ID, ch), windowEnd: c.Slot.Add(-e.cfg.Settings.IndexLag)})
		out = append(out, &delivery{claim: c, channel: ch, notice: n, msg: msg})
	}
	return out
}

// sendAll sends every delivery: each channel on its own goroutine (a slow
// or hanging channel holds no other back), its notices one after another.
// A notice is not attempted, and so is retried by the next run, when
//   - an earlier notice of this run used up the channel's whole send
//     timeout: a hanging channel costs one timeout a run, not one per
//     notice, which would run the invocation past its own timeout;
//   - the send timeout would not fit before ctx's deadline (less the
//     AppendReserve kept for recording the outcomes): a send cut off after
//     leaving is an unknown delivery, never retried, so the alert would
//     have fired without a word;
//   - the send and its record would not fit in the claim's lease (less
//     LeaseMargin): once the lease ends another run may take the notice
//     over and send it too, two pages for one firing.
func (e *Evaluator) sendAll(ctx context.Context, sends []*delivery, clock func() time.Time) {
	byChannel := map[string][]*delivery{}
	for _, d := range sends {
		byChannel[d.channel] = append(byChannel[d.channel], d)
	}
	var wg sync.WaitGroup
	for ch, ds := range byChannel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var skip string
			for _, d := range ds {
				if skip == "" && !e.sendFits(ctx) {
					skip = "the invocation's deadline is too near for the send timeout"
				}
				if skip == "" && !e.leaseFits(d.notice, clock()) {
					skip = fmt.Sprintf("the claim's %s delivery lease would end before the send and its record could", e.cfg.Settings.DeliveryLease)
				}
				if skip != "" {
					d.err = fmt.Errorf("not attempted: %s", skip)
					continue
				}
				d.tried = true
				var timedOut, panicked bool
				d.err, timedOut, panicked = e.safeSend(ctx, ch, d.msg)
				switch {
				case panicked:
					skip = "the channel panicked on an earlier notice in this run"
				case timedOut:
					skip = fmt.Sprintf("an earlier notice on this channel used up the %s send timeout in this run", e.opts.SendTimeout)
				}
			}
		}()
	}
	wg.Wait()
}

// sendFits reports whether a send timeout, and the reserve for recording
// outcomes after it, fit before ctx's deadline.
func (e *Evaluator) sendFits(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) >= e.opts.SendTimeout+e.opts.AppendReserve
}

// leaseFits reports whether a send timeout and the record after it end,
// by the wall clock now, LeaseMargin before the lease of n's claim does:
// until then no other run takes the notice over (claimExpired).
func (e *Evaluator) leaseFits(n Notice, now time.Time) bool {
	end := n.ClaimedAt.Add(e.cfg.Settings.DeliveryLease - LeaseMargin)
	return !now.Add(e.opts.SendTimeout + e.opts.AppendReserve).After(end)
}

// outcome turns a delivery into its state-log record, counts it in the
// report and emits its alert.notification event.
func (e *Evaluator) outcome(ctx context.Context, d *delivery, rep *Report) Record {
	c, n, err := d.claim, d.notice, d.err
	attempt := n.Attempts
	if d.tried {
		attempt++
	}
	outcome := Record{Type: RecordDelivery, ID: deliveryID(c.ID, d.channel), RunID: c.RunID, Key: c.Key,
		At: c.Slot, ClaimID: c.ID, Channel: d.channel, Kind: n.Kind, OK: err == nil, Attempt: attempt}
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
	return outcome
}

func (c *Config) rule(name string) (Rule, bool) {
	for _, r := range c.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// safeSend is send on a goroutine of sendAll, where a panic would end the
// process (the FC SDK recovers the handler's goroutine only) and lose
// every outcome of the run. A panic may strike after the request left, so
// it is an unknown delivery: not sent again.
func (e *Evaluator) safeSend(ctx context.Context, channel string, m notify.Message) (err error, timedOut, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			err, timedOut, panicked = &notify.UnknownError{Err: fmt.Errorf("channel %q panicked: %v", channel, p)}, false, true
		}
	}()
	err, timedOut = e.send(ctx, channel, m)
	return err, timedOut, false
}

// send delivers one message within SendTimeout; timedOut says the
// channel was still busy with it when that ran out.
func (e *Evaluator) send(ctx context.Context, channel string, m notify.Message) (err error, timedOut bool) {
	ch := e.opts.Channels[channel]
	if ch == nil {
		return fmt.Errorf("channel %q is not configured", channel), false
	}
	sendCtx, cancel := context.WithTimeout(ctx, e.opts.SendTimeout)
	defer cancel()
	err = ch.Send(sendCtx, m)
	return err, err != nil && ctx.Err() == nil && errors.Is(sendCtx.Err(), context.DeadlineExceeded)
}
