package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Error is a refusal as the caller sees it: `{"error":{...}}` with a stable,
// machine-readable code and, where it applies, the field at fault. Messages
// name fields and positions, never the values (numbers and OTPs).
type Error struct {
	Status       int    `json:"-"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	Field        string `json:"field,omitempty"`
	UpstreamCode string `json:"upstream_code,omitempty"`
	// Provider is the SMS provider whose outcome this is, when one answered.
	Provider   string        `json:"provider,omitempty"`
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, field, message string) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: message}
}

type errorBody struct {
	Status  string `json:"status,omitempty"`
	Error   *Error `json:"error"`
	TraceID string `json:"trace_id"`
}

func writeError(w http.ResponseWriter, traceID string, e *Error) {
	body := errorBody{Error: e, TraceID: traceID}
	if e.Code == CodeOutcomeUnknown {
		body.Status = "unknown"
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="smsflow"`)
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error codes: the API's contract, documented in README.md.
const (
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeUnauthenticated   = "unauthenticated"
	CodeAuthNotConfigured = "auth_not_configured"
	CodeUnsupportedMedia  = "unsupported_media_type"
	CodeBodyTooLarge      = "body_too_large"
	CodeMalformedJSON     = "malformed_json"
	CodeUnknownField      = "unknown_field"
	CodeRepeatedField     = "repeated_field"
	CodeMissingField      = "missing_field"
	CodeInvalidField      = "invalid_field"
	CodeUnprintable       = "unprintable_character"
	CodeInvalidPhone      = "invalid_phone_number"
	CodeDuplicatePhone    = "duplicate_phone_number"
	CodeUpstreamRejected  = "upstream_rejected"
	CodeThrottled         = "throttled"
	CodeUpstreamUnavail   = "upstream_unavailable"
	CodeOutcomeUnknown    = "outcome_unknown"
	CodeUpstreamCreds     = "upstream_credentials"
	CodeUpstreamAccount   = "upstream_account"
	CodeUpstreamError     = "upstream_error"
	CodeInternal          = "internal_error"
)
