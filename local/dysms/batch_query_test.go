package dysms

import (
	"testing"
	"time"

	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	"github.com/alibabacloud-go/tea/tea"
)

func batchRequest(phones, signs, params string) *dysmsapi.SendBatchSmsRequest {
	return &dysmsapi.SendBatchSmsRequest{
		TemplateCode:      tea.String("SMS_LOCAL_NOTICE"),
		PhoneNumberJson:   tea.String(phones),
		SignNameJson:      tea.String(signs),
		TemplateParamJson: tea.String(params),
	}
}

// conformance: DY-11
func TestSDKSendBatchSms(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	client := sdkClient(t, addr, localPair, 5000)
	resp, err := client.SendBatchSms(batchRequest(
		`["13912345678","+8613912345600"]`, `["smsflow","smsflow"]`,
		`[{"name":"甲","status":"ok"},{"name":"乙","status":"done"}]`))
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" || !bizIDPattern.MatchString(tea.StringValue(resp.Body.BizId)) {
		t.Fatalf("SendBatchSms: %v %+v", err, resp)
	}
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[1].Phone != "13912345600" || msgs[1].Params["name"] != "乙" ||
		msgs[0].BizID != msgs[1].BizID || msgs[0].Action != "SendBatchSms" {
		t.Fatalf("recorded %+v", msgs)
	}
	refusals := []struct {
		name, phones, signs, params, code string
	}{
		{"lengths differ", `["13912345678","13912345600"]`, `["smsflow"]`, `[{"name":"a","status":"b"},{"name":"a","status":"b"}]`, "isv.INVALID_PARAMETERS"},
		{"number value", `["13912345678"]`, `["smsflow"]`, `[{"name":"a","status":1}]`, "isv.INVALID_JSON_PARAM"},
		{"missing variable", `["13912345678"]`, `["smsflow"]`, `[{"name":"a"}]`, "isv.TEMPLATE_MISSING_PARAMETERS"},
		{"bad number", `["12345"]`, `["smsflow"]`, `[{"name":"a","status":"b"}]`, "isv.MOBILE_NUMBER_ILLEGAL"},
		{"unknown signature", `["13912345678"]`, `["nope"]`, `[{"name":"a","status":"b"}]`, "isv.SMS_SIGNATURE_ILLEGAL"},
	}
	for _, tc := range refusals {
		resp, err := client.SendBatchSms(batchRequest(tc.phones, tc.signs, tc.params))
		if err != nil || tea.StringValue(resp.Body.Code) != tc.code {
			t.Errorf("%s: %v %v, want %s", tc.name, err, resp, tc.code)
		}
	}
	over := []byte("[")
	signs := []byte("[")
	for i := 0; i < 101; i++ {
		if i > 0 {
			over, signs = append(over, ','), append(signs, ',')
		}
		over, signs = append(over, `"13912345678"`...), append(signs, `"smsflow"`...)
	}
	resp, err = client.SendBatchSms(batchRequest(string(over)+"]", string(signs)+"]", ""))
	if err != nil || tea.StringValue(resp.Body.Code) != "isv.MOBILE_COUNT_OVER_LIMIT" {
		t.Errorf("101 numbers: %v %v", err, resp)
	}
	req := batchRequest(`["13912345678"]`, `["smsflow"]`, `[{"name":"a","status":"b"}]`)
	req.SignNameJson = nil
	_, err = client.SendBatchSms(req)
	wantGatewayError(t, err, 400, "MissingSignNameJson")
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages after refusals, want 2", n)
	}
}

// conformance: DY-13
func TestSDKQuerySendDetails(t *testing.T) {
	clock := newFakeClock()
	_, addr := startEmulator(t, Options{Now: clock.Now})
	client := sdkClient(t, addr, localPair, 5000)
	var bizIDs []string
	for i := 0; i < 3; i++ {
		resp, err := client.SendSms(otpRequest("13912345678", "4821"))
		if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
			t.Fatalf("send %d: %v %v", i, err, resp)
		}
		bizIDs = append(bizIDs, tea.StringValue(resp.Body.BizId))
		clock.Advance(61 * time.Second)
	}
	q := queryToday("13912345678")
	q.SendDate = tea.String(clock.Now().In(chinaTime).Format("20060102"))
	q.PageSize = tea.Int64(2)
	resp, err := client.QuerySendDetails(q)
	if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("QuerySendDetails: %v %v", err, resp)
	}
	if tea.StringValue(resp.Body.TotalCount) != "3" || len(resp.Body.SmsSendDetailDTOs.SmsSendDetailDTO) != 2 {
		t.Fatalf("page 1: total %s, %d details", tea.StringValue(resp.Body.TotalCount), len(resp.Body.SmsSendDetailDTOs.SmsSendDetailDTO))
	}
	d := resp.Body.SmsSendDetailDTOs.SmsSendDetailDTO[0]
	if tea.StringValue(d.PhoneNum) != "13912345678" || tea.StringValue(d.TemplateCode) != "SMS_LOCAL_OTP" ||
		tea.StringValue(d.Content) != "【smsflow】您的验证码为4821，5分钟内有效，请勿泄露。" ||
		tea.StringValue(d.OutId) != "out-13912345678" || len(tea.StringValue(d.SendDate)) != len("2006-01-02 15:04:05") {
		t.Errorf("detail = %+v", d)
	}
	q.CurrentPage = tea.Int64(2)
	if resp, _ = client.QuerySendDetails(q); len(resp.Body.SmsSendDetailDTOs.SmsSendDetailDTO) != 1 {
		t.Errorf("page 2 has %d details, want 1", len(resp.Body.SmsSendDetailDTOs.SmsSendDetailDTO))
	}
	q.CurrentPage, q.BizId = tea.Int64(1), tea.String(bizIDs[1])
	if resp, _ = client.QuerySendDetails(q); tea.StringValue(resp.Body.TotalCount) != "1" {
		t.Errorf("by BizId: total %s, want 1", tea.StringValue(resp.Body.TotalCount))
	}
	q.BizId, q.SendDate = nil, tea.String("2026-01-01")
	if resp, err = client.QuerySendDetails(q); err != nil || tea.StringValue(resp.Body.Code) != "isv.INVALID_PARAMETERS" {
		t.Errorf("malformed SendDate: %v %v", err, resp)
	}
	q.SendDate = tea.String("20200101")
	if resp, err = client.QuerySendDetails(q); err != nil || tea.StringValue(resp.Body.TotalCount) != "0" {
		t.Errorf("another day: %v %v", err, resp)
	}
	q.SendDate = nil
	_, err = client.QuerySendDetails(q)
	wantGatewayError(t, err, 400, "MissingSendDate")
}
