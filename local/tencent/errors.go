package tencent

// Tencent Cloud API 3.0 answers every error as HTTP 200 with
// {"Response":{"Error":{"Code","Message"},"RequestId"}}; the SDK turns any
// other status into ClientError.HttpStatusCodeError. The codes are the
// common ones (Tencent's API 3.0 "Responses" and common error code pages)
// and SendSms's own (sms/v20210111/errors.go).
type apiError struct{ Code, Message string }

var (
	errSignatureExpire = apiError{"AuthFailure.SignatureExpire",
		"Signature expired. Timestamp and server time cannot differ by more than 5 minutes."}
	errSecretIDNotFound = apiError{"AuthFailure.SecretIdNotFound",
		"The SecretId is not found, please ensure that your SecretId is correct."}
	errSignatureFailure = apiError{"AuthFailure.SignatureFailure",
		"The provided credentials could not be validated. Please check your signature is correct."}
	errInvalidAuthorization = apiError{"AuthFailure.InvalidAuthorization",
		"Authorization header is not in the Tencent Cloud standard format."}
	errInvalidAction   = apiError{"InvalidAction", "The requested action does not exist."}
	errNoSuchVersion   = apiError{"NoSuchVersion", "The requested version does not exist or is not supported for this service."}
	errUnsupportedReg  = apiError{"UnsupportedRegion", "The action is not supported in this region."}
	errRequestLimit    = apiError{"RequestLimitExceeded", "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."}
	errInternalTimeout = apiError{"InternalError.Timeout", "Request timed out, please check your request."}
	errBalance         = apiError{"FailedOperation.InsufficientBalanceInSmsPackage", "The number of SMS messages in the package is insufficient."}
	errSign            = apiError{"FailedOperation.SignatureIncorrectOrUnapproved", "The signature is not approved or incorrect."}
	errTemplate        = apiError{"FailedOperation.TemplateIncorrectOrUnapproved", "The template is not approved or incorrect."}
	errParamCount      = apiError{"FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "The number of template parameters does not match the approved template."}
	errAppID           = apiError{"InvalidParameterValue.SdkAppIdNotExist", "The SdkAppId does not exist."}
	errEmptyPhones     = apiError{"MissingParameter.EmptyPhoneNumberSet", "The PhoneNumberSet is empty."}
	errPhoneCount      = apiError{"LimitExceeded.PhoneNumberCountLimit", "The number of phone numbers in one request exceeds 200."}
	errMixedPhones     = apiError{"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", "A request cannot contain both mainland China and international numbers."}
	errSessionContext  = apiError{"InvalidParameterValue", "SessionContext exceeds 512 bytes."}
	errBody            = apiError{"FailedOperation.JsonParseFail", "The request body could not be parsed as JSON."}
)

func errMissing(name string) apiError {
	return apiError{"MissingParameter", "The request is missing a required parameter `" + name + "`."}
}

func errUnknownParam(name string) apiError {
	return apiError{"UnknownParameter", "The parameter `" + name + "` is not recognized."}
}

// Per-number outcomes inside SendStatusSet (Code "Ok" on success).
var (
	numberOK         = apiError{"Ok", "send success"}
	numberIncorrect  = apiError{"InvalidParameterValue.IncorrectPhoneNumber", "The phone number is incorrect."}
	numberBlacklist  = apiError{"FailedOperation.PhoneNumberInBlacklist", "The phone number is in the blocklist."}
	numberThirtySec  = apiError{"LimitExceeded.PhoneNumberThirtySecondLimit", "The number of SMS messages sent to one number within 30 seconds exceeds the limit."}
	numberOneHour    = apiError{"LimitExceeded.PhoneNumberOneHourLimit", "The number of SMS messages sent to one number within one hour exceeds the limit."}
	numberDailyLimit = apiError{"LimitExceeded.PhoneNumberDailyLimit", "The number of SMS messages sent to one number in one day exceeds the limit."}
)
