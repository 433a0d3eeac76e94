package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"smsflow/shared/idem"
	"smsflow/shared/obs"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

// Message is one event-triggered message request (functions/dispatch).
type Message struct {
	// Body is the JSON of POST /v1/messages. It may also carry
	// "idempotency_key" and "traceparent", which are taken out before the
	// request is validated exactly as the HTTP API validates it.
	Body []byte
	// ID is the delivered message's id (the MNS message id, or the
	// CloudEvent id): the idempotency key when the body names none.
	ID string
	// Source names who delivered it; logged as the caller.
	Source string
	// Traceparent is carried by the event envelope, if any; the body's wins.
	Traceparent string
}

// Disposition is what became of a message, and whether to deliver it again.
type Disposition string

// Dispositions. Only Retry asks for the message again.
const (
	DispositionSent     Disposition = "sent"     // accepted, or unknown (may have been sent): never again
	DispositionReplayed Disposition = "replayed" // the store had the answer: nothing sent
	DispositionRefused  Disposition = "refused"  // refused for good (Alibaba, send limit, key reuse)
	DispositionRetry    Disposition = "retry"    // provably not sent, and worth another try
	DispositionPoison   Disposition = "poison"   // unreadable or invalid: logged, dropped
)

// Delivery is Deliver's answer for one message.
type Delivery struct {
	Disposition Disposition
	// HTTPStatus and Code are what the HTTP API would have answered.
	HTTPStatus int
	Code       string
	TraceID    string
}

// envelope are the fields a message body may carry besides the request.
type envelope struct {
	IdempotencyKey *string `json:"idempotency_key"`
	Traceparent    *string `json:"traceparent"`
	// keyNotString: idempotency_key was there but not a JSON string (123,
	// true): refused, as 123, "123" and 1e2 must not become keys by their
	// spelling.
	keyNotString bool
}

// Deliver sends one message the way POST /v1/messages does (validation,
// idempotency, send limits, events), in its own trace.
func (h *Handler) Deliver(ctx context.Context, m Message) (d Delivery) {
	tooLarge := int64(len(m.Body)) > h.maxBody
	body, env := m.Body, envelope{}
	// A repeated key is found before the envelope is split off: taking
	// the envelope out decodes the body into a map, where the last of two
	// keys silently wins.
	var repeated *Error
	if !tooLarge {
		if repeated = scanKeys(m.Body).refusal(); repeated == nil {
			body, env = splitEnvelope(m.Body)
		}
	}
	tp := m.Traceparent
	if env.Traceparent != nil && *env.Traceparent != "" {
		tp = *env.Traceparent
	}
	span := trace.FromHeader(tp)
	ctx = trace.NewContext(ctx, span)
	x := &exchange{start: h.now(), span: span, caller: m.Source, idem: &idemState{keepRefusals: true}}
	rec := &recorder{}
	defer func() {
		if p := recover(); p != nil {
			x.err = newError(http.StatusInternalServerError, CodeInternal, "", "internal error; the trace id identifies it in the logs")
			x.status = x.err.Status
			h.log.LogAttrs(ctx, slog.LevelError, "panic in dispatch", slog.String(obs.KeyErrorMessage, x.scrub(fmt.Sprint(p))))
		}
		h.settle(ctx, x)
		d = disposition(x)
		d.TraceID = span.TraceIDString()
		x.idem.extra = []slog.Attr{slog.String(obs.KeyMessageID, m.ID), slog.String(obs.KeyDisposition, string(d.Disposition))}
		h.logResult(ctx, x)
	}()

	if tooLarge {
		// The HTTP API's limit holds for a message too (413 there).
		h.refuse(rec, x, newError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "",
			fmt.Sprintf("message body is over the %d byte limit", h.maxBody)))
		return
	}
	if repeated != nil {
		h.refuse(rec, x, repeated)
		return
	}
	// An event id is unique only within its source (CloudEvents: source +
	// id), so a key taken from it is scoped by the source. An explicit key
	// is scoped by the source too: two publishers that pick the same key
	// must not replay (or refuse) each other's messages (issue 10.3).
	key, scope := m.ID, "event:"+m.Source
	if env.keyNotString {
		h.refuse(rec, x, newError(http.StatusBadRequest, CodeInvalidIdempotencyKey, "idempotency_key", "idempotency_key must be a JSON string"))
		return
	}
	if env.IdempotencyKey != nil {
		k, err := idem.ParseKey(*env.IdempotencyKey)
		if err != nil {
			h.refuse(rec, x, newError(http.StatusBadRequest, CodeInvalidIdempotencyKey, "idempotency_key", err.Error()))
			return
		}
		key, scope = k, "event-key:"+m.Source
	}
	if key == "" {
		// At-least-once delivery without a key would send every redelivery.
		// The publisher's mistake, not an outage: poison, refused.
		h.refuse(rec, x, newError(http.StatusBadRequest, CodeInvalidIdempotencyKey, "idempotency_key",
			"the message has no idempotency_key and its event no id: nothing to key it by, so it was not sent"))
		return
	}
	if h.idem == nil {
		h.refuse(rec, x, newError(http.StatusServiceUnavailable, CodeIdempotencyStoreDown, "idempotency_key", "there is no idempotency store: nothing is sent without one"))
		return
	}
	x.idem.key, x.idem.hash = key, h.idem.Keyer.Hash(scope, key)
	req, perr := ParseRequest(body)
	if perr != nil {
		h.refuse(rec, x, perr)
		return
	}
	x.req = &req
	obs.LogAttrs(ctx, h.log, slog.LevelInfo, obs.EventRequest, append(h.requestAttrs(x), slog.String(obs.KeyMessageID, m.ID))...)
	if ctx.Err() != nil {
		// The batch's time for sending ran out before this message started
		// (the dispatcher keeps the rest for storing answers and shipping
		// events). Not the store's fault: nothing was claimed or sent, and
		// the redelivery sends it.
		o := sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassTransient, NotAttempted: true,
			Detail: "the invocation's time for sending ran out before this message started; nothing was sent"}
		x.outcome = &o
		h.refuse(rec, x, outcomeError(o))
		return
	}
	w := h.admit(ctx, rec, x)
	if w == nil {
		return
	}
	h.sendAndAnswer(ctx, w, x, req, span)
	return // d is set by the deferred function
}

