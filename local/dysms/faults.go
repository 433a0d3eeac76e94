package dysms

import "smsflow/local/faults"

// FaultKind names one way the emulated service can misbehave; Fault is one
// injected misbehaviour (package local/faults keeps the bookkeeping every
// emulator shares).
type (
	FaultKind = faults.Kind
	Fault     = faults.Fault
)

const (
	// FaultLatency accepts the message, then waits Latency before answering:
	// the ambiguous case when the client times out first.
	FaultLatency FaultKind = "latency"
	// FaultHTTP500 and FaultHTTP503 are gateway errors (InternalError,
	// ServiceUnavailable); nothing is sent.
	FaultHTTP500 FaultKind = "http500"
	FaultHTTP503 FaultKind = "http503"
	// FaultSystemError answers HTTP 200 with Code isp.SYSTEM_ERROR.
	FaultSystemError FaultKind = "system_error"
	// FaultThrottlingAPI and FaultThrottlingUser are Alibaba's gateway
	// throttles (HTTP 400, Throttling.Api / Throttling.User).
	FaultThrottlingAPI  FaultKind = "throttling_api"
	FaultThrottlingUser FaultKind = "throttling_user"
	// FaultBusinessLimit answers HTTP 200 isv.BUSINESS_LIMIT_CONTROL
	// (minute window message) whatever the counters say.
	FaultBusinessLimit FaultKind = "business_limit"
	// FaultResetBeforeRead resets the TCP connection before the request is
	// processed: nothing was sent.
	FaultResetBeforeRead FaultKind = "reset_before_read"
	// FaultResetAfterAccept accepts the message, then resets the connection
	// instead of answering: it WAS sent.
	FaultResetAfterAccept FaultKind = "reset_after_accept"
	// FaultGatewayTimeoutAfterAccept accepts the message, then answers as
	// a gateway that gave up waiting: HTTP 504 whose body carries a code
	// the code table would retry (ServiceUnavailable). It WAS sent.
	FaultGatewayTimeoutAfterAccept FaultKind = "gateway_timeout_after_accept"
)

// FaultKinds lists every kind, for validation and documentation.
var FaultKinds = []FaultKind{
	FaultLatency, FaultHTTP500, FaultHTTP503, FaultSystemError, FaultThrottlingAPI,
	FaultThrottlingUser, FaultBusinessLimit, FaultResetBeforeRead, FaultResetAfterAccept,
	FaultGatewayTimeoutAfterAccept,
}

// faultRules are the kinds and actions the Dysmsapi emulator accepts: a
// fault without an action hits the two send actions.
var faultRules = faults.Rules{
	Kinds:          FaultKinds,
	LatencyKinds:   []FaultKind{FaultLatency},
	Actions:        []string{actionSendSms, actionSendBatchSms, actionQueryDetails},
	DefaultActions: []string{actionSendSms, actionSendBatchSms},
}

// Kinds grouped by when they act in a request.
var (
	kindsBeforeRead = []FaultKind{FaultResetBeforeRead}
	kindsAfterAuth  = []FaultKind{FaultHTTP500, FaultHTTP503, FaultSystemError,
		FaultThrottlingAPI, FaultThrottlingUser, FaultBusinessLimit}
)
