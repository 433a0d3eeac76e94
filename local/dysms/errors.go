package dysms

import (
	"fmt"
	"net/http"
	"net/url"
)

// hostID is what Alibaba's gateway puts in HostId.
const hostID = "dysmsapi.aliyuncs.com"

// gatewayError is a refusal by Alibaba's API gateway (authentication,
// missing parameters, throttling, server faults): a 4xx/5xx with the JSON
// body {"RequestId","HostId","Code","Message","Recommend"}, which the SDK
// turns into *tea.SDKError.
type gatewayError struct {
	Status  int
	Code    string
	Message string
}

func (e *gatewayError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func gwErr(status int, code, format string, args ...any) *gatewayError {
	return &gatewayError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Alibaba's common gateway errors. Statuses follow Alibaba's public
// "common error codes" table: everything is 400 except an unknown access
// key (404), an unknown API (404) and server faults (500/503).
func errMissing(param string) *gatewayError {
	return gwErr(http.StatusBadRequest, "Missing"+param, "%s is mandatory for this action.", param)
}

func errInvalidParam(param string) *gatewayError {
	return gwErr(http.StatusBadRequest, "Invalid"+param, "Specified parameter %s is not valid.", param)
}

var (
	errAccessKeyNotFound = gwErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	errTokenExpired      = gwErr(http.StatusBadRequest, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
	errTokenMalformed    = gwErr(http.StatusBadRequest, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
	errTokenMismatch     = gwErr(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
	errTokenMissing      = gwErr(http.StatusBadRequest, "MissingSecurityToken", "SecurityToken is mandatory for this action.")
	errTimestampExpired  = gwErr(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
	errTimestampFormat   = gwErr(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
	errNonceUsed         = gwErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	errSignatureMethod   = gwErr(http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method is not valid.")
	errIncompleteSig     = gwErr(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
	errVersion           = gwErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	errActionNotFound    = gwErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	errMethod            = gwErr(http.StatusBadRequest, "UnsupportedHTTPMethod", "Specified signature is not matched with our calculation.")
	errThrottlingAPI     = gwErr(http.StatusBadRequest, "Throttling.Api", "Request was denied due to api flow control.")
	errThrottlingUser    = gwErr(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
	errInternal          = gwErr(http.StatusInternalServerError, "InternalError", "The request processing has failed due to some unknown error, exception or failure.")
	errUnavailable       = gwErr(http.StatusServiceUnavailable, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
	errGatewayTimeout    = gwErr(http.StatusGatewayTimeout, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
)

// errSignature carries the server's string to sign, as Alibaba's message
// does, so a hand-signing client can see where it differs.
func errSignature(stringToSign string) *gatewayError {
	return gwErr(http.StatusBadRequest, "SignatureDoesNotMatch",
		"Specified signature is not matched with our calculation. server string to sign is:%s", stringToSign)
}

func writeGatewayError(w http.ResponseWriter, requestID string, e *gatewayError) {
	writeJSON(w, e.Status, requestID, map[string]string{
		"RequestId": requestID,
		"HostId":    hostID,
		"Code":      e.Code,
		"Message":   e.Message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code) +
			"&product=Dysmsapi&requestId=" + requestID,
	})
}
