package alert

import (
	"context"
	"log/slog"

	"smsflow/shared/redact"
)

// Events the evaluator emits.
const (
	EventTransition   = "alert.transition"   // a won transition that changed status (the StateLog has the alert.state records)
	EventNotification = "alert.notification" // one notice sent or failed
	EventError        = "alert.error"        // a rule that could not be evaluated, or a store failure
	EventRun          = "alert.run"          // one summary per run
)

// Emitter receives the alert.* events. The lead backs it with the obs
// slog handler that ships to SLS; attrs use the event field names.
type Emitter interface {
	Emit(ctx context.Context, level slog.Level, event string, attrs ...slog.Attr)
}

// SlogEmitter logs each event as a record whose message is the event name
// and which carries an `event` attribute too.
type SlogEmitter struct{ Logger *slog.Logger }

func (e SlogEmitter) Emit(ctx context.Context, level slog.Level, event string, attrs ...slog.Attr) {
	e.Logger.LogAttrs(ctx, level, event, append([]slog.Attr{slog.String("event", event)}, attrs...)...)
}

// nopEmitter drops events; used when the caller gives none.
type nopEmitter struct{}

func (nopEmitter) Emit(context.Context, slog.Level, string, ...slog.Attr) {}

func (e *Evaluator) emitState(ctx context.Context, c Record) {
	if c.From == c.State.Status {
		return
	}
	e.emit.Emit(ctx, slog.LevelInfo, EventTransition, slog.String("rule", c.Key.Rule), slog.String("group", c.Key.Group),
		slog.String("from", string(c.From)), slog.String("to", string(c.State.Status)),
		slog.Float64("value", c.State.Value), slog.Int64("samples", c.State.Samples),
		slog.String("transition_id", c.ID), slog.String("run_id", c.RunID))
}

func (e *Evaluator) emitNotification(ctx context.Context, o Record) {
	level, delivery := slog.LevelInfo, "delivered"
	switch {
	case o.Unknown:
		level, delivery = slog.LevelWarn, "unknown"
	case o.OK && o.Error != "":
		level, delivery = slog.LevelWarn, "partial"
	case o.Error != "":
		level, delivery = slog.LevelWarn, "failed"
	}
	e.emit.Emit(ctx, level, EventNotification, slog.String("rule", o.Key.Rule), slog.String("group", o.Key.Group),
		slog.String("channel", o.Channel), slog.String("kind", string(o.Kind)), slog.Bool("ok", o.OK),
		slog.String("delivery", delivery), slog.Int("attempt", o.Attempt), slog.String("error_message", o.Error),
		slog.String("notice_id", o.ID))
}

func (e *Evaluator) emitError(ctx context.Context, rule, stage string, err error) {
	e.emit.Emit(ctx, slog.LevelError, EventError, slog.String("rule", rule), slog.String("stage", stage),
		slog.String("error_message", redact.Error(err).Error()))
}
