package obs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler is the slog.Handler behind every smsflow logger. A record logged
// during a request joins that request's Batch and is shipped, with the rest
// of the request's events, in one synchronous write before the function
// answers (FC 3.0 may freeze the instance the moment it has answered, so
// nothing may be left in a goroutine). A record logged outside a request is
// shipped at once.
type Handler struct {
	level  slog.Leveler
	ship   *Shipper
	fields []Field // from WithAttrs
	group  string
}

// NewHandler returns a Handler that ships through s.
func NewHandler(s *Shipper, level slog.Leveler) *Handler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &Handler{level: level, ship: s}
}

// NewLogger is the logger functions use. The Handler adds the context's
// trace and invocation fields itself (a wrapping handler adding them through
// Record.AddAttrs would copy every record).
func NewLogger(s *Shipper) *slog.Logger {
	return slog.New(NewHandler(s, nil))
}

// Enabled reports whether l is logged.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle flattens the record and batches or ships it.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	h.handle(ctx, &entry{time: r.Time, level: r.Level, msg: r.Message, rec: &r})
	return nil
}

func (h *Handler) handle(ctx context.Context, e *entry) {
	if b := batchFrom(ctx); b != nil && b.record(ctx, e, h.fields) {
		return
	}
	var a arena
	h.ship.Ship(ctx, []Event{eventFrom(ctx, &a, e, h.fields)})
}

// LogAttrs logs as l.LogAttrs does. When l's handler is an obs Handler, the
// event goes to it directly: a slog.Record copies more than five
// attributes to the heap, and an event (sms.result has about twenty) should
// cost no allocation. Any other logger is called as usual.
func LogAttrs(ctx context.Context, l *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) {
	h, ok := l.Handler().(*Handler)
	if !ok {
		l.LogAttrs(ctx, level, msg, attrs...)
		return
	}
	if !h.Enabled(ctx, level) {
		return
	}
	h.handle(ctx, &entry{time: time.Now(), level: level, msg: msg, attrs: attrs})
}

// WithAttrs returns a Handler that adds as to every record.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	a := arena{fields: append([]Field(nil), h.fields...)}
	for _, at := range as {
		appendAttr(&a, h.group, at)
	}
	c.fields = a.fields[:len(a.fields):len(a.fields)]
	return &c
}

// WithGroup returns a Handler that prefixes keys with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

// Batch collects one request's events until Flush; after that, events
// logged with the request's context (a goroutine that outlived it) are
// shipped on their own rather than lost in a batch nobody flushes.
//
// It is built for what a request logs (a request, an attempt and a result
// event): room for them is part of the batch, which is part of the context
// NewBatch returns, so a request's logging costs one allocation, and each
// event none unless it outgrows that room.
type Batch struct {
	// start is when the invocation began: the start of its span when no
	// event says otherwise.
	start  time.Time
	mu     sync.Mutex
	events []Event
	closed bool
	arena  arena

	eventRoom [4]Event
	fieldRoom [128]Field
	textRoom  [256]byte
}

type batchKey struct{}

// batchContext is a context carrying a batch, in one allocation.
type batchContext struct {
	context.Context
	batch Batch
}

func (c *batchContext) Value(key any) any {
	if key == (batchKey{}) {
		return &c.batch
	}
	return c.Context.Value(key)
}

// NewBatch returns ctx with an empty batch that Flush will ship.
func NewBatch(ctx context.Context) context.Context {
	c := &batchContext{Context: ctx}
	b := &c.batch
	b.start = time.Now()
	b.events, b.arena.fields, b.arena.text = b.eventRoom[:0], b.fieldRoom[:0], b.textRoom[:0]
	return c
}

func batchFrom(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

// record adds r as an event, built in the batch's own room, unless the
// batch was flushed. (A LogValuer among r's attributes runs under the
// batch's lock: it must not log with the same context.)
func (b *Batch) record(ctx context.Context, e *entry, pre []Field) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.events = append(b.events, eventFrom(ctx, &b.arena, e, pre))
	return true
}

// close returns the batch's events and makes later adds fail.
func (b *Batch) close() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.events
	b.events, b.closed = nil, true
	return out
}

// Flush ships what ctx's batch holds, synchronously; it never fails (see
// FlushOrFail for a caller whose answer depends on storage).
func (s *Shipper) Flush(ctx context.Context) { _ = s.FlushOrFail(ctx) }
