package tencent

import (
	"net/http"
	"strings"
	"testing"
)

// Tencent's published TC3-HMAC-SHA256 example (cvm DescribeInstances).
// conformance: TC-01
func TestSignatureMatchesTencentsPublishedVector(t *testing.T) {
	body := `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	r, _ := http.NewRequest(http.MethodPost, "https://cvm.tencentcloudapi.com/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	canonical := canonicalRequest(r, []string{"content-type", "host"}, []byte(body))
	got := signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", 1551113065, canonical)
	const want = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
	if got != want {
		t.Fatalf("signature = %s, want %s\ncanonical request:\n%s", got, want, canonical)
	}
}

func TestParseAuthorization(t *testing.T) {
	a, ok := parseAuthorization("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=abc")
	if !ok || a.secretID != "AKIDEXAMPLE" || a.date != "2019-02-25" || a.service != "cvm" || a.signature != "abc" ||
		strings.Join(a.signedHeaders, ";") != "content-type;host" {
		t.Fatalf("parsed %+v %v", a, ok)
	}
	for _, bad := range []string{"", "Bearer x", "TC3-HMAC-SHA256 Credential=a/b/c, Signature=x, SignedHeaders=host",
		"TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=host"} {
		if _, ok := parseAuthorization(bad); ok {
			t.Errorf("parseAuthorization(%q) accepted", bad)
		}
	}
}
