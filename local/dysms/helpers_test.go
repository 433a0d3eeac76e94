package dysms

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/acs3"
	"smsflow/local/sts"
	"smsflow/local/testkit"
)

// newFakeClock is a settable clock for flow-control and replay tests. It
// starts at the real time, because the SDK stamps x-acs-date from the real
// clock.
func newFakeClock() *testkit.Clock { return testkit.NewClock(time.Now()) }

// startEmulator serves a fresh emulator on a loopback port and answers it
// with its address (host:port, no scheme: the SDK's Endpoint form).
func startEmulator(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, strings.TrimPrefix(ts.URL, "http://")
}

type credential struct{ id, secret, token string }

var localPair = credential{sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""}

func stsCredential(c sts.Credential) credential {
	return credential{c.AccessKeyID, c.AccessKeySecret, c.SecurityToken}
}

// sdkClient is the unmodified dysmsapi v3 client pointed at the emulator.
// The SDK keeps one http.Client per (timeouts, proxy, host), so a distinct
// readTimeout gets a distinct client.
func sdkClient(t *testing.T, addr string, cred credential, readTimeoutMS int) *dysmsapi.Client {
	t.Helper()
	cfg := &openapi.Config{
		AccessKeyId:     tea.String(cred.id),
		AccessKeySecret: tea.String(cred.secret),
		Endpoint:        tea.String(addr),
		Protocol:        tea.String("HTTP"),
		NoProxy:         tea.String(addr),
		ReadTimeout:     tea.Int(readTimeoutMS),
		ConnectTimeout:  tea.Int(1000),
	}
	if cred.token != "" {
		cfg.SecurityToken = tea.String(cred.token)
	}
	c, err := dysmsapi.NewClient(cfg)
	if err != nil {
		t.Fatalf("dysmsapi.NewClient: %v", err)
	}
	return c
}

func otpRequest(phone, code string) *dysmsapi.SendSmsRequest {
	return &dysmsapi.SendSmsRequest{
		PhoneNumbers:  tea.String(phone),
		SignName:      tea.String("smsflow"),
		TemplateCode:  tea.String("SMS_LOCAL_OTP"),
		TemplateParam: tea.String(`{"code":"` + code + `"}`),
		OutId:         tea.String("out-" + phone),
	}
}

// sdkError asserts err is the SDK's gateway error and answers it.
func sdkError(t *testing.T, err error) *tea.SDKError {
	t.Helper()
	var e *tea.SDKError
	if !errors.As(err, &e) {
		t.Fatalf("want *tea.SDKError, got %T: %v", err, err)
	}
	return e
}

func wantGatewayError(t *testing.T, err error, status int, code string) {
	t.Helper()
	e := sdkError(t, err)
	if tea.StringValue(e.Code) != code || tea.IntValue(e.StatusCode) != status {
		t.Fatalf("SDK error = %d %s (%s), want %d %s",
			tea.IntValue(e.StatusCode), tea.StringValue(e.Code), tea.StringValue(e.Message), status, code)
	}
}

// wantConnectionError asserts the SDK saw the network fail, not an answer.
func wantConnectionError(t *testing.T, err error) {
	t.Helper()
	var e *tea.SDKError
	if err == nil || errors.As(err, &e) {
		t.Fatalf("want a connection error, got %T: %v", err, err)
	}
}

var (
	bizIDPattern     = regexp.MustCompile(`^[1-9][0-9]{17}\^0$`)
	requestIDPattern = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)
)

// signedACS3 builds a SendSms request signed by hand the way the v3 SDK
// signs it, for the checks the SDK cannot be made to fail (replayed nonce,
// stale date).
func signedACS3(t *testing.T, addr string, cred credential, q url.Values, date time.Time, nonce string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://"+addr+"/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{
		"host":                  addr,
		"x-acs-action":          "SendSms",
		"x-acs-version":         apiVersion,
		"x-acs-date":            date.UTC().Format(acs3.TimestampLayout),
		"x-acs-signature-nonce": nonce,
		"x-acs-content-sha256":  acs3.HashHex(nil),
	}
	if cred.token != "" {
		headers["x-acs-security-token"] = cred.token
	}
	var names []string
	for k, v := range headers {
		names = append(names, k)
		if k != "host" {
			r.Header.Set(k, v)
		}
	}
	req := acs3.Request{Method: http.MethodPost, Path: "/", Query: q, Headers: headers,
		SignedHeaders: names, PayloadHash: acs3.HashHex(nil)}
	r.Header.Set("Authorization", acs3.Algorithm+" Credential="+cred.id+
		",SignedHeaders="+strings.Join(slices.Sorted(slices.Values(names)), ";")+",Signature="+req.Signature(cred.secret))
	return r
}

func otpQuery(phone, code string) url.Values {
	q := url.Values{}
	q.Set("PhoneNumbers", phone)
	q.Set("SignName", "smsflow")
	q.Set("TemplateCode", "SMS_LOCAL_OTP")
	q.Set("TemplateParam", `{"code":"`+code+`"}`)
	return q
}

// plainClient ignores proxy settings: the emulator is on loopback.
var plainClient = &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}

func do(t *testing.T, r *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := plainClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode answer (status %d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

var dysmsapiSendNotice = dysmsapi.SendSmsRequest{
	PhoneNumbers:  tea.String("13912345678"),
	SignName:      tea.String("smsflow"),
	TemplateCode:  tea.String("SMS_LOCAL_NOTICE"),
	TemplateParam: tea.String(`{"name":"张三","status":"已处理"}`),
}

// queryToday asks QuerySendDetails for today's (Beijing date) messages.
func queryToday(phone string) *dysmsapi.QuerySendDetailsRequest {
	return &dysmsapi.QuerySendDetailsRequest{
		PhoneNumber: tea.String(phone),
		SendDate:    tea.String(time.Now().In(chinaTime).Format("20060102")),
		PageSize:    tea.Int64(10),
		CurrentPage: tea.Int64(1),
	}
}

// wantReset asserts the SDK saw a TCP reset, not a timeout or an answer.
func wantReset(t *testing.T, err error) {
	t.Helper()
	wantConnectionError(t, err)
	if !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("want a connection reset, got: %v", err)
	}
}
