package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"smsflow/shared/api"
	"smsflow/shared/obs"
)

// Sender is what dispatch needs of the API: one message, start to end.
type Sender interface {
	Deliver(ctx context.Context, m api.Message) api.Delivery
}

// Dispatcher sends the messages of EventBridge deliveries.
type Dispatcher struct {
	send     Sender
	log      *slog.Logger
	parallel int
	// reserve is kept free before the invocation's deadline (KeepFree).
	reserve time.Duration
}

// New returns a Dispatcher that sends up to parallel messages of a
// delivery at once (default 4).
func New(s Sender, log *slog.Logger, parallel int) *Dispatcher {
	if parallel < 1 {
		parallel = 4
	}
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{send: s, log: log, parallel: parallel, reserve: Reserve(0, 0)}
}

// KeepFree sets how long before the invocation's deadline the messages'
// sends must have ended (Reserve), and returns d.
func (d *Dispatcher) KeepFree(reserve time.Duration) *Dispatcher {
	d.reserve = reserve
	return d
}

// Reserve is the time a batch keeps free after its last send: storing an
// answer is a read and a compare-and-set, each a Redis call that go-redis
// bounds by its own timeout (not the context's) and retries once after it;
// then one PutLogs ships every event of the batch. Past the invocation's
// deadline FC ends the invocation and all of them are lost. Zero timeouts
// take the defaults (500 ms, 1 s).
func Reserve(redisTimeout, logsTimeout time.Duration) time.Duration {
	if redisTimeout <= 0 {
		redisTimeout = 500 * time.Millisecond
	}
	if logsTimeout <= 0 {
		logsTimeout = time.Second
	}
	return 4*redisTimeout + logsTimeout
}

// sendingTime is ctx with a deadline that keeps d.reserve free before the
// invocation's, but never more than a quarter of the time left.
func (d *Dispatcher) sendingTime(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-min(d.reserve, time.Until(dl)/4)))
}

// Item is one message's outcome in a Summary.
type Item struct {
	MessageID   string          `json:"message_id"`
	Disposition api.Disposition `json:"disposition"`
	HTTPStatus  int             `json:"http_status,omitempty"`
	Code        string          `json:"code,omitempty"`
	TraceID     string          `json:"trace_id,omitempty"`
}

// Summary is what an invocation answers (or reports in its error).
type Summary struct {
	Messages int            `json:"messages"`
	Counts   map[string]int `json:"counts"`
	Items    []Item         `json:"items"`
}

// RetryError fails an invocation while some message is retryable, so that
// EventBridge delivers the batch again. The idempotency store makes the
// redelivery send only those: the others replay their stored answers.
type RetryError struct{ Summary Summary }

func (e *RetryError) Error() string {
	var ids []string
	for _, it := range e.Summary.Items {
		if it.Disposition == api.DispositionRetry {
			ids = append(ids, it.MessageID)
		}
	}
	return fmt.Sprintf("dispatch: %d of %d messages not sent yet and worth retrying (%s); the redelivery sends only those",
		len(ids), e.Summary.Messages, strings.Join(ids, ", "))
}

// Handle sends every message of one delivery. It fails only while some
// message is retryable; sent, replayed, refused and poison messages are
// done (poison ones are logged with their reason, never retried).
func (d *Dispatcher) Handle(ctx context.Context, payload []byte) (Summary, error) {
	msgs, err := decodeDelivery(payload)
	if err != nil {
		// Retrying an unreadable delivery cannot make it readable.
		d.poison(ctx, "", "eventbridge", "malformed_event", err.Error())
		return Summary{Counts: map[string]int{string(api.DispositionPoison): 1}}, nil
	}
	// The messages get the time before the reserve; a message that starts
	// after it is not sent and is retried (api.Handler.Deliver).
	sending, cancel := d.sendingTime(ctx)
	defer cancel()
	items := make([]Item, len(msgs))
	sem := make(chan struct{}, d.parallel)
	var wg sync.WaitGroup
	for i, m := range msgs {
		if m.problem != "" {
			d.poison(ctx, m.id, m.source, "malformed_event", m.problem)
			items[i] = Item{MessageID: m.id, Disposition: api.DispositionPoison, Code: "malformed_event"}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := d.send.Deliver(sending, api.Message{Body: m.body, ID: m.id, Source: m.source, Traceparent: m.traceparent})
			items[i] = Item{MessageID: m.id, Disposition: r.Disposition, HTTPStatus: r.HTTPStatus, Code: r.Code, TraceID: r.TraceID}
		}()
	}
	wg.Wait()
	s := Summary{Messages: len(msgs), Counts: map[string]int{}, Items: items}
	for _, it := range items {
		s.Counts[string(it.Disposition)]++
	}
	if s.Counts[string(api.DispositionRetry)] > 0 {
		return s, &RetryError{Summary: s}
	}
	return s, nil
}

// poison logs an event that cannot be sent, with its reason (never its body).
func (d *Dispatcher) poison(ctx context.Context, id, source, code, reason string) {
	d.log.LogAttrs(ctx, slog.LevelWarn, obs.EventResult,
		slog.String(obs.KeyCaller, source), slog.String(obs.KeyMessageID, id),
		slog.String(obs.KeyStatus, "rejected"), slog.String(obs.KeyErrorClass, "request"),
		slog.String(obs.KeyErrorCode, code), slog.String(obs.KeyErrorMessage, reason),
		slog.String(obs.KeyDisposition, string(api.DispositionPoison)), slog.String(obs.KeyDecision, obs.DecisionRefused))
}
