// Package api is smsflow's HTTP API as an ordinary http.Handler: the same
// value serves under net/http and, through shared/fchttp, behind the FC HTTP
// trigger.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

// Sender is what the API needs of shared/sms.
type Sender interface {
	Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt)
}

// Options wires a Handler.
type Options struct {
	Sender Sender
	Auth   config.HTTPAuth
	Logger *slog.Logger
	// Hasher pseudonymises numbers in events (keyed HMAC).
	Hasher *phone.Hasher
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// Idempotency is the idempotency store and send limits; nil: neither
	// (an Idempotency-Key is then refused).
	Idempotency *Idempotency
}

// Handler serves the routes documented in README.md.
type Handler struct {
	sender  Sender
	auth    *authenticator
	log     *slog.Logger
	hasher  *phone.Hasher
	maxBody int64
	now     func() time.Time
	idem    *Idempotency
}

// New returns the API handler.
func New(o Options) *Handler {
	h := &Handler{sender: o.Sender, auth: newAuthenticator(o.Auth), log: o.Logger, hasher: o.Hasher,
		maxBody: o.Auth.MaxBodyBytes, now: o.Now, idem: o.Idempotency}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxBody <= 0 {
		h.maxBody = 64 << 10
	}
	if h.hasher == nil {
		h.hasher = phone.NewHasher(nil)
	}
	if h.auth.trusted && len(h.auth.tokens) > 0 {
		// FC refuses bearer headers at a signed trigger, and so do we.
		h.log.Warn("SMSFLOW_API_TOKEN_SHA256 is set but SMSFLOW_TRIGGER_AUTH is 'function': bearer tokens are refused in this mode; leave it empty")
	}
	return h
}

// SendingEnabled reports whether any caller can be authenticated; a process
// that cannot should say so loudly at start.
func (h *Handler) SendingEnabled() bool { return h.auth.configured() }

// ServeHTTP starts (or continues) the trace, then routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	span := trace.FromHeader(r.Header.Get(trace.Header))
	ctx := trace.NewContext(r.Context(), span)
	r = r.WithContext(ctx)
	w.Header().Set(trace.Header, span.Traceparent())
	w.Header().Set("X-Trace-Id", span.TraceIDString())

	switch r.URL.Path {
	case "/v1/messages":
		if r.Method != http.MethodPost {
			h.refuseMethod(w, span, http.MethodPost)
			return
		}
		h.send(w, r, span)
	case "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.refuseMethod(w, span, "GET, HEAD")
			return
		}
		h.health(r.Context(), w, span)
	default:
		writeError(w, span.TraceIDString(), newError(http.StatusNotFound, CodeNotFound, "", "no such path; the API is POST /v1/messages and GET /healthz (README.md)"))
	}
}

func (h *Handler) refuseMethod(w http.ResponseWriter, span trace.SpanContext, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, span.TraceIDString(), newError(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "", "method not allowed; use "+allow))
}

// health answers without touching Alibaba.
func (h *Handler) health(ctx context.Context, w http.ResponseWriter, span trace.SpanContext) {
	body := map[string]any{
		"status":          "ok",
		"sending_enabled": h.auth.configured(),
		"trace_id":        span.TraceIDString(),
	}
	for k, v := range h.idemHealth(ctx) {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}
