package tencent

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sms "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sms/v20210111"

	"smsflow/local/faults"
)

func startEmulator(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, strings.TrimPrefix(ts.URL, "http://")
}

// sdkClient is the unmodified SDK pointed at the emulator.
func sdkClient(t *testing.T, addr, id, key string) *sms.Client {
	t.Helper()
	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = addr
	cp.HttpProfile.Scheme = "http"
	cp.HttpProfile.ReqTimeout = 5
	c, err := sms.NewClient(common.NewCredential(id, key), LocalRegion, cp)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sendReq(template string, params []string, phones ...string) *sms.SendSmsRequest {
	r := sms.NewSendSmsRequest()
	r.SmsSdkAppId = common.StringPtr(LocalSdkAppID)
	r.SignName = common.StringPtr(LocalSign)
	r.TemplateId = common.StringPtr(template)
	r.TemplateParamSet = common.StringPtrs(params)
	r.PhoneNumberSet = common.StringPtrs(phones)
	r.SessionContext = common.StringPtr("trace-abc")
	return r
}

func otp(phones ...string) *sms.SendSmsRequest { return sendReq("100001", []string{"4821"}, phones...) }

func sdkCode(t *testing.T, err error) string {
	t.Helper()
	var e *tcerr.TencentCloudSDKError
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a TencentCloudSDKError", err)
	}
	return e.Code
}

// conformance: TC-02
func TestSDKSendSmsAcceptedAndRecorded(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	resp, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912345678"))
	if err != nil {
		t.Fatalf("SendSms: %v", err)
	}
	set := resp.Response.SendStatusSet
	if len(set) != 1 || *set[0].Code != "Ok" || *set[0].PhoneNumber != "+8613912345678" || *set[0].Fee != 1 ||
		*set[0].SessionContext != "trace-abc" || !strings.HasPrefix(*set[0].SerialNo, "2640:") || *set[0].IsoCode != "CN" {
		t.Fatalf("SendStatusSet = %s", resp.ToJsonString())
	}
	if *resp.Response.RequestId == "" {
		t.Error("no RequestId")
	}
	msgs := s.Messages("+8613912345678")
	if len(msgs) != 1 || msgs[0].Content != "【smsflow】您的验证码为4821，5分钟内有效。" || msgs[0].SerialNo != *set[0].SerialNo ||
		msgs[0].SecretID != LocalSecretID || msgs[0].SessionContext != "trace-abc" {
		t.Fatalf("recorded %+v", msgs)
	}
}

// conformance: TC-03
func TestSDKAuthRefusals(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	cases := []struct{ name, id, key, code string }{
		{"wrong key", LocalSecretID, "not-the-key", "AuthFailure.SignatureFailure"},
		{"unknown id", "AKIDunknown", LocalSecretKey, "AuthFailure.SecretIdNotFound"},
	}
	for _, tc := range cases {
		_, err := sdkClient(t, addr, tc.id, tc.key).SendSms(otp("+8613912345678"))
		if got := sdkCode(t, err); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
		}
	}
	for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
		s, addr := startEmulator(t, Options{Now: func() time.Time { return time.Now().Add(skew) }})
		_, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912345678"))
		if got := sdkCode(t, err); got != "AuthFailure.SignatureExpire" {
			t.Errorf("clock skew %s: %s", skew, got)
		}
		if n := len(s.Messages("")); n != 0 {
			t.Errorf("a refused request sent %d messages", n)
		}
	}
	s, addr := startEmulator(t, Options{Now: func() time.Time { return time.Now().Add(4 * time.Minute) }})
	if _, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912345678")); err != nil || len(s.Messages("")) != 1 {
		t.Errorf("4 minutes of skew refused: %v", err)
	}
}

