package sms

import (
	"errors"
	"strings"
	"time"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"

	"smsflow/shared/netx"
)

// Tencent's codes (sms/v20210111/errors.go, doc 382/59177, platform facts).
var (
	// Refusals of the whole request for a reason on the account's side at
	// Tencent: nothing sent, and an operator must act.
	tencentAccountCodes = set("FailedOperation.InsufficientBalanceInSmsPackage",
		"FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.TemplateIncorrectOrUnapproved",
		"FailedOperation.TemplateUnapprovedOrNotExist", "UnauthorizedOperation.ServiceSuspendDueToArrears",
		"UnauthorizedOperation.SdkAppIdIsDisabled", "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
		"UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny",
		"UnauthorizedOperation.RequestIpNotInWhitelist", "UnauthorizedOperation.RequestPermissionDeny",
		"InvalidParameterValue.SdkAppIdNotExist", "LimitExceeded.AppDailyLimit",
		"LimitExceeded.AppGlobalDailyLimit", "LimitExceeded.AppMainlandChinaDailyLimit",
		"LimitExceeded.AppCountryOrRegionDailyLimit", "LimitExceeded.DailyLimit")
	// Per-number refusals: the number, not the request, is the problem.
	tencentNumberRefusals = set("FailedOperation.PhoneNumberInBlacklist",
		"InvalidParameterValue.IncorrectPhoneNumber", "LimitExceeded.AppCountryOrRegionInBlacklist",
		"FailedOperation.MarketingSendTimeConstraint")
	// Frequency limits per number, with the window to wait.
	tencentNumberLimits = map[string]time.Duration{
		"LimitExceeded.PhoneNumberThirtySecondLimit":     30 * time.Second,
		"LimitExceeded.PhoneNumberOneHourLimit":          time.Hour,
		"LimitExceeded.PhoneNumberDailyLimit":            0, // until midnight, China time
		"LimitExceeded.PhoneNumberSameContentDailyLimit": 0,
		"LimitExceeded.DeliveryFrequencyLimit":           time.Minute,
	}
)

// classifyTencentCode classifies a code Tencent answered, for the whole
// request or for one number.
func classifyTencentCode(code string, now time.Time) (Status, Class, time.Duration) {
	if wait, ok := tencentNumberLimits[code]; ok {
		if wait == 0 {
			wait = untilMidnight(now)
		}
		return StatusThrottled, ClassFlowControl, wait
	}
	switch {
	case code == "Ok":
		return StatusAccepted, ClassNone, 0
	case tencentNumberRefusals[code]:
		return StatusRejected, ClassCaller, 0
	case strings.HasPrefix(code, "RequestLimitExceeded"):
		return StatusThrottled, ClassThrottling, time.Second
	case strings.HasPrefix(code, "AuthFailure"):
		return StatusFailed, ClassCredentials, 0
	case tencentAccountCodes[code]:
		return StatusFailed, ClassAccount, 0
	case strings.HasPrefix(code, "InternalError"):
		// InternalError.Timeout, .SendAndRecvFail, .OtherError,
		// .UnknownError...: the message may have gone out.
		return StatusUnknown, ClassAmbiguous, 0
	case strings.HasPrefix(code, "InvalidParameter"), strings.HasPrefix(code, "MissingParameter"),
		strings.HasPrefix(code, "UnsupportedOperation"), strings.HasPrefix(code, "UnknownParameter"),
		strings.HasPrefix(code, "FailedOperation."):
		return StatusRejected, ClassCaller, 0
	default:
		return StatusFailed, ClassUpstream, 0
	}
}

// classifyTencentError classifies what the SDK returned instead of an
// answer. Only a connection never made is provably unsent; a body that is
// not Tencent's JSON (a gateway's 5xx page) or a cut connection may follow
// an accepted send.
func classifyTencentError(err error, now time.Time) Outcome {
	var sdk *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdk) {
		if netx.NotSent(err) {
			return Outcome{Status: StatusFailed, Class: ClassTransient, Detail: "connection to Tencent SMS failed before the request was sent: " + rootCause(err)}
		}
		return Outcome{Status: StatusUnknown, Class: ClassAmbiguous, Detail: "outcome unknown, the message may have been sent: " + rootCause(err)}
	}
	if strings.HasPrefix(sdk.Code, "ClientError") {
		if netx.NotSent(err) {
			return Outcome{Status: StatusFailed, Class: ClassTransient, Code: sdk.Code,
				Detail: "connection to Tencent SMS failed before the request was sent: " + rootCause(err)}
		}
		return Outcome{Status: StatusUnknown, Class: ClassAmbiguous, Code: sdk.Code,
			Detail: "outcome unknown, the message may have been sent (" + sdk.Code + ")"}
	}
	st, class, wait := classifyTencentCode(sdk.Code, now)
	return Outcome{Status: st, Class: class, Code: sdk.Code, Message: sdk.Message, RequestID: sdk.RequestId, RetryAfter: wait}
}

func untilMidnight(now time.Time) time.Duration {
	local := now.In(shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, shanghai)
	return midnight.Sub(now).Round(time.Second)
}