// splitEnvelope takes idempotency_key and traceparent out of a message
// body. A body that is not a JSON object is returned as is, for
// ParseRequest to refuse with its usual reason.
func splitEnvelope(body []byte) ([]byte, envelope) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return body, envelope{}
	}
	var env envelope
	raw := map[string]*string{"idempotency_key": nil, "traceparent": nil}
	for name := range raw {
		v, ok := fields[name]
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = string(bytes.TrimSpace(v))
			env.keyNotString = env.keyNotString || name == "idempotency_key"
		}
		raw[name] = &s
		delete(fields, name)
	}
	env.IdempotencyKey, env.Traceparent = raw["idempotency_key"], raw["traceparent"]
	if env.IdempotencyKey == nil && env.Traceparent == nil {
		return body, env
	}
	rest, err := json.Marshal(fields)
	if err != nil {
		return body, envelope{}
	}
	return rest, env
}

// disposition reads the final state of a message's exchange.
func disposition(x *exchange) Delivery {
	d := Delivery{HTTPStatus: x.status}
	if x.err != nil {
		d.Code = x.err.Code
	}
	o := x.outcome
	switch {
	case x.idem != nil && x.idem.replayed:
		d.Disposition = DispositionReplayed
	case x.err != nil && x.err.Code == CodeInternal:
		// A panic: whether it happened before or after the call to
		// Alibaba is not known, and the store says unknown. Never again.
		d.Disposition = DispositionSent
	case o == nil && x.err != nil && (x.err.Code == CodeIdempotencyInFlight || x.err.Code == CodeIdempotencyStoreDown) && x.req != nil:
		// Another delivery holds the key, or the store is down: nothing
		// was sent; a later delivery finds the answer or sends.
		d.Disposition = DispositionRetry
	case o == nil:
		// Invalid JSON, an invalid request or key, a reused key.
		d.Disposition = DispositionPoison
		if x.err != nil && x.err.Code == CodeIdempotencyMismatch {
			d.Disposition = DispositionRefused
		}
	case o.Class == classStore:
		d.Disposition = DispositionRetry
	case o.MayHaveSent():
		d.Disposition = DispositionSent
	case o.Retryable(), awaitsOperator(*o):
		// Provably not sent: worth another try, or (credentials, account)
		// kept by EventBridge's retries and then its dead-letter queue
		// until an operator has fixed the cause (the body is in no log).
		d.Disposition = DispositionRetry
	default:
		// Refused by Alibaba, by our send limit, by Alibaba's flow control
		// (its window outlasts EventBridge's retries), or an answer we do
		// not know: logged, not retried.
		d.Disposition = DispositionRefused
	}
	return d
}

// awaitsOperator: nothing was sent, and nothing will be until an operator
// fixes the credentials (RAM role, policy) or the account (balance,
// service, quotas). Such a message is released, never stored as refused.
func awaitsOperator(o sms.Outcome) bool {
	return o.Class == sms.ClassCredentials || o.Class == sms.ClassAccount
}
