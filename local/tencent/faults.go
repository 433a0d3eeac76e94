package tencent

import (
	"strings"

	"smsflow/local/faults"
)

// Fault kinds of the Tencent emulator.
const (
	// FaultLatency accepts the message, then waits Latency before answering.
	FaultLatency faults.Kind = "latency"
	// FaultHTTP502 answers 502 with a non-API body, as a gateway in front
	// of the API does when it is down; nothing is sent. The SDK reads the
	// body before the status, so it reports ClientError.ParseJsonError.
	FaultHTTP502 faults.Kind = "http502"
	// FaultRequestLimit answers RequestLimitExceeded (nothing sent).
	FaultRequestLimit faults.Kind = "request_limit"
	// FaultBalance answers FailedOperation.InsufficientBalanceInSmsPackage.
	FaultBalance faults.Kind = "insufficient_balance"
	// FaultInternalTimeout answers InternalError.Timeout after accepting the
	// message: an ambiguous failure whose message WAS sent.
	FaultInternalTimeout faults.Kind = "internal_timeout"
	// FaultBlacklist refuses every number of the request inside a 200
	// answer with FailedOperation.PhoneNumberInBlacklist.
	FaultBlacklist faults.Kind = "number_blacklist"
	// FaultResetBeforeRead resets the connection before reading: not sent.
	FaultResetBeforeRead faults.Kind = "reset_before_read"
	// FaultResetAfterAccept accepts, then resets instead of answering: sent.
	FaultResetAfterAccept faults.Kind = "reset_after_accept"
)

// FaultKinds lists every kind.
var FaultKinds = []faults.Kind{FaultLatency, FaultHTTP502, FaultRequestLimit, FaultBalance,
	FaultInternalTimeout, FaultBlacklist, FaultResetBeforeRead, FaultResetAfterAccept}

const actionSendSms = "SendSms"

var faultRules = faults.Rules{
	Kinds:          FaultKinds,
	LatencyKinds:   []faults.Kind{FaultLatency},
	Actions:        []string{actionSendSms},
	DefaultActions: []string{actionSendSms},
}

// Kinds grouped by when they act.
var (
	kindsInsteadOfSend = []faults.Kind{FaultHTTP502, FaultRequestLimit, FaultBalance}
	kindsPerNumber     = []faults.Kind{FaultBlacklist}
	kindsAfterAccept   = []faults.Kind{FaultLatency, FaultInternalTimeout, FaultResetAfterAccept}
)

// reservedNumbers are the numbers that misbehave (docs/local-tencent.md,
// keep the two in step). They sit in their own range, apart from the
// Dysmsapi emulator's 1380000xxxx, so a failover test can send one number
// to both emulators and steer each on its own.
var reservedNumbers = map[string]reserved{
	"+8616600000001": {fault: FaultHTTP502},
	"+8616600000002": {fault: FaultRequestLimit},
	"+8616600000003": {fault: FaultBalance},
	"+8616600000004": {fault: FaultInternalTimeout},
	"+8616600000005": {fault: FaultResetBeforeRead},
	"+8616600000006": {fault: FaultResetAfterAccept},
	"+8616600000007": {fault: FaultLatency},
	"+8616600000008": {number: numberBlacklist},
	"+8616600000009": {number: numberDailyLimit},
	"+8616600000010": {receipt: "FAIL"},
	"+8616600000011": {receipt: "none"},
}

type reserved struct {
	fault   faults.Kind
	number  apiError // a per-number refusal inside a 200 answer
	receipt string   // "FAIL": delivery fails; "none": no receipt ever
}

func reservedLookup(raw string) (string, faults.Reserved, bool) {
	p, ok := normalisePhone(raw)
	if !ok {
		return "", faults.Reserved{}, false
	}
	r, ok := reservedNumbers[p]
	return p, faults.Reserved{Kind: r.fault}, ok
}

// normalisePhone answers the E.164 form Tencent records: +86 for mainland
// numbers written without a country code (Tencent accepts them), "+" and
// digits otherwise. ok is false for what Tencent answers
// InvalidParameterValue.IncorrectPhoneNumber.
func normalisePhone(raw string) (string, bool) {
	s := strings.TrimSpace(raw)
	plus := strings.HasPrefix(s, "+")
	s = strings.TrimPrefix(s, "+")
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return "", false
	}
	if !plus {
		if len(s) == 11 && s[0] == '1' {
			return "+86" + s, true
		}
		return "", false
	}
	if rest, ok := strings.CutPrefix(s, "86"); ok {
		if len(rest) != 11 || rest[0] != '1' || rest[1] < '3' {
			return "", false
		}
		return "+" + s, true
	}
	if len(s) < 8 || len(s) > 15 || s[0] == '0' {
		return "", false
	}
	return "+" + s, true
}

func isMainland(e164 string) bool { return strings.HasPrefix(e164, "+86") }

// maskPhone keeps the country code and the last 4 digits.
func maskPhone(p string) string {
	if len(p) <= 7 {
		return "****"
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}