func TestTamperedBodyIsRefused(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	// Sign one body, send another: a proxy rewriting the numbers.
	tamper := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		b = []byte(strings.Replace(string(b), "13912345678", "13912345679", 1))
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(b))), int64(len(b))
		return http.DefaultTransport.RoundTrip(r)
	})
	c := sdkClient(t, addr, LocalSecretID, LocalSecretKey)
	c.WithHttpTransport(tamper)
	_, err := c.SendSms(otp("+8613912345678"))
	if got := sdkCode(t, err); got != "AuthFailure.SignatureFailure" || len(s.Messages("")) != 0 {
		t.Fatalf("tampered body: %s, %d messages", got, len(s.Messages("")))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// conformance: TC-04
func TestPerNumberRefusalsInsideA200(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	resp, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912340001", "+8616600000008", "12345"))
	if err != nil {
		t.Fatalf("per-number refusals must not fail the call: %v", err)
	}
	want := []string{"Ok", "FailedOperation.PhoneNumberInBlacklist", "InvalidParameterValue.IncorrectPhoneNumber"}
	for i, st := range resp.Response.SendStatusSet {
		if *st.Code != want[i] {
			t.Errorf("number %d: %s, want %s", i, *st.Code, want[i])
		}
		if i > 0 && (*st.SerialNo != "" || *st.Fee != 0) {
			t.Errorf("refused number %d has SerialNo %q Fee %d", i, *st.SerialNo, *st.Fee)
		}
	}
	if n := len(s.Messages("")); n != 1 {
		t.Fatalf("%d messages recorded, want 1", n)
	}
}

// conformance: TC-05
func TestFrequencyLimitPerNumber(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	_, addr := startEmulator(t, Options{Now: clock})
	c := sdkClient(t, addr, LocalSecretID, LocalSecretKey)
	if resp, err := c.SendSms(otp("+8613912340002")); err != nil || *resp.Response.SendStatusSet[0].Code != "Ok" {
		t.Fatalf("first send: %v", err)
	}
	resp, err := c.SendSms(otp("+8613912340002"))
	if err != nil || *resp.Response.SendStatusSet[0].Code != "LimitExceeded.PhoneNumberThirtySecondLimit" {
		t.Fatalf("second send within 30 s: %v %s", err, resp.ToJsonString())
	}
}

// conformance: TC-06
func TestWholeRequestRefusalsSendNothing(t *testing.T) {
	type refusal struct {
		name string
		req  *sms.SendSmsRequest
		code string
	}
	cases := []refusal{
		{"unknown template", sendReq("999999", []string{"1"}, "+8613912340003"), "FailedOperation.TemplateIncorrectOrUnapproved"},
		{"parameter count", sendReq("100002", []string{"Ann"}, "+8613912340003"), "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"},
		{"empty numbers", sendReq("100001", []string{"1"}), "MissingParameter.EmptyPhoneNumberSet"},
		{"mixed numbers", sendReq("100001", []string{"1"}, "+8613912340003", "+447700900123"), "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber"},
	}
	bad := otp("+8613912340003")
	bad.SignName = common.StringPtr("other")
	cases = append(cases, refusal{"sign", bad, "FailedOperation.SignatureIncorrectOrUnapproved"})
	app := otp("+8613912340003")
	app.SmsSdkAppId = common.StringPtr("1400999999")
	cases = append(cases, refusal{"app id", app, "InvalidParameterValue.SdkAppIdNotExist"})
	s, addr := startEmulator(t, Options{})
	for _, tc := range cases {
		_, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(tc.req)
		if got := sdkCode(t, err); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
		}
	}
	if n := len(s.Messages("")); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}

// conformance: TC-07
func TestFaultsAsTheSDKSeesThem(t *testing.T) {
	cases := []struct {
		kind faults.Kind
		code string
		sent int
	}{
		{FaultHTTP502, "ClientError.ParseJsonError", 0},
		{FaultRequestLimit, "RequestLimitExceeded", 0},
		{FaultBalance, "FailedOperation.InsufficientBalanceInSmsPackage", 0},
		{FaultResetBeforeRead, "ClientError.NetworkError", 0},
		{FaultInternalTimeout, "InternalError.Timeout", 1},
		{FaultResetAfterAccept, "ClientError.NetworkError", 1},
	}
	for _, tc := range cases {
		s, addr := startEmulator(t, Options{})
		if _, err := s.SetFault(faults.Fault{Kind: tc.kind, Count: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912340004"))
		if got := sdkCode(t, err); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.kind, got, tc.code)
		}
		if n := len(s.Messages("")); n != tc.sent {
			t.Errorf("%s: %d messages sent, want %d", tc.kind, n, tc.sent)
		}
	}
}

