package sms

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsflow/local/faults"
	"smsflow/local/tencent"
	"smsflow/shared/config"
	"smsflow/shared/phone"
)

// These tests drive the Tencent provider and the unmodified SDK against
// the Tencent emulator.

func tencentEmulator(t *testing.T) (*tencent.Server, *Tencent) {
	t.Helper()
	srv := tencent.New(tencent.Options{MagicLatency: 50 * time.Millisecond})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, tencentAt(t, hs.URL, time.Second)
}

// tencentAt is the provider on the local templates, talking to url.
func tencentAt(t *testing.T, url string, timeout time.Duration) *Tencent {
	t.Helper()
	m, err := LoadTemplateMap(mustAbs(t, "testdata/templates_local.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewTencent(config.Tencent{SecretID: tencent.LocalSecretID, SecretKey: tencent.LocalSecretKey,
		SdkAppID: tencent.LocalSdkAppID, Region: "ap-guangzhou", Endpoint: strings.TrimPrefix(url, "http://"),
		Scheme: "http", Timeout: timeout}, m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func requestTo(t *testing.T, template string, params map[string]string, numbers ...string) Request {
	t.Helper()
	req := Request{SignName: "smsflow", TemplateCode: template, TemplateParams: params}
	for _, raw := range numbers {
		n, err := phone.Normalize(raw)
		if err != nil {
			t.Fatal(err)
		}
		req.Numbers = append(req.Numbers, n)
	}
	return req
}

func TestTencentSendsPositionalParamsAndReturnsSerialNo(t *testing.T) {
	srv, p := tencentEmulator(t)
	out, attempts := p.Send(context.Background(), requestTo(t, "SMS_LOCAL_NOTICE", map[string]string{"status": "shipped", "name": "Ann"}, "13912345601"), nil)
	if out.Status != StatusAccepted || len(attempts) != 1 || !strings.HasPrefix(out.BizID, "2640:") || out.RequestID == "" {
		t.Fatalf("outcome %+v", out)
	}
	msgs := srv.Messages("+8613912345601")
	if len(msgs) != 1 || msgs[0].TemplateID != "100002" || strings.Join(msgs[0].TemplateParamSet, "|") != "Ann|shipped" ||
		msgs[0].SerialNo != out.BizID {
		t.Fatalf("emulator recorded %+v", msgs)
	}
}

// A call without error can still have unsent numbers.
// conformance: TC-04, TC-10
func TestTencentPerNumberOutcomes(t *testing.T) {
	srv, p := tencentEmulator(t)
	out, _ := p.Send(context.Background(), requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "4821"}, "13912345602", "16600000008", "16600000009"), nil)
	if out.Status != StatusPartial || len(out.Numbers) != 3 {
		t.Fatalf("outcome %+v", out)
	}
	want := []struct {
		status Status
		class  Class
	}{{StatusAccepted, ClassNone}, {StatusRejected, ClassCaller}, {StatusThrottled, ClassFlowControl}}
	for i, w := range want {
		n := out.Numbers[i]
		if n.Status != w.status || n.Class != w.class || (n.MessageID != "") != (w.status == StatusAccepted) {
			t.Errorf("number %d: %+v, want %s/%s", i, n, w.status, w.class)
		}
	}
	if out.BizID != out.Numbers[0].MessageID || len(srv.Messages("")) != 1 {
		t.Errorf("BizID %q, %d messages sent", out.BizID, len(srv.Messages("")))
	}
	// Every number refused inside a 200: not sent, and said so.
	out, _ = p.Send(context.Background(), requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "4821"}, "16600000008"), nil)
	if out.Status != StatusRejected || out.Code != "FailedOperation.PhoneNumberInBlacklist" || out.MayHaveSent() {
		t.Fatalf("single refused number: %+v", out)
	}
}

// conformance: TC-10
func TestTencentOutcomesOfFaults(t *testing.T) {
	cases := []struct {
		kind   faults.Kind
		status Status
		class  Class
		sent   int
	}{
		{tencent.FaultResetBeforeRead, StatusUnknown, ClassAmbiguous, 0}, // the client cannot tell
		{tencent.FaultResetAfterAccept, StatusUnknown, ClassAmbiguous, 1},
		{tencent.FaultInternalTimeout, StatusUnknown, ClassAmbiguous, 1},
		{tencent.FaultHTTP502, StatusUnknown, ClassAmbiguous, 0},
		{tencent.FaultRequestLimit, StatusThrottled, ClassThrottling, 0},
		{tencent.FaultBalance, StatusFailed, ClassAccount, 0},
	}
	for _, tc := range cases {
		srv, p := tencentEmulator(t)
		srv.SetFault(faults.Fault{Kind: tc.kind, Count: 1})
		out, attempts := p.Send(context.Background(), requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "4821"}, "13912345603"), nil)
		if out.Status != tc.status || out.Class != tc.class {
			t.Errorf("%s: %s/%s, want %s/%s (%+v)", tc.kind, out.Status, out.Class, tc.status, tc.class, out)
		}
		if len(attempts) != 1 || srv.Requests() != 1 || len(srv.Messages("")) != tc.sent {
			t.Errorf("%s: %d attempts, %d requests, %d sent; the provider must never resend", tc.kind, len(attempts), srv.Requests(), len(srv.Messages("")))
		}
	}
}

