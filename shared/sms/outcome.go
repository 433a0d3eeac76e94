// Package sms sends messages through Dysmsapi and says, for every call, what
// became of it: accepted, refused for good, throttled, failed in a way that
// provably sent nothing (safe to retry), or unknown (it may have been sent:
// never retried, because SendSms is not idempotent).
package sms

import "time"

// Status is the final state of a message request, as logged and answered.
type Status string

const (
	StatusAccepted  Status = "accepted"  // Alibaba took it (BizId issued)
	StatusRejected  Status = "rejected"  // refused for good: fix the request
	StatusThrottled Status = "throttled" // flow control: try again later
	StatusFailed    Status = "failed"    // not sent; the cause is on our or Alibaba's side
	StatusUnknown   Status = "unknown"   // may have been sent: do not resend blindly
	// StatusPartial: the provider sent to some numbers and refused others
	// within one answer (Tencent's per-number SendStatusSet); Numbers says
	// which.
	StatusPartial Status = "partial"
)

// Class says why an outcome is what it is; it drives retries and the HTTP
// answer, and is logged as error_class.
type Class string

const (
	ClassNone        Class = ""
	ClassCaller      Class = "caller"       // bad number, template, sign, params
	ClassFlowControl Class = "flow_control" // isv.BUSINESS_LIMIT_CONTROL: wait for the window
	ClassThrottling  Class = "throttling"   // Throttling.*: API rate, retried with backoff
	ClassTransient   Class = "transient"    // provably not sent: 5xx, isp.SYSTEM_ERROR, refused connection
	ClassAmbiguous   Class = "ambiguous"    // timeout or reset after the request may have arrived
	ClassCredentials Class = "credentials"  // signature, key, token, RAM permission
	ClassAccount     Class = "account"      // balance, service state, account quotas
	ClassUpstream    Class = "upstream"     // an answer we do not recognise
)

// Outcome is what one call (or the last of several) came to.
type Outcome struct {
	Status Status
	Class  Class
	// Code and Message are Alibaba's, when it answered.
	Code    string
	Message string
	// RequestID is Alibaba's request id; BizID identifies an accepted send.
	RequestID string
	BizID     string
	// HTTPStatus is the status of Alibaba's answer (0 when none arrived).
	HTTPStatus int
	// RetryAfter is how long to wait before the same send can succeed.
	RetryAfter time.Duration
	// Detail describes a transport failure (no numbers or params in it).
	Detail string
	// Provider is the provider that produced the outcome (ProviderAlibaba,
	// ProviderTencent); BizID is then that provider's message id.
	Provider string
	// NotAttempted: no call was made, because the invocation's deadline
	// left less time than one call may take. It says nothing about the
	// provider: no circuit breaker counts it and no failover follows.
	NotAttempted bool
	// Numbers is each number's own outcome, in request order, when the
	// provider answers per number (Tencent). Nil when one outcome covers
	// every number (Alibaba).
	Numbers []NumberOutcome
}

// NumberOutcome is one number's outcome inside a provider's answer.
type NumberOutcome struct {
	Index   int    // position in the request
	Masked  string // the number, masked
	Status  Status // accepted, rejected, throttled, failed or unknown
	Class   Class
	Code    string // the provider's code for this number
	Message string
	// MessageID is the provider's id of the accepted message (SerialNo).
	MessageID  string
	RetryAfter time.Duration
}

// MayHaveSent reports whether any message of the request may have gone
// out: what an idempotency key must remember.
func (o Outcome) MayHaveSent() bool {
	return o.Status == StatusAccepted || o.Status == StatusUnknown || o.Status == StatusPartial
}

// Retryable reports whether calling again is both safe and useful.
func (o Outcome) Retryable() bool {
	return o.Class == ClassTransient || o.Class == ClassThrottling
}

// Attempt is one call to Alibaba.
type Attempt struct {
	Number  int // 1-based
	Start   time.Time
	Latency time.Duration
	Outcome Outcome
}
