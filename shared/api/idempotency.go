package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"smsflow/shared/idem"
	"smsflow/shared/obs"
	"smsflow/shared/sms"
)

// Idempotency wires the idempotency store and the per-number send limits
// into the API (docs/idempotency.md).
type Idempotency struct {
	Store  *idem.Store
	Limits idem.Limits
	// Keyer hashes keys and fingerprints payloads; with a shared store every
	// instance must use the same key (SMSFLOW_PHONE_HASH_KEY).
	Keyer *idem.Keyer
}

// Header names of the idempotency contract.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

// Error codes of the idempotency contract (README.md, docs/idempotency.md).
const (
	CodeInvalidIdempotencyKey = "invalid_idempotency_key"
	CodeIdempotencyInFlight   = "idempotency_key_in_flight"
	CodeIdempotencyMismatch   = "idempotency_key_reused"
	CodeIdempotencyStoreDown  = "idempotency_store_unavailable"
	CodeSendLimited           = "send_limited"
)

// Classes of local refusals, logged as error_class.
const (
	classSendLimit sms.Class = "send_limit"
	classStore     sms.Class = "idempotency_store"
)

// idemState is an exchange's idempotency bookkeeping.
type idemState struct {
	key      string // as the caller sent it ("" without one)
	hash     string // keyed hash: what events log and the store key is made of
	claim    idem.Claim
	held     bool // we own the claim and must settle it
	reserved idem.Reservation
	sending  bool // admitted: the sender is (or was) called
	replayed bool
	// keepRefusals (dispatch) stores a refusal for good instead of
	// releasing the key: a redelivery of the batch, caused by another
	// message, then replays it instead of trying it again.
	keepRefusals bool
	rec          *recorder
	extra        []slog.Attr // more sms.result fields (dispatch: message id, disposition)
}

// readIdempotencyKey validates the Idempotency-Key header, if any.
func (h *Handler) readIdempotencyKey(r *http.Request, x *exchange) *Error {
	values := r.Header.Values(HeaderIdempotencyKey)
	if len(values) == 0 {
		return nil
	}
	if len(values) > 1 {
		return newError(http.StatusBadRequest, CodeInvalidIdempotencyKey, "", "send one Idempotency-Key header, not several")
	}
	key, err := idem.ParseKey(values[0])
	if err != nil {
		return newError(http.StatusBadRequest, CodeInvalidIdempotencyKey, "", err.Error())
	}
	if h.idem == nil {
		return newError(http.StatusServiceUnavailable, CodeIdempotencyStoreDown, "", "this deployment has no idempotency store")
	}
	// Keys are per caller, so two callers cannot collide or read each other's answers.
	x.idem = &idemState{key: key, hash: h.idem.Keyer.Hash("http:"+x.callerScope, key)}
	return nil
}

// admit runs the idempotency claim and the send limits before anything is
// sent. It returns nil when it has answered (replay, 409, 422, 429, 503),
// else the writer to answer through (a recorder when the answer must be
// stored).
func (h *Handler) admit(ctx context.Context, w http.ResponseWriter, x *exchange) http.ResponseWriter {
	if h.idem == nil {
		return w
	}
	if x.idem == nil {
		x.idem = &idemState{}
	}
	st := x.idem
	if st.key != "" {
		cl, err := h.idem.Store.Claim(ctx, idem.StoreKey(st.hash), h.idem.Keyer.Fingerprint(*x.req), x.span.TraceIDString())
		if err != nil {
			// Without the store nobody can tell whether this key was sent
			// already: refusing is safe, sending is not.
			h.refuseLocally(w, x, classStore, newError(http.StatusServiceUnavailable, CodeIdempotencyStoreDown, "",
				"the idempotency store cannot be reached, so nothing was sent; retry with the same key"), err)
			return nil
		}
		switch cl.Status {
		case idem.Replay:
			h.replay(w, x, cl.Record)
			return nil
		case idem.InFlight:
			e := newError(http.StatusConflict, CodeIdempotencyInFlight, "", "a request with this Idempotency-Key is still in flight; retry after it has finished")
			e.RetryAfter = time.Second
			h.refuse(w, x, e)
			return nil
		case idem.Mismatch:
			h.refuse(w, x, newError(http.StatusUnprocessableEntity, CodeIdempotencyMismatch, "",
				"this Idempotency-Key was used with a different request; use a new key for a new message"))
			return nil
		}
		st.claim, st.held = cl, true
	}
	if e, err := h.takeSendLimits(ctx, x); e != nil {
		if err == nil && st.held && st.keepRefusals {
			// Our send limit refused it for good: store the answer (settle).
			st.rec, st.sending = &recorder{w: w}, true
			h.refuseLocally(st.rec, x, classSendLimit, e, nil)
			return nil
		}
		h.releaseClaim(ctx, x)
		class := classSendLimit
		if err != nil {
			class = classStore
		}
		h.refuseLocally(w, x, class, e, err)
		return nil
	}
	// The claim becomes a send: from here on a lost owner means "unknown".
	if st.held {
		if err := h.idem.Store.Begin(ctx, st.claim.Key, st.claim.Token); err != nil {
			h.refundLimits(ctx, x)
			h.releaseClaim(ctx, x)
			h.refuseLocally(w, x, classStore, newError(http.StatusServiceUnavailable, CodeIdempotencyStoreDown, "",
				"the idempotency store cannot be reached, so nothing was sent; retry with the same key"), err)
			return nil
		}
		st.rec = &recorder{w: w}
		w = st.rec
	}
	st.sending = true
	return w
}

