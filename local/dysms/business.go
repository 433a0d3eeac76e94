package dysms

import "net/http"

// Business outcomes: Dysmsapi answers these with HTTP 200 and Code != "OK"
// (the SDK returns err == nil). Messages are Alibaba's own.
const (
	codeOK                 = "OK"
	codeMobileIllegal      = "isv.MOBILE_NUMBER_ILLEGAL"
	codeMobileCountOver    = "isv.MOBILE_COUNT_OVER_LIMIT"
	codeTemplateMissing    = "isv.TEMPLATE_MISSING_PARAMETERS"
	codeInvalidJSONParam   = "isv.INVALID_JSON_PARAM"
	codeInvalidParameters  = "isv.INVALID_PARAMETERS"
	codeTemplateIllegal    = "isv.SMS_TEMPLATE_ILLEGAL"
	codeSignatureIllegal   = "isv.SMS_SIGNATURE_ILLEGAL"
	codeParamLengthLimit   = "isv.PARAM_LENGTH_LIMIT"
	codeParamNotSupportURL = "isv.PARAM_NOT_SUPPORT_URL"
	codeBusinessLimit      = "isv.BUSINESS_LIMIT_CONTROL"
	codeSystemError        = "isp.SYSTEM_ERROR"
)

var businessMessages = map[string]string{
	codeOK:                 "OK",
	codeMobileIllegal:      "非法手机号",
	codeMobileCountOver:    "手机号码数量超过限制",
	codeTemplateMissing:    "模版缺少变量",
	codeInvalidJSONParam:   "JSON参数不合法，只接受字符串值",
	codeInvalidParameters:  "参数异常",
	codeTemplateIllegal:    "模版不合法(不存在或被拉黑)",
	codeSignatureIllegal:   "签名不合法(不存在或被拉黑)",
	codeParamLengthLimit:   "参数超出长度限制",
	codeParamNotSupportURL: "不支持URL",
	codeSystemError:        "isp.SYSTEM_ERROR",
	// codeBusinessLimit carries the window that tripped: see flowcontrol.go.
}

// refusal is a business answer other than OK.
type refusal struct {
	Code    string
	Message string
}

func refuse(code string) *refusal {
	return &refusal{Code: code, Message: businessMessages[code]}
}

func writeRefusal(w http.ResponseWriter, requestID string, r *refusal) {
	writeJSON(w, http.StatusOK, requestID, map[string]string{
		"RequestId": requestID,
		"Code":      r.Code,
		"Message":   r.Message,
	})
}
