package dysms

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsflow/local/acs3"
	"smsflow/local/sts"
)

// conformance: DY-08
func TestGatewayRoutingErrors(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	cases := []struct {
		name   string
		method string
		target string
		header map[string]string
		status int
		code   string
	}{
		{"PUT", http.MethodPut, "/", map[string]string{"x-acs-action": "SendSms", "x-acs-version": apiVersion}, 400, "UnsupportedHTTPMethod"},
		{"old version", http.MethodPost, "/", map[string]string{"x-acs-action": "SendSms", "x-acs-version": "2016-09-27"}, 400, "InvalidVersion"},
		{"unknown action", http.MethodPost, "/", map[string]string{"x-acs-action": "AddSmsSign", "x-acs-version": apiVersion}, 404, "InvalidAction.NotFound"},
		{"no action", http.MethodPost, "/", map[string]string{"x-acs-version": apiVersion}, 400, "MissingAction"},
		{"no signature", http.MethodPost, "/?PhoneNumbers=13912345678", map[string]string{"x-acs-action": "SendSms", "x-acs-version": apiVersion}, 400, "MissingSignature"},
	}
	for _, tc := range cases {
		r, _ := http.NewRequest(tc.method, "http://"+addr+tc.target, nil)
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		if status, body := do(t, r); status != tc.status || body["Code"] != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	if got := s.Stats().Requests["SendSms"]; got != 2 {
		t.Errorf("Requests[SendSms] = %d, want 2 (old version and unsigned; PUT is refused before the action is read)", got)
	}
}

// Older SDKs POST RPC requests with every parameter in a form body.
// conformance: DY-04
func TestRPCFormBodyWithSTSToken(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	cred := sts.Issue(time.Hour)
	p := otpQuery("13912345678", "4821")
	p.Set("Action", "SendSms")
	p.Set("Version", apiVersion)
	p.Set("Format", "JSON")
	p.Set("AccessKeyId", cred.AccessKeyID)
	p.Set("SecurityToken", cred.SecurityToken)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", "form-1")
	p.Set("Timestamp", time.Now().UTC().Format(acs3.TimestampLayout))
	p.Set("Signature", rpcSignature(cred.AccessKeySecret, rpcStringToSign(http.MethodPost, p)))
	r, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(p.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, body := do(t, r); status != 200 || body["Code"] != "OK" {
		t.Fatalf("RPC form POST with STS: %d %v", status, body)
	}
	if m := s.Messages(); len(m) != 1 || m[0].AccessKeyID != cred.AccessKeyID {
		t.Fatalf("messages %+v", m)
	}
	// The same request signed as GET does not verify as a POST.
	p.Set("SignatureNonce", "form-2")
	p.Set("Signature", rpcSignature(cred.AccessKeySecret, rpcStringToSign(http.MethodGet, p)))
	r, _ = http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(url.Values(p).Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, body := do(t, r); status != 400 || body["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("method not covered by the signature: %d %v", status, body)
	}
}
