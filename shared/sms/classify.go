package sms

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/shared/netx"
	"smsflow/shared/redact"
)

// Codes Alibaba answers, by what they mean for us. From the Dysmsapi error
// code reference (see ../shared/docs/platform-facts.md in the steering repo).
var (
	callerCodes = set("isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT",
		"isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_JSON_PARAM", "isv.INVALID_PARAMETERS",
		"isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
		"isv.SIGN_STATE_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.PARAM_LENGTH_LIMIT",
		"isv.PARAM_NOT_SUPPORT_URL", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED", "isv.DENY_IP_RANGE",
		"isv.SMS_TEST_NUMBER_LIMIT", "isv.TEMPLATE_PARAMS_ILLEGAL", "isv.EXTEND_CODE_ERROR")
	accountCodes = set("isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "isv.DAY_LIMIT_CONTROL",
		"isv.MONTH_LIMIT_CONTROL", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL")
	credentialPrefixes = []string{"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken",
		"isp.RAM_PERMISSION_DENY", "Forbidden", "NoPermission", "InvalidTimeStamp", "IncompleteSignature"}
)

func set(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// classifyCode maps an Alibaba answer: first what its HTTP status alone
// settles, then its code (from a 200 body or an error body).
func classifyCode(code string, httpStatus int, now time.Time, message string) (Status, Class, time.Duration) {
	if st, class, ok := classifyStatus(httpStatus); ok {
		return st, class, 0
	}
	switch {
	case code == "OK" && httpStatus >= 200 && httpStatus < 300:
		// "OK" in an error answer is no acceptance (it has no BizId): it
		// falls through to the status rules and the default below.
		return StatusAccepted, ClassNone, 0
	case code == "isv.BUSINESS_LIMIT_CONTROL":
		return StatusThrottled, ClassFlowControl, flowControlWait(message, now)
	case strings.HasPrefix(code, "Throttling"):
		return StatusThrottled, ClassThrottling, time.Second
	case code == "SignatureNonceUsed":
		// Every call signs with a fresh random nonce, so a used nonce means
		// an earlier copy of this very request reached Alibaba (a replaying
		// proxy, a duplicated packet): it may have been sent. Never a retry.
		return StatusUnknown, ClassAmbiguous, 0
	case code == "isp.SYSTEM_ERROR" || code == "ServiceUnavailable":
		return StatusFailed, ClassTransient, 0
	case httpStatus >= 500:
		return StatusFailed, ClassTransient, 0
	case callerCodes[code]:
		return StatusRejected, ClassCaller, 0
	case accountCodes[code]:
		return StatusFailed, ClassAccount, 0
	case hasAnyPrefix(code, credentialPrefixes):
		return StatusFailed, ClassCredentials, 0
	case strings.HasPrefix(code, "isv."):
		// An isv.* code we do not list is still a refusal of this request.
		return StatusRejected, ClassCaller, 0
	default:
		return StatusFailed, ClassUpstream, 0
	}
}

// classifyStatus answers for the HTTP statuses whose meaning no body code
// can change. A gateway (502, 504, or 499 and 520-524 from a proxy or CDN
// in front) answers for its hop, not for Dysmsapi: the request may have
// been processed whatever code its body carries, even one the code table
// would retry (isp.SYSTEM_ERROR) or call a refusal.
func classifyStatus(httpStatus int) (Status, Class, bool) {
	switch {
	case httpStatus == 502 || httpStatus == 504 || httpStatus == 499 ||
		(httpStatus >= 520 && httpStatus <= 524):
		return StatusUnknown, ClassAmbiguous, true
	default:
		return "", ClassNone, false
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

var shanghai = time.FixedZone("CST", 8*3600)

// flowControlWait reads which window Alibaba's flow control hit from its
// message ("触发分钟级流控Permits:1", 小时级, 天级, 号码天级) and answers how long until
// that window turns over. Days turn over at midnight China time.
func flowControlWait(message string, now time.Time) time.Duration {
	switch {
	case strings.Contains(message, "分钟级"):
		return time.Minute
	case strings.Contains(message, "小时级"):
		return time.Hour
	case strings.Contains(message, "天级"):
		local := now.In(shanghai)
		midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, shanghai)
		return midnight.Sub(now).Round(time.Second)
	default:
		return time.Minute
	}
}

// Classify turns what the SDK returned into an Outcome. Its Message and
// Detail are Alibaba's and the transport's raw text, which may echo the
// request: Sender.Send scrubs them (scrub.Text) before anyone sees them.
func Classify(code, message, requestID, bizID string, httpStatus int, err error, now time.Time) Outcome {
	if err != nil {
		return classifyError(err, now)
	}
	st, class, wait := classifyCode(code, httpStatus, now, message)
	o := Outcome{Status: st, Class: class, Code: code, Message: message, RequestID: requestID, HTTPStatus: httpStatus, RetryAfter: wait}
	if st == StatusAccepted {
		o.BizID = bizID
	}
	return o
}

func classifyError(err error, now time.Time) Outcome {
	var sdk *tea.SDKError
	if errors.As(err, &sdk) && sdk.StatusCode != nil {
		var body struct{ Code, Message, RequestId string }
		_ = json.Unmarshal([]byte(tea.StringValue(sdk.Data)), &body)
		code := tea.StringValue(sdk.Code)
		if body.Code != "" {
			code = body.Code
		}
		st, class, wait := classifyCode(code, tea.IntValue(sdk.StatusCode), now, body.Message)
		return Outcome{Status: st, Class: class, Code: code, Message: body.Message, RequestID: body.RequestId,
			HTTPStatus: tea.IntValue(sdk.StatusCode), RetryAfter: wait}
	}
	if netx.NotSent(err) {
		return Outcome{Status: StatusFailed, Class: ClassTransient, Detail: "connection to Dysmsapi failed before the request was sent: " + rootCause(err)}
	}
	// Anything else (a timeout while waiting for the answer, a reset, an
	// answer we cannot parse) happened after the request may have arrived.
	return Outcome{Status: StatusUnknown, Class: ClassAmbiguous, Detail: "outcome unknown, the message may have been sent: " + rootCause(err)}
}

func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return redact.Error(err).Error()
}
