package obs

import (
	"context"
	"log/slog"
	"sync"
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
	e := eventFrom(ctx, r, h.fields)
	if b := batchFrom(ctx); b != nil && b.add(e) {
		return nil
	}
	h.ship.Ship(ctx, []Event{e})
	return nil
}

// WithAttrs returns a Handler that adds as to every record.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.fields = append([]Field(nil), h.fields...)
	for _, a := range as {
		c.fields = appendAttr(c.fields, h.group, a)
	}
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
type Batch struct {
	mu     sync.Mutex
	events []Event
	closed bool
}

type batchKey struct{}

// NewBatch returns ctx with an empty batch that Flush will ship.
func NewBatch(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchKey{}, &Batch{})
}

func batchFrom(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

func (b *Batch) add(e Event) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	if b.events == nil {
		b.events = make([]Event, 0, 8)
	}
	b.events = append(b.events, e)
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