// takeSendLimits counts the send against the per-number limits. A keyed
// request is refused when the store is down; an unkeyed one goes out
// without the limits (they are a defence, Alibaba's own still apply), with a
// warning.
func (h *Handler) takeSendLimits(ctx context.Context, x *exchange) (*Error, error) {
	kind, windows := h.idem.Limits.For(x.req.TemplateCode)
	if len(windows) == 0 {
		return nil, nil
	}
	hashes := make([]string, len(x.req.Numbers))
	for i, n := range x.req.Numbers {
		hashes[i] = h.hasher.Hash(n)
	}
	res, wait, err := h.idem.Store.Take(ctx, kind, windows, hashes)
	switch {
	case err != nil && x.idem.held:
		return newError(http.StatusServiceUnavailable, CodeIdempotencyStoreDown, "",
			"the idempotency store cannot be reached, so nothing was sent; retry with the same key"), err
	case err != nil:
		h.log.LogAttrs(ctx, slog.LevelWarn, "send limits unavailable, sending without them", slog.String(obs.KeyErrorMessage, err.Error()))
		return nil, nil
	case wait > 0:
		e := newError(http.StatusTooManyRequests, CodeSendLimited, "phone_numbers",
			fmt.Sprintf("per-number send limit of %s templates reached; nothing was sent, retry after the Retry-After delay", kind))
		e.RetryAfter = wait
		return e, nil
	}
	x.idem.reserved = res
	return nil, nil
}

// refuseLocally answers a refusal of our own making and records it as the
// outcome, so sms.result says throttled/failed with its class.
func (h *Handler) refuseLocally(w http.ResponseWriter, x *exchange, class sms.Class, e *Error, cause error) {
	status := sms.StatusFailed
	if class == classSendLimit {
		status = sms.StatusThrottled
	}
	detail := e.Message
	if cause != nil {
		detail = cause.Error()
	}
	x.outcome = &sms.Outcome{Status: status, Class: class, Code: e.Code, Detail: detail, RetryAfter: e.RetryAfter}
	h.refuse(w, x, e)
}

