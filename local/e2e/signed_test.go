package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smsflow/local/stack"
	"smsflow/local/sts"
)

// readmeSection is the README from heading on, up to the next heading of
// the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	level := heading[:strings.Index(heading, " ")+1]
	if end := strings.Index(after, "\n"+level); end >= 0 {
		after = after[:end]
	}
	return after
}

// fenced is the n-th (0-based) ``` block of the given language in text.
func fenced(t *testing.T, text, lang string, n int) string {
	t.Helper()
	for i := 0; ; i++ {
		_, rest, ok := strings.Cut(text, "```"+lang+"\n")
		if !ok {
			t.Fatalf("no %d-th ```%s block", n, lang)
		}
		block, after, _ := strings.Cut(rest, "```")
		if i == n {
			return block
		}
		text = after
	}
}

// The README's signed call works as printed (but for the port) against the
// signed trigger, and the program it shows is examples/signedcall, whole.
// conformance: AUTH-02
func TestReadmeSignedCallWorks(t *testing.T) {
	section := readmeSection(t, "### Authentication")
	src, err := os.ReadFile("../../examples/signedcall/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if fenced(t, section, "go", 0) != string(src) {
		t.Fatal("README.md's Go example is not examples/signedcall/main.go: copy the file into the README")
	}
	args := shellWords(t, strings.ReplaceAll(fenced(t, section, "sh", 0), "\\\n", " "))
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for len(args) > 0 && strings.Contains(args[0], "=") {
		env = append(env, args[0])
		args = args[1:]
	}
	want := []string{"go", "run", "./examples/signedcall", "-endpoint", "127.0.0.1:" + itoa(stack.DefaultSignedPort)}
	if strings.Join(args, " ") != strings.Join(want, " ") {
		t.Fatalf("the README runs %q, want %q", args, want)
	}
	if !contains(env, "ALIBABA_CLOUD_ACCESS_KEY_ID="+sts.LocalAccessKeyID) || !contains(env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+sts.LocalAccessKeySecret) {
		t.Fatalf("the README signs with %q, not the local pair", env)
	}
	bin := filepath.Join(t.TempDir(), "signedcall")
	build := exec.Command("go", "build", "-o", bin, "./examples/signedcall")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the README's example: %v\n%s", err, out)
	}
	run := func(extraEnv ...string) map[string]any {
		cmd := exec.Command(bin, "-endpoint", shared.SignedAddr)
		cmd.Env = append(append([]string(nil), env...), extraEnv...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("the README's signed call: %v\n%s", err, errOutput(err))
		}
		var body map[string]any
		if err := json.Unmarshal(out, &body); err != nil {
			t.Fatalf("the signed call printed %q", out)
		}
		samePrintedFields(t, fenced(t, section, "json", 0), string(out))
		return body
	}
	// A reader follows the README in order: the Try it curl first, then
	// this call, within Alibaba's one-a-minute limit for a verification
	// code to one number. No reset in between.
	shared.Dysms.Reset()
	_, header, tryIt := readmeTryIt(t)
	if r := send(t, shared, header.Get("Content-Type"), tryIt, "Authorization", header.Get("Authorization")); r.Status != 200 {
		t.Fatalf("the README's Try it curl: %d %s", r.Status, r.Raw)
	}
	first := run("IDEMPOTENCY_KEY=readme-signed-1")
	if first["status"] != "accepted" || first["biz_id"] == "" || len(shared.Dysms.Messages()) != 2 {
		t.Fatalf("signed call answered %v (%d messages)", first, len(shared.Dysms.Messages()))
	}
	if again := run("IDEMPOTENCY_KEY=readme-signed-1"); again["biz_id"] != first["biz_id"] || len(shared.Dysms.Messages()) != 2 {
		t.Fatalf("the same key again: %v (%d messages)", again, len(shared.Dysms.Messages()))
	}
	// An STS triple signs too (x-acs-security-token). Reset: the same
	// number again would meet Alibaba's one-a-minute limit.
	shared.Dysms.Reset()
	cred := sts.Issue(time.Hour)
	if r := run("ALIBABA_CLOUD_ACCESS_KEY_ID="+cred.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+cred.AccessKeySecret,
		"ALIBABA_CLOUD_SECURITY_TOKEN="+cred.SecurityToken); r["status"] != "accepted" {
		t.Fatalf("STS-signed call: %v", r)
	}
}

// In function mode the gateway refuses a bearer call (and an unsigned one)
// before the function runs; the bearer deployment refuses a signed one. The
// two modes do not mix.
// conformance: AUTH-03
func TestSignedTriggerRefusesBearerAndBearerFunctionRefusesSignatures(t *testing.T) {
	shared.Dysms.Reset()
	for name, authorization := range map[string]string{"bearer": "Bearer " + stack.LocalToken, "none": ""} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+shared.SignedAddr+"/v1/messages", strings.NewReader(otp("13933330001", "5521")))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ ErrorCode string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || e.ErrorCode != "AccessDenied" || resp.Header.Get("X-Fc-Error-Type") != "FcCommonError" {
			t.Errorf("%s at the signed trigger: %d %+v", name, resp.StatusCode, e)
		}
	}
	signed := "ACS3-HMAC-SHA256 Credential=" + sts.LocalAccessKeyID + ",SignedHeaders=host;x-acs-date,Signature=00"
	if r := send(t, shared, "application/json", otp("13933330002", "5522"), "Authorization", signed); r.Status != http.StatusUnauthorized || r.errCode() != "unauthenticated" {
		t.Errorf("a signature at the bearer deployment: %d %s", r.Status, r.Raw)
	}
	if n := len(shared.Dysms.Messages()); n != 0 {
		t.Fatalf("%d messages sent by refused calls", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func errOutput(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
