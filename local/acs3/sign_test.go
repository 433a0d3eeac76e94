package acs3

import (
	"net/url"
	"testing"
)

// The test vector from the project's platform facts (Dysmsapi section).
// conformance: AUTH-01
func TestACS3SignatureMatchesDocumentedVector(t *testing.T) {
	q := url.Values{}
	q.Set("PhoneNumbers", "13800000000")
	q.Set("SignName", "阿里云短信测试")
	q.Set("TemplateCode", "SMS_154950909")
	q.Set("TemplateParam", `{"code":"1234"}`)
	req := Request{
		Method: "POST",
		Path:   "/",
		Query:  q,
		Headers: map[string]string{
			"host":                  "127.0.0.1:8080",
			"x-acs-action":          "SendSms",
			"x-acs-version":         "2017-05-25",
			"x-acs-date":            "2024-01-01T00:00:00Z",
			"x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
			"x-acs-content-sha256":  HashHex(nil),
		},
		SignedHeaders: []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"},
		PayloadHash:   HashHex(nil),
	}
	const want = "ff3e6e485946abdd75febf69092cc250267099d0662c02c431408f6c894ea70c"
	if got := req.Signature("testAccessKeySecret"); got != want {
		t.Fatalf("signature = %s, want %s\ncanonical request:\n%s", got, want, req.Canonical())
	}
}

func TestPercentEncodeFollowsAlibabaRules(t *testing.T) {
	cases := map[string]string{
		"a b":     "a%20b",
		"a*b":     "a%2Ab",
		"a~b":     "a~b",
		`{"k":1}`: "%7B%22k%22%3A1%7D",
		"阿":       "%E9%98%BF",
	}
	for in, want := range cases {
		if got := PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseACS3Authorization(t *testing.T) {
	a, ok := ParseAuthorization("ACS3-HMAC-SHA256 Credential=ak1,SignedHeaders=host;X-Acs-Date,Signature=abc")
	if !ok || a.AccessKeyID != "ak1" || a.Signature != "abc" || len(a.SignedHeaders) != 2 || a.SignedHeaders[1] != "x-acs-date" {
		t.Fatalf("parsed %+v ok=%v", a, ok)
	}
	if _, ok := ParseAuthorization("ACS3-HMAC-SHA256 Credential=ak1"); ok {
		t.Fatal("accepted an Authorization header without SignedHeaders and Signature")
	}
}