// replay answers with the stored result, byte for byte.
func (h *Handler) replay(w http.ResponseWriter, x *exchange, rec idem.Record) {
	res := rec.Result
	status, body := res.HTTPStatus, []byte(res.Body)
	if res.Abandoned || status == 0 || len(body) == 0 {
		// The first request's owner vanished mid-send: all anyone knows is
		// that the message may have been sent.
		e := outcomeError(sms.Outcome{Status: sms.StatusUnknown, Class: sms.ClassAmbiguous})
		status = e.Status
		body, _ = json.Marshal(errorBody{Status: string(sms.StatusUnknown), Error: e, TraceID: rec.TraceID})
		body = append(body, '\n')
	}
	x.idem.replayed = true
	x.status = status
	x.outcome = &sms.Outcome{Status: sms.Status(res.Status), Class: sms.Class(res.Class), Code: res.Code, BizID: res.BizID, RequestID: res.RequestID}
	w.Header().Set(HeaderReplayed, "true")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// settle ends the claim and the limit reservation once the send is over:
// what was or may have been sent is stored (and counted); what provably
// was not is released (and refunded), so a retry may send.
//
// It runs even when ctx has ended (its time ran out during the call, or
// during a slow store call before it): each store call has its own
// timeout, and an answer not stored, or a claim not released, would leave
// the key in flight and then "unknown" for good, though the SMS was
// accepted, or never sent.
func (h *Handler) settle(ctx context.Context, x *exchange) {
	st := x.idem
	if st == nil || !st.sending {
		return
	}
	ctx = context.WithoutCancel(ctx)
	st.sending = false
	o := x.outcome
	mayHaveSent := o == nil || o.MayHaveSent()
	if !mayHaveSent {
		h.refundLimits(ctx, x)
	}
	if !st.held {
		return
	}
	final := o != nil && (o.Status == sms.StatusRejected || st.keepRefusals && !o.Retryable() && o.Class != classStore && !awaitsOperator(*o))
	if !mayHaveSent && !final {
		h.releaseClaim(ctx, x)
		return
	}
	res := idem.Result{Status: string(sms.StatusUnknown), Class: string(sms.ClassAmbiguous)}
	panicked := x.err != nil && x.err.Code == CodeInternal
	if o != nil && !panicked {
		res = idem.Result{Status: string(o.Status), Class: string(o.Class), Code: o.Code, BizID: o.BizID, RequestID: o.RequestID}
	}
	// A panic mid-send left a 500 behind; what is stored is the truth:
	// unknown, with no body, so replays answer outcome_unknown.
	if o != nil && !panicked && st.rec != nil && st.rec.status != 0 {
		res.HTTPStatus, res.Body = st.rec.status, bytes.Clone(st.rec.body.Bytes())
	}
	if err := h.idem.Store.Complete(ctx, st.claim.Key, st.claim.Token, res); err != nil {
		// The claim stays in flight; once its lease runs out it reads as
		// unknown, never as a licence to send again.
		h.log.LogAttrs(ctx, slog.LevelError, "idempotency answer not stored", slog.String(obs.KeyIdempotencyKey, st.hash),
			slog.String(obs.KeyErrorMessage, err.Error()))
	}
	st.held = false
}

// releaseClaim gives the claim back, even when ctx has ended (see settle).
func (h *Handler) releaseClaim(ctx context.Context, x *exchange) {
	st := x.idem
	if st == nil || !st.held {
		return
	}
	ctx = context.WithoutCancel(ctx)
	st.held = false
	if err := h.idem.Store.Release(ctx, st.claim.Key, st.claim.Token); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "idempotency claim not released", slog.String(obs.KeyIdempotencyKey, st.hash),
			slog.String(obs.KeyErrorMessage, err.Error()))
	}
}

// refundLimits gives back what takeSendLimits counted, when nothing was
// sent. Like releaseClaim and settle, it runs even when ctx has ended (the
// refusal often comes from that very deadline): a count left behind would
// refuse the redelivery of a message that was never sent.
func (h *Handler) refundLimits(ctx context.Context, x *exchange) {
	ctx = context.WithoutCancel(ctx)
	if err := h.idem.Store.Refund(ctx, x.idem.reserved); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "send limit not refunded", slog.String(obs.KeyErrorMessage, err.Error()))
	}
	x.idem.reserved = idem.Reservation{}
}

// idemAttrs are the idempotency fields of every event of an exchange.
func (x *exchange) idemAttrs() []slog.Attr {
	if x.idem == nil || x.idem.hash == "" {
		return nil
	}
	return []slog.Attr{slog.String(obs.KeyIdempotencyKey, x.idem.hash)}
}

// resultIdemAttrs says, on sms.result, whether the answer was replayed.
func (x *exchange) resultIdemAttrs() []slog.Attr {
	if x.idem == nil {
		return nil
	}
	return append([]slog.Attr{slog.Bool(obs.KeyReplayed, x.idem.replayed)}, x.idem.extra...)
}

// idemHealth is what /healthz says about the store.
func (h *Handler) idemHealth(ctx context.Context) map[string]any {
	if h.idem == nil {
		return map[string]any{"idempotency_store": "none"}
	}
	out := map[string]any{"idempotency_store": h.idem.Store.Kind(), "idempotency_retention_s": int(h.idem.Store.Retention().Seconds())}
	if !h.idem.Store.Shared() {
		out["warning"] = MemoryStoreWarning
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := h.idem.Store.Ping(ctx); err != nil {
		out["idempotency_store_reachable"] = false
		out["warning"] = "the idempotency store cannot be reached: requests with an Idempotency-Key answer 503"
		return out
	}
	out["idempotency_store_reachable"] = true
	return out
}

// MemoryStoreWarning is said at start and in /healthz when no shared store
// is configured.
const MemoryStoreWarning = "NO SHARED IDEMPOTENCY STORE (SMSFLOW_REDIS_ADDR unset): Idempotency-Key and send limits hold per instance only, and FC runs one request per instance: concurrent requests with one key, and retries that reach another instance, are sent again"

// recorder keeps the answer written through it (passing it on to w when
// there is one), so the answer can be stored and replayed.
type recorder struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header {
	if r.w != nil {
		return r.w.Header()
	}
	if r.header == nil {
		r.header = http.Header{}
	}
	return r.header
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	if r.w != nil {
		r.w.WriteHeader(code)
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	if r.w != nil {
		return r.w.Write(b)
	}
	return len(b), nil
}
