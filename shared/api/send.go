package api

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"smsflow/shared/obs"
	"smsflow/shared/scrub"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

type acceptedBody struct {
	Status string `json:"status"`
	// Provider sent it; MessageID is that provider's message id (Alibaba's
	// BizId, Tencent's SerialNo per number, comma-separated). BizID
	// repeats it under its original name.
	Provider          string         `json:"provider"`
	MessageID         string         `json:"message_id"`
	BizID             string         `json:"biz_id"`
	UpstreamRequestID string         `json:"upstream_request_id"`
	TraceID           string         `json:"trace_id"`
	Numbers           []numberResult `json:"numbers,omitempty"`
}

// numberResult is one number's outcome when the provider answers per
// number: with status "partial" the numbers say which were not sent.
type numberResult struct {
	Index     int    `json:"index"`
	Phone     string `json:"phone_masked"`
	Status    string `json:"status"`
	MessageID string `json:"message_id,omitempty"`
	Code      string `json:"upstream_code,omitempty"`
	Message   string `json:"message,omitempty"`
}

func numberResults(ns []sms.NumberOutcome) []numberResult {
	if ns == nil {
		return nil
	}
	out := make([]numberResult, len(ns))
	for i, n := range ns {
		out[i] = numberResult{Index: n.Index, Phone: n.Masked, Status: string(n.Status), MessageID: n.MessageID, Message: n.Message}
		if n.Status != sms.StatusAccepted {
			out[i].Code = n.Code
		}
	}
	return out
}

// exchange is one POST /v1/messages as it goes: what we know so far, so the
// sms.result event can be written whatever path (or panic) ends it.
type exchange struct {
	start  time.Time
	span   trace.SpanContext
	caller string // logged
	// callerScope keeps idempotency keys of different callers apart.
	callerScope string
	req         *sms.Request
	outcome     *sms.Outcome
	attempts    int
	status      int
	err         *Error
	idem        *idemState // idempotency key, claim and send-limit reservation
	// described holds the request's fields for events, computed once: a
	// request logs at least three events, and hashing up to 1000 numbers
	// for each would be work done again and again.
	described []slog.Attr
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request, span trace.SpanContext) {
	ctx := r.Context()
	x := &exchange{start: h.now(), span: span}
	defer func() {
		if p := recover(); p != nil {
			x.err = newError(http.StatusInternalServerError, CodeInternal, "", "internal error; the trace id identifies it in the logs")
			x.status = x.err.Status
			h.log.LogAttrs(ctx, slog.LevelError, "panic in send handler", slog.String(obs.KeyErrorMessage, x.scrub(fmt.Sprint(p))))
			writeError(w, span.TraceIDString(), x.err)
		}
		h.settle(ctx, x)
		h.logResult(ctx, x)
	}()

	who, aerr := h.auth.check(r, h.log)
	if aerr != nil {
		h.refuse(w, x, aerr)
		return
	}
	x.caller, x.callerScope = who.name, who.scope
	if kerr := h.readIdempotencyKey(r, x); kerr != nil {
		h.refuse(w, x, kerr)
		return
	}
	req, derr := DecodeRequest(r, h.maxBody)
	if derr != nil {
		h.refuse(w, x, derr)
		return
	}
	x.req = &req
	obs.LogAttrs(ctx, h.log, slog.LevelInfo, obs.EventRequest, h.requestAttrs(x)...)
	// Replays, 409/422, send limits and a store that is down answer here.
	if w = h.admit(ctx, w, x); w == nil {
		return
	}

	h.sendAndAnswer(ctx, w, x, req, span)
}

// sendAndAnswer calls Alibaba for a validated, admitted request, logging
// each attempt as it ends, and writes the answer: the same for the HTTP API
// and for event-triggered messages.
func (h *Handler) sendAndAnswer(ctx context.Context, w http.ResponseWriter, x *exchange, req sms.Request, span trace.SpanContext) {
	out, attempts := h.sender.Send(ctx, req, func(ctx context.Context, a sms.Attempt) {
		x.attempts = a.Number
		x.outcome = &a.Outcome
		h.logAttempt(ctx, x, a)
	})
	x.outcome, x.attempts = &out, len(attempts)
	if out.Status == sms.StatusAccepted || out.Status == sms.StatusPartial {
		x.status = http.StatusOK
		writeJSON(w, http.StatusOK, acceptedBody{Status: string(out.Status), Provider: out.Provider, MessageID: out.BizID,
			BizID: out.BizID, UpstreamRequestID: out.RequestID, TraceID: span.TraceIDString(), Numbers: numberResults(out.Numbers)})
		return
	}
	h.refuse(w, x, outcomeError(out))
}

// scrub makes text about to be logged (a panic's message) safe: the
// request's own numbers and template parameter values are hidden, whatever
// their length, then any run of digits long enough to be a number.
func (x *exchange) scrub(s string) string {
	if x.req == nil {
		return scrub.Digits(s)
	}
	return scrub.Text(s, x.req.Numbers, slices.Collect(maps.Values(x.req.TemplateParams)))
}

func (h *Handler) refuse(w http.ResponseWriter, x *exchange, e *Error) {
	x.err, x.status = e, e.Status
	writeError(w, x.span.TraceIDString(), e)
}