func TestReservedNumbersAndBlacklistFault(t *testing.T) {
	s, addr := startEmulator(t, Options{MagicLatency: 10 * time.Millisecond})
	c := sdkClient(t, addr, LocalSecretID, LocalSecretKey)
	for phone, code := range map[string]string{"+8616600000001": "ClientError.ParseJsonError",
		"+8616600000002": "RequestLimitExceeded", "+8616600000004": "InternalError.Timeout",
		"+8616600000005": "ClientError.NetworkError"} {
		_, err := c.SendSms(otp(phone))
		if got := sdkCode(t, err); got != code {
			t.Errorf("%s: %s, want %s", phone, got, code)
		}
	}
	s.SetFault(faults.Fault{Kind: FaultBlacklist, Count: 1})
	resp, err := c.SendSms(otp("+8613912340005", "+8613912340006"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range resp.Response.SendStatusSet {
		if *st.Code != "FailedOperation.PhoneNumberInBlacklist" {
			t.Errorf("%s", resp.ToJsonString())
		}
	}
}

// conformance: TC-08
func TestReceiptsCalledBackAsTencentDoes(t *testing.T) {
	var mu sync.Mutex
	var got [][]Receipt
	calls := 0
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var batch []Receipt
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			t.Errorf("callback body: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 { // the first push is not acknowledged: it must come again
			io.WriteString(w, `{"result":1,"errmsg":"busy"}`)
			return
		}
		got = append(got, batch)
		io.WriteString(w, `{"result":0,"errmsg":"OK"}`)
	}))
	defer cb.Close()
	s, addr := startEmulator(t, Options{})
	s.ConfigureReceipts(ReceiptConfig{PushURL: cb.URL + "/receipts/tencent/secret", Delay: 20 * time.Millisecond,
		Retry: []time.Duration{10 * time.Millisecond}})
	resp, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912340007", "+8616600000010"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged callbacks, want 2; pushes %+v", n, s.ReceiptPushes())
		}
		time.Sleep(10 * time.Millisecond)
	}
	bySID := map[string]Receipt{}
	for _, b := range got {
		for _, r := range b {
			bySID[r.SID] = r
		}
	}
	ok := bySID[*resp.Response.SendStatusSet[0].SerialNo]
	if ok.ReportStatus != "SUCCESS" || ok.Mobile != "13912340007" || ok.NationCode != "86" || ok.ErrMsg != "DELIVRD" ||
		len(ok.UserReceiveTime) != len("2015-10-17 08:03:04") {
		t.Errorf("delivered receipt %+v", ok)
	}
	if f := bySID[*resp.Response.SendStatusSet[1].SerialNo]; f.ReportStatus != "FAIL" {
		t.Errorf("failing number's receipt %+v", f)
	}
}

func TestAdminMessagesByE164(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	if _, err := sdkClient(t, addr, LocalSecretID, LocalSecretKey).SendSms(otp("+8613912340008", "+8613912340009")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"+8613912340008", url.QueryEscape("+8613912340008")} {
		resp, err := http.Get("http://" + addr + "/_emulator/messages?phone=" + q)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []Message
		json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		if len(msgs) != 1 || msgs[0].PhoneNumber != "+8613912340008" {
			t.Errorf("?phone=%s: %+v", q, msgs)
		}
	}
	_ = s
}

// The documented table and the code must list the same reserved numbers.
func TestReservedNumbersMatchTheDocs(t *testing.T) {
	raw, err := os.ReadFile("../../docs/local-tencent.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\+861660000\d{4}) \|`).FindAllStringSubmatch(string(raw), -1) {
		documented[m[1]] = true
	}
	for n := range reservedNumbers {
		if !documented[n] {
			t.Errorf("%s is reserved in code but missing from docs/local-tencent.md", n)
		}
	}
	for n := range documented {
		if _, ok := reservedNumbers[n]; !ok {
			t.Errorf("%s is documented but not reserved in code", n)
		}
	}
}
