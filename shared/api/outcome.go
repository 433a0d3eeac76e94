package api

import (
	"net/http"
	"strings"
	"time"

	"smsflow/shared/sms"
)

// outcomeError maps a failed send to the caller's answer. The table is the
// contract documented in README.md ("Upstream outcomes").
func outcomeError(o sms.Outcome) *Error {
	var e *Error
	switch {
	case o.Status == sms.StatusUnknown:
		e = newError(http.StatusGatewayTimeout, CodeOutcomeUnknown, "",
			"the request may have reached Alibaba and the message may have been sent; it was not retried. Check delivery (receipt or QuerySendDetails) before sending again")
	case o.Status == sms.StatusRejected:
		e = newError(http.StatusUnprocessableEntity, CodeUpstreamRejected, upstreamField(o.Code),
			"Alibaba refused the message: "+firstNonEmpty(o.Message, firstNonEmpty(o.Detail, o.Code)))
	case o.Status == sms.StatusThrottled:
		e = newError(http.StatusTooManyRequests, CodeThrottled, "", "Alibaba flow control: "+firstNonEmpty(o.Message, o.Code)+"; retry after the Retry-After delay")
		e.RetryAfter = max(o.RetryAfter, time.Second)
	case o.Class == sms.ClassTransient:
		e = newError(http.StatusServiceUnavailable, CodeUpstreamUnavail, "",
			"the message was provably not sent ("+firstNonEmpty(o.Code, firstNonEmpty(o.Detail, "Alibaba unavailable"))+"); retrying is safe")
		e.RetryAfter = time.Second
	case o.Class == sms.ClassCredentials:
		e = newError(http.StatusBadGateway, CodeUpstreamCreds, "",
			"Alibaba refused the function's credentials ("+firstNonEmpty(o.Code, o.Detail)+"): check the function's RAM role allows dysms:SendSms and that it runs with STS credentials")
	case o.Class == sms.ClassAccount:
		e = newError(http.StatusBadGateway, CodeUpstreamAccount, "",
			"the Alibaba SMS account cannot send ("+o.Code+"): check balance, service state and quotas in the SMS console")
	default:
		e = newError(http.StatusBadGateway, CodeUpstreamError, "", "Alibaba answered "+firstNonEmpty(o.Code, o.Detail))
	}
	e.UpstreamCode = o.Code
	e.Provider = o.Provider
	if o.Provider == sms.ProviderTencent {
		e.Message = strings.NewReplacer("QuerySendDetails", "PullSmsSendStatus",
			"the function's RAM role allows dysms:SendSms and that it runs with STS credentials", "SMSFLOW_TENCENT_SECRET_ID and SMSFLOW_TENCENT_SECRET_KEY",
			"Alibaba SMS account", "Tencent Cloud SMS account", "Alibaba", "Tencent").Replace(e.Message)
	}
	return e
}

// upstreamField points a refusal at the request field it is about.
func upstreamField(code string) string {
	switch {
	case strings.Contains(code, "MOBILE") || strings.Contains(code, "NUMBER"):
		return "phone_numbers"
	case strings.Contains(code, "SIGN"):
		return "sign_name"
	case strings.Contains(code, "PARAM"):
		return "template_params"
	case strings.Contains(code, "TEMPLATE"):
		return "template_code"
	}
	return ""
}
