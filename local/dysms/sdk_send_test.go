package dysms

import (
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/sts"
)

// conformance: DY-03, DY-06
func TestSDKSendSmsWithLocalPairIsAcceptedAndRecorded(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	resp, err := sdkClient(t, addr, localPair, 5000).SendSms(otpRequest("+8613912345678", "4821"))
	if err != nil {
		t.Fatalf("SendSms: %v", err)
	}
	b := resp.Body
	if tea.StringValue(b.Code) != "OK" || tea.StringValue(b.Message) != "OK" {
		t.Fatalf("answer = %s %s, want OK", tea.StringValue(b.Code), tea.StringValue(b.Message))
	}
	if !bizIDPattern.MatchString(tea.StringValue(b.BizId)) {
		t.Errorf("BizId %q is not Alibaba-shaped", tea.StringValue(b.BizId))
	}
	if !requestIDPattern.MatchString(tea.StringValue(b.RequestId)) {
		t.Errorf("RequestId %q is not an upper-case UUID", tea.StringValue(b.RequestId))
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("Messages() has %d entries, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Phone != "13912345678" || m.SignName != "smsflow" || m.TemplateCode != "SMS_LOCAL_OTP" ||
		m.Params["code"] != "4821" || m.OutID != "out-+8613912345678" || m.BizID != tea.StringValue(b.BizId) ||
		m.AccessKeyID != sts.LocalAccessKeyID || m.Status != StatusDelivered {
		t.Errorf("recorded message = %+v", m)
	}
	st := s.Stats()
	if st.Requests["SendSms"] != 1 || st.Accepted != 1 || st.Outcomes["OK"] != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

// conformance: DY-03
func TestSDKSendSmsWithSTSTriple(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	cred := sts.Issue(time.Hour)
	resp, err := sdkClient(t, addr, stsCredential(cred), 5000).SendSms(otpRequest("13912345678", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("SendSms with an STS triple: %v %v", err, resp)
	}
	if got := s.Messages()[0].AccessKeyID; got != cred.AccessKeyID {
		t.Errorf("message recorded for %s, want the STS key %s", got, cred.AccessKeyID)
	}
}

// conformance: DY-08
func TestSDKCredentialRefusals(t *testing.T) {
	now := time.Now()
	good := sts.Issue(time.Hour)
	other := sts.Issue(time.Hour)
	expired := sts.IssueAt(now.Add(-2*time.Hour), time.Hour)
	cases := []struct {
		name   string
		cred   credential
		status int
		code   string
	}{
		{"wrong secret", credential{sts.LocalAccessKeyID, "not-the-secret", ""}, 400, "SignatureDoesNotMatch"},
		{"unknown key", credential{"LTAI-unknown", "whatever", ""}, 404, "InvalidAccessKeyId.NotFound"},
		{"expired token", stsCredential(expired), 400, "InvalidSecurityToken.Expired"},
		{"token of another key", credential{good.AccessKeyID, good.AccessKeySecret, other.SecurityToken}, 400, "InvalidSecurityToken.MismatchWithAccessKey"},
		{"malformed token", credential{good.AccessKeyID, good.AccessKeySecret, "garbage"}, 400, "InvalidSecurityToken.Malformed"},
	}
	s, addr := startEmulator(t, Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sdkClient(t, addr, tc.cred, 5000).SendSms(otpRequest("13912345678", "4821"))
			wantGatewayError(t, err, tc.status, tc.code)
		})
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages accepted from refused requests", n)
	}
	if got := s.Stats().Requests["SendSms"]; got != len(cases) {
		t.Errorf("Stats().Requests[SendSms] = %d, want %d (refused requests count)", got, len(cases))
	}
}

// conformance: DY-08
func TestSDKMissingParameterIsAGatewayError(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	req := otpRequest("13912345678", "4821")
	req.SignName = nil
	_, err := sdkClient(t, addr, localPair, 5000).SendSms(req)
	wantGatewayError(t, err, 400, "MissingSignName")
}

// conformance: DY-07, DY-11
func TestSDKBusinessRefusalsComeAsHTTP200(t *testing.T) {
	many := "13912345678"
	for i := 0; i < 1000; i++ {
		many += ",13912345678"
	}
	cases := []struct {
		name         string
		phone, param string
		sign, tpl    string
		code, msg    string
	}{
		{"bad number", "1391234567", `{"code":"4821"}`, "smsflow", "SMS_LOCAL_OTP", "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"},
		{"over 1000 numbers", many, `{"code":"4821"}`, "smsflow", "SMS_LOCAL_OTP", "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制"},
		{"missing variable", "13912345678", `{"otp":"4821"}`, "smsflow", "SMS_LOCAL_OTP", "isv.TEMPLATE_MISSING_PARAMETERS", "模版缺少变量"},
		{"number value", "13912345678", `{"code":4821}`, "smsflow", "SMS_LOCAL_OTP", "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"},
		{"not JSON", "13912345678", `code=4821`, "smsflow", "SMS_LOCAL_OTP", "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"},
		{"unknown template", "13912345678", `{"code":"4821"}`, "smsflow", "SMS_NOPE", "isv.SMS_TEMPLATE_ILLEGAL", ""},
		{"unknown signature", "13912345678", `{"code":"4821"}`, "nope", "SMS_LOCAL_OTP", "isv.SMS_SIGNATURE_ILLEGAL", ""},
		{"code too short", "13912345678", `{"code":"482"}`, "smsflow", "SMS_LOCAL_OTP", "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"},
		{"code too long", "13912345678", `{"code":"4821007"}`, "smsflow", "SMS_LOCAL_OTP", "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"},
		{"url in variable", "13912345678", `{"name":"see https://x.io","status":"ok"}`, "smsflow", "SMS_LOCAL_NOTICE", "isv.PARAM_NOT_SUPPORT_URL", "不支持URL"},
	}
	s, addr := startEmulator(t, Options{})
	client := sdkClient(t, addr, localPair, 5000)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := otpRequest(tc.phone, "")
			req.TemplateParam, req.SignName, req.TemplateCode = tea.String(tc.param), tea.String(tc.sign), tea.String(tc.tpl)
			resp, err := client.SendSms(req)
			if err != nil {
				t.Fatalf("a business refusal must not be an SDK error: %v", err)
			}
			if tea.Int32Value(resp.StatusCode) != 200 || tea.StringValue(resp.Body.Code) != tc.code {
				t.Fatalf("answer = %d %s, want 200 %s", tea.Int32Value(resp.StatusCode), tea.StringValue(resp.Body.Code), tc.code)
			}
			if tc.msg != "" && tea.StringValue(resp.Body.Message) != tc.msg {
				t.Errorf("Message = %q, want %q", tea.StringValue(resp.Body.Message), tc.msg)
			}
			if resp.Body.BizId != nil {
				t.Errorf("a refusal carries BizId %q", tea.StringValue(resp.Body.BizId))
			}
		})
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages accepted from refused requests", n)
	}
}

// conformance: DY-06
func TestSDKNotificationTemplateAccepted(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	resp, err := sdkClient(t, addr, localPair, 5000).SendSms(&dysmsapiSendNotice)
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("notice: %v %v", err, resp)
	}
	if got := s.Messages()[0].Content; got != "【smsflow】张三您好，您的请求状态为已处理。" {
		t.Errorf("Content = %q", got)
	}
}
