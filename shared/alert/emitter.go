package alert

import (
	"context"
	"log/slog"
)

// Events the evaluator emits.
const (
	EventState        = "alert.state"        // a won transition that changed status
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