// requestAttrs are the fields every event of a request repeats.
func (h *Handler) requestAttrs(x *exchange) []slog.Attr {
	attrs := append([]slog.Attr{slog.String(obs.KeyCaller, x.caller)}, x.idemAttrs()...)
	if x.req == nil {
		return attrs
	}
	if x.described == nil {
		x.described = h.describe(x.req)
	}
	return append(attrs, x.described...)
}

// describe renders a request's fields for events: numbers masked and
// hashed, template parameters by name only.
func (h *Handler) describe(req *sms.Request) []slog.Attr {
	masked := make([]string, len(req.Numbers))
	hashes := make([]string, len(req.Numbers))
	countries := map[string]bool{}
	for i, n := range req.Numbers {
		masked[i], hashes[i] = n.Masked(), h.hasher.Hash(n)
		countries[n.CountryCode()] = true
	}
	keys := make([]string, 0, len(req.TemplateParams))
	for k := range req.TemplateParams {
		keys = append(keys, safeName(k)) // a name may hide a number
	}
	sort.Strings(keys)
	return []slog.Attr{
		slog.String(obs.KeyPhoneMasked, strings.Join(masked, ",")),
		slog.String(obs.KeyPhoneHash, strings.Join(hashes, ",")),
		slog.String(obs.KeyCountryCode, strings.Join(sortedKeys(countries), ",")),
		slog.Int(obs.KeyNumberCount, len(req.Numbers)),
		slog.String(obs.KeySignName, req.SignName),
		slog.String(obs.KeyTemplateCode, req.TemplateCode),
		slog.String(obs.KeyTemplateParamKeys, strings.Join(keys, ",")),
		slog.String(obs.KeyOutID, req.OutID),
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func outcomeAttrs(o sms.Outcome) []slog.Attr {
	if o.Status == sms.StatusAccepted {
		// Alibaba's "OK"/"OK" is not an error: keep error fields for errors,
		// so top-error-code charts need no special case.
		o.Code, o.Message = "", ""
	}
	return []slog.Attr{
		slog.String(obs.KeyProvider, o.Provider),
		slog.String(obs.KeyStatus, string(o.Status)),
		slog.String(obs.KeyBizID, o.BizID),
		slog.String(obs.KeyUpstreamRequestID, o.RequestID),
		slog.String(obs.KeyErrorCode, o.Code),
		slog.String(obs.KeyErrorClass, string(o.Class)),
		slog.String(obs.KeyErrorMessage, firstNonEmpty(o.Message, o.Detail)),
		slog.Bool(obs.KeyRetryable, o.Retryable()),
		slog.Int(obs.KeyUpstreamStatus, o.HTTPStatus),
	}
}

func (h *Handler) logAttempt(ctx context.Context, x *exchange, a sms.Attempt) {
	child := x.span.Child()
	attrs := append(h.requestAttrs(x), outcomeAttrs(a.Outcome)...)
	attrs = append(attrs, slog.Int(obs.KeyAttempt, a.Number), slog.Int64(obs.KeyLatencyMS, a.Latency.Milliseconds()))
	level := slog.LevelInfo
	if a.Outcome.Status != sms.StatusAccepted {
		level = slog.LevelWarn
	}
	obs.LogAttrs(trace.NewContext(ctx, child), h.log, level, obs.EventAttempt, attrs...)
}

func (h *Handler) logResult(ctx context.Context, x *exchange) {
	attrs := h.requestAttrs(x)
	status := string(sms.StatusRejected)
	if x.outcome == nil && x.status >= 500 {
		// Our own failure (a panic, a store that is down) before any
		// outcome: not the caller's fault, so not "rejected".
		status = string(sms.StatusFailed)
	}
	if x.outcome != nil {
		attrs = append(attrs, outcomeAttrs(*x.outcome)...)
		status = string(x.outcome.Status)
	} else {
		attrs = append(attrs, slog.String(obs.KeyStatus, status))
	}
	attrs = append(attrs, slog.String(obs.KeyDecision, x.decision()))
	if x.err != nil && x.outcome == nil {
		attrs = append(attrs, slog.String(obs.KeyErrorCode, x.err.Code), slog.String(obs.KeyErrorClass, "request"),
			slog.String(obs.KeyErrorMessage, x.err.Message), slog.String(obs.KeyField, x.err.Field))
	}
	attrs = append(attrs, x.resultIdemAttrs()...)
	attrs = append(attrs,
		slog.Int(obs.KeyAttempts, x.attempts),
		slog.Int(obs.KeyHTTPStatus, x.status),
		slog.Int64(obs.KeyDurationMS, h.now().Sub(x.start).Milliseconds()),
	)
	level := slog.LevelInfo
	switch {
	case x.status >= 500:
		level = slog.LevelError
	case x.status >= 400:
		level = slog.LevelWarn
	}
	obs.LogAttrs(ctx, h.log, level, obs.EventResult, attrs...)
}

// decision says whether the request came to a send decision, for the rules
// that measure sending (obs.KeyDecision).
func (x *exchange) decision() string {
	switch {
	case x.idem != nil && x.idem.replayed:
		return obs.DecisionReplayed
	case x.outcome != nil && x.outcome.Class == classSendLimit:
		// Our per-number limit refused the request: the caller's doing.
		return obs.DecisionRefused
	case x.outcome != nil, x.status >= 500:
		// Alibaba's outcome, or ours when our side failed: both count.
		return obs.DecisionSend
	default:
		return obs.DecisionRefused
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
