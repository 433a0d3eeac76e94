package receipts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/obs"
	"smsflow/shared/trace"
)

// PushPathPrefix is where the HTTP push lands: PushPathPrefix + <token>.
// The token is the push URL's secret, because Alibaba's push cannot sign.
const PushPathPrefix = "/v1/receipts/"

// Options wire a Handler.
type Options struct {
	Recorder *Recorder
	Auth     config.ReceiptsAuth
	Logger   *slog.Logger
	// Budget is how long a push may take from its arrival to the answer
	// (SMSFLOW_RECEIPTS_ANSWER_BUDGET); 0 means DefaultAnswerBudget.
	Budget time.Duration
	// Providers whose pushes are served; nil means Alibaba only.
	Providers []Provider
}

// Handler serves the receipt pushes of its Providers (Alibaba's SmsReport
// by default) and /healthz.
type Handler struct {
	rec    *Recorder
	log    *slog.Logger
	hashes [][]byte
	// own holds the hashes of providers with a token of their own, by
	// PathPrefix.
	own       map[string][][]byte
	maxBody   int64
	budget    time.Duration
	providers []Provider
}

// New returns the receipts handler.
func New(o Options) *Handler {
	h := &Handler{rec: o.Recorder, log: o.Logger, maxBody: o.Auth.MaxBodyBytes, budget: o.Budget, providers: o.Providers}
	if len(h.providers) == 0 {
		h.providers = []Provider{Alibaba}
	}
	if h.budget <= 0 {
		h.budget = DefaultAnswerBudget
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxBody <= 0 {
		h.maxBody = 1 << 20
	}
	h.hashes = decodeHashes(o.Auth.TokenSHA256)
	h.own = map[string][][]byte{}
	for _, p := range h.providers {
		if p.TokenSHA256 != nil {
			h.own[p.PathPrefix] = decodeHashes(p.TokenSHA256)
		}
	}
	return h
}

func decodeHashes(hexes []string) [][]byte {
	var out [][]byte
	for _, s := range hexes {
		if b, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(s))); err == nil && len(b) == sha256.Size {
			out = append(out, b)
		}
	}
	return out
}

// hashesFor answers the token hashes that open p's path.
func (h *Handler) hashesFor(p Provider) [][]byte {
	if own, ok := h.own[p.PathPrefix]; ok {
		return own
	}
	return h.hashes
}

// PushEnabled reports whether any push token is configured; without one
// every push is refused, and the function should say so at start.
func (h *Handler) PushEnabled() bool { return len(h.hashes) > 0 }

// answer is the body Alibaba reads (alibabaAnswer).
type answer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// ServeHTTP routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The budget runs from the push's arrival: Alibaba's 700 ms started
	// even earlier.
	ctx, cancel := context.WithTimeout(r.Context(), h.budget)
	defer cancel()
	r = r.WithContext(ctx)
	// A new trace, whatever traceparent came: the push URL is anonymous,
	// and its caller must not choose which message's trace its lines
	// join. Receipts join their sends through out_id, not this span.
	span := trace.NewRoot()
	r = r.WithContext(trace.NewContext(r.Context(), span))
	w.Header().Set("X-Trace-Id", span.TraceIDString())
	if r.URL.Path == "/healthz" {
		writeAnswer(w, http.StatusOK, map[string]any{"status": "ok", "push_enabled": h.PushEnabled()})
		return
	}
	p, ok := h.providerFor(r.URL.Path)
	switch {
	case !ok:
		writeAnswer(w, http.StatusNotFound, answer{http.StatusNotFound, "no route; Alibaba's push URL is " + PushPathPrefix + "<token>"})
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		p.Answer(w, http.StatusMethodNotAllowed, "receipts are pushed with POST")
	default:
		h.push(w, r, p)
	}
}

func (h *Handler) push(w http.ResponseWriter, r *http.Request, p Provider) {
	ctx := r.Context()
	if len(h.hashesFor(p)) == 0 {
		h.log.ErrorContext(ctx, "receipt push refused: no token hash is set for "+p.Name+"'s push, so none can be authenticated")
		p.Answer(w, http.StatusServiceUnavailable, "receipt push is not configured")
		return
	}
	if !tokenValid(h.hashesFor(p), strings.TrimPrefix(r.URL.Path, p.PathPrefix)) {
		// The token is never logged: it is the endpoint's only secret.
		h.log.WarnContext(ctx, "receipt push refused: unknown token in the push URL", slog.String(obs.KeyReceiptSource, p.Source))
		p.Answer(w, http.StatusUnauthorized, "unknown receipt token: check the push URL configured in the "+p.Name+" console")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		status, msg := http.StatusBadRequest, "the body could not be read"
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, "the body is larger than SMSFLOW_RECEIPTS_MAX_BODY_BYTES"
		}
		h.reject(r, p, status, "", msg, len(body))
		p.Answer(w, status, msg)
		return
	}
	reports, err := p.Parse(body)
	if err != nil {
		var pe *ParseError
		field := ""
		if errors.As(err, &pe) {
			field = pe.Field
		}
		h.reject(r, p, http.StatusBadRequest, field, err.Error(), len(body))
		p.Answer(w, http.StatusBadRequest, "bad receipt push: "+err.Error())
		return
	}
	if p.Enrich != nil {
		reports = p.Enrich(ctx, reports)
	}
	if _, err := h.rec.Record(ctx, p.Source, reports); err != nil {
		// Logged with the push's context: past the budget this line goes
		// straight to stdout rather than delay the answer.
		h.log.ErrorContext(ctx, fmt.Sprintf("receipts not recorded within the %s answer budget; answering 500 so Alibaba pushes them again", h.budget),
			slog.String(obs.KeyErrorMessage, err.Error()))
		p.Answer(w, http.StatusInternalServerError, "receipts not recorded; push again")
		return
	}
	p.Answer(w, http.StatusOK, "")
}

// reject logs a refused push as sms.receipt_rejected: a change in Alibaba's
// format shows up in SLS instead of vanishing. Nothing of the body is
// logged but its size: it holds phone numbers.
func (h *Handler) reject(r *http.Request, p Provider, status int, field, reason string, size int) {
	h.log.LogAttrs(r.Context(), slog.LevelWarn, obs.EventReceiptRejected,
		slog.String(obs.KeyReceiptSource, p.Source),
		slog.Int(obs.KeyHTTPStatus, status),
		slog.String(obs.KeyField, field),
		slog.String(obs.KeyErrorMessage, reason),
		slog.Int(obs.KeyBodyBytes, size),
	)
}

// tokenValid compares against every configured hash, so timing tells
// nothing about which one matched.
func tokenValid(hashes [][]byte, token string) bool {
	if token == "" || strings.Contains(token, "/") {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	ok := 0
	for _, want := range hashes {
		ok |= subtle.ConstantTimeCompare(sum[:], want)
	}
	return ok == 1
}

func writeAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
