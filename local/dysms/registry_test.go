package dysms

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "registry.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegistryFileReplacesDefaults(t *testing.T) {
	path := writeFile(t, `
signatures:
  - name: 测试签名
templates:
  - code: SMS_TEST_LOGIN
    kind: verification
    content: "登录验证码${otp}"
    variables: [otp]
`)
	_, addr := startEmulator(t, Options{RegistryFile: path})
	client := sdkClient(t, addr, localPair, 5000)
	req := otpRequest("13912345678", "")
	req.SignName, req.TemplateCode, req.TemplateParam = tea.String("测试签名"), tea.String("SMS_TEST_LOGIN"), tea.String(`{"otp":"123456"}`)
	if resp, err := client.SendSms(req); err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("configured template: %v %v", err, resp)
	}
	if resp, err := client.SendSms(otpRequest("13912345600", "4821")); err != nil || tea.StringValue(resp.Body.Code) != "isv.SMS_SIGNATURE_ILLEGAL" {
		t.Fatalf("default signature must be gone: %v %v", err, resp)
	}
}

func TestRegistryFileErrors(t *testing.T) {
	cases := map[string]string{
		"unknown field": "signatures: [{name: a, colour: red}]",
		"bad kind":      "templates: [{code: T, kind: promo}]",
		"duplicate":     "templates: [{code: T, kind: verification}, {code: T, kind: notification}]",
		"content":       "templates: [{code: T, kind: verification, content: 'no var', variables: [code]}]",
	}
	for name, content := range cases {
		if _, err := New(Options{RegistryFile: writeFile(t, content)}); err == nil {
			t.Errorf("%s: New accepted %q", name, content)
		}
	}
	if _, err := New(Options{RegistryFile: filepath.Join(t.TempDir(), "absent.yaml")}); err == nil {
		t.Error("New accepted a missing registry file")
	}
}

// No log line may carry a full phone number or a parameter value.
func TestLogsMaskNumbersAndNeverShowParameters(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	_, addr := startEmulator(t, Options{Logf: logf})
	client := sdkClient(t, addr, localPair, 5000)
	_, _ = client.SendSms(otpRequest("13912345678", "918273"))
	_, _ = client.SendSms(otpRequest("13912345678,13987654321", "918273"))
	_, _ = sdkClient(t, addr, credential{localPair.id, "bad", ""}, 5000).SendSms(otpRequest("13912345678", "918273"))
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 3 {
		t.Fatalf("want one log line per request, got %q", lines)
	}
	all := strings.Join(lines, "\n")
	for _, secret := range []string{"13912345678", "13987654321", "918273"} {
		if strings.Contains(all, secret) {
			t.Errorf("log reveals %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "139****5678") {
		t.Errorf("log lacks the masked number:\n%s", all)
	}
}

// conformance: DY-12
func TestNormalisePhone(t *testing.T) {
	good := map[string]string{
		"13912345678": "13912345678", "+8613912345678": "13912345678", "8613912345678": "13912345678",
		"008613912345678": "13912345678", "85291234567": "85291234567",
	}
	for in, want := range good {
		if got, ok := normalisePhone(in); !ok || got != want {
			t.Errorf("normalisePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "1391234567", "139123456789", "12012345678", "139-1234-5678", "abc", "0123456789"} {
		if got, ok := normalisePhone(bad); ok {
			t.Errorf("normalisePhone(%q) accepted as %q", bad, got)
		}
	}
}

func TestMaskPhones(t *testing.T) {
	got := maskPhones([]string{"13912345678", " 13987654321", "85291234567", "13900000000", "13900000001"})
	if want := "139****5678,139****4321,852****4567,(+2 more)"; got != want {
		t.Fatalf("maskPhones = %q, want %q", got, want)
	}
}