func TestTencentConnectionRefusedIsProvablyUnsent(t *testing.T) {
	_, p := tencentEmulator(t)
	p.cfg.Endpoint = "127.0.0.1:1"
	p2, _ := NewTencent(p.cfg, p.templates)
	out, _ := p2.Send(context.Background(), requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "4821"}, "13912345604"), nil)
	if out.Status != StatusFailed || out.Class != ClassTransient {
		t.Fatalf("outcome %+v", out)
	}
}

// As for Dysmsapi: a request whose URL does not parse never left, so the
// outcome is a provable failure, not an unknown one.
func TestTencentRequestThatCannotBeBuiltIsProvablyUnsent(t *testing.T) {
	srv, p := tencentEmulator(t)
	p.cfg.Endpoint += " "
	p2, err := NewTencent(p.cfg, p.templates)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := p2.Send(context.Background(), requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "4821"}, "13912345604"), nil)
	if out.Status != StatusFailed || out.Class != ClassTransient || srv.Requests() != 0 {
		t.Fatalf("outcome %+v, %d requests", out, srv.Requests())
	}
}

func TestTencentRefusesWhatItCannotMap(t *testing.T) {
	srv, p := tencentEmulator(t)
	for _, req := range []Request{
		requestTo(t, "SMS_ALIBABA_ONLY", map[string]string{"code": "1"}, "13912345605"),
		requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "1", "extra": "x"}, "13912345605"),
		requestTo(t, "SMS_UNKNOWN", map[string]string{"code": "1"}, "13912345605"),
	} {
		if ok, _ := p.CanSend(req); ok {
			t.Errorf("%s %v: CanSend", req.TemplateCode, req.TemplateParams)
		}
		if out, _ := p.Send(context.Background(), req, nil); out.Status != StatusRejected {
			t.Errorf("%s: %+v", req.TemplateCode, out)
		}
	}
	other := requestTo(t, "SMS_LOCAL_OTP", map[string]string{"code": "1"}, "13912345605")
	other.SignName = "another-sign"
	if ok, _ := p.CanSend(other); ok {
		t.Error("a sign other than the mapped one can be sent through Tencent")
	}
	if srv.Requests() != 0 {
		t.Fatalf("%d requests reached Tencent", srv.Requests())
	}
}

// conformance: TC-10
func TestClassifyTencentCodes(t *testing.T) {
	cases := map[string]struct {
		status Status
		class  Class
	}{
		"Ok": {StatusAccepted, ClassNone},
		"LimitExceeded.PhoneNumberThirtySecondLimit":      {StatusThrottled, ClassFlowControl},
		"LimitExceeded.PhoneNumberDailyLimit":             {StatusThrottled, ClassFlowControl},
		"FailedOperation.PhoneNumberInBlacklist":          {StatusRejected, ClassCaller},
		"InvalidParameterValue.IncorrectPhoneNumber":      {StatusRejected, ClassCaller},
		"RequestLimitExceeded":                            {StatusThrottled, ClassThrottling},
		"AuthFailure.SignatureExpire":                     {StatusFailed, ClassCredentials},
		"FailedOperation.InsufficientBalanceInSmsPackage": {StatusFailed, ClassAccount},
		"FailedOperation.TemplateIncorrectOrUnapproved":   {StatusFailed, ClassAccount},
		"InternalError.Timeout":                           {StatusUnknown, ClassAmbiguous},
		"InternalError.SendAndRecvFail":                   {StatusUnknown, ClassAmbiguous},
		"FailedOperation.ContainSensitiveWord":            {StatusRejected, ClassCaller},
		"MissingParameter.EmptyPhoneNumberSet":            {StatusRejected, ClassCaller},
		"SomethingNew":                                    {StatusFailed, ClassUpstream},
	}
	for code, want := range cases {
		st, class, _ := classifyTencentCode(code, time.Now())
		if st != want.status || class != want.class {
			t.Errorf("%s: %s/%s, want %s/%s", code, st, class, want.status, want.class)
		}
	}
}
