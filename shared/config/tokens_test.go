package config

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Issue 10.1: a configuration anybody can pass, or that makes two callers
// one, is refused at start, for the API tokens and the receipts tokens alike
// (Alibaba's push and Tencent's callback each have their own).
func TestWeakTokenHashesAreRefusedAtStart(t *testing.T) {
	good, other := hashOf("a-real-token-1"), hashOf("a-real-token-2")
	cases := map[string]struct{ value, want string }{
		"empty token's hash":       {hashOf(""), "the empty string"},
		"empty token's hash, caps": {strings.ToUpper(hashOf("")), "the empty string"},
		"newline's hash":           {good + "," + hashOf("\n"), "a lone newline"},
		"sha256sum's whole line":   {hashOf("x") + "  -", "not a SHA-256"},
		"not hex":                  {strings.Repeat("g", 64), "not a SHA-256"},
		"a space after the comma":  {good + ", " + other, "entry 2 is not a SHA-256"},
		"a trailing comma":         {good + ",", "entry 2 is not a SHA-256"},
		"duplicate":                {good + "," + strings.ToUpper(good), "entries 1 and 2"},
	}
	for _, variable := range []string{"SMSFLOW_API_TOKEN_SHA256", "SMSFLOW_RECEIPTS_TOKEN_SHA256", "SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256"} {
		for name, c := range cases {
			t.Run(variable+"/"+name, func(t *testing.T) {
				t.Setenv(variable, c.value)
				var err error
				if variable == "SMSFLOW_API_TOKEN_SHA256" {
					_, err = Load[Send]()
				} else {
					_, err = Load[Receipts]()
				}
				if err == nil || !strings.Contains(err.Error(), variable) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want it to name %s and say %q", err, variable, c.want)
				}
			})
		}
	}
	t.Setenv("SMSFLOW_API_TOKEN_SHA256", good+","+other)
	if _, err := Load[Send](); err != nil {
		t.Fatalf("two good hashes: %v", err)
	}
}

func TestTwoHashesSharingTheCallerPrefixAreRefused(t *testing.T) {
	a := hashOf("a")
	b := a[:CallerPrefixLen] + strings.Repeat("0", 64-CallerPrefixLen)
	if err := validateTokenHashes("V", []string{a, b}); err == nil || !strings.Contains(err.Error(), "first 8 hex digits") {
		t.Fatalf("got %v", err)
	}
}

func TestThePublishedLocalTokenOpensOnlyTheLocalStack(t *testing.T) {
	if hashOf("smsflow-local-token") != LocalStackTokenSHA256 {
		t.Fatal("LocalStackTokenSHA256 is not the hash of README's local token")
	}
	t.Setenv("SMSFLOW_API_TOKEN_SHA256", LocalStackTokenSHA256)
	if _, err := Load[Send](); err == nil || !strings.Contains(err.Error(), "local stack's published token") {
		t.Fatalf("the local token against Alibaba: %v", err)
	}
	t.Setenv("SMSFLOW_DYSMS_ENDPOINT", "127.0.0.1:9100")
	if _, err := Load[Send](); err != nil {
		t.Fatalf("the local token on the local stack: %v", err)
	}
}

// The local stack's receipts push tokens are published (in local/stack and
// docs/receipts.md) like its API token: their hashes open only a receipts
// function whose SLS is on loopback, or anybody could forge receipts.
func TestThePublishedLocalReceiptsTokensOpenOnlyTheLocalStack(t *testing.T) {
	for variable, token := range map[string]string{
		"SMSFLOW_RECEIPTS_TOKEN_SHA256":         "smsflow-local-receipts-token",
		"SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256": "smsflow-local-tencent-receipts-token",
	} {
		t.Run(variable, func(t *testing.T) {
			t.Setenv(variable, strings.ToUpper(hashOf(token)))
			t.Setenv("SMSFLOW_SLS_ENDPOINT", "cn-hangzhou-intranet.log.aliyuncs.com")
			if _, err := Load[Receipts](); err == nil || !strings.Contains(err.Error(), variable) || !strings.Contains(err.Error(), "published") {
				t.Fatalf("published token outside the local stack: %v", err)
			}
			t.Setenv("SMSFLOW_SLS_ENDPOINT", "127.0.0.1:9300")
			if _, err := Load[Receipts](); err != nil {
				t.Fatalf("the local stack itself: %v", err)
			}
		})
	}
}

// The hash check is the regexp it replaced, ^[0-9a-fA-F]{64}$, without
// compiling one at every cold start.
func TestIsSHA256HexIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	h := strings.Repeat("0123456789abcdefABCDEF", 3)[:64]
	for _, s := range []string{"", h, h[:63], h + "0", h[:63] + "g", h[:63] + "G", " " + h[1:], h[:63] + "\n", strings.ToUpper(h),
		strings.Repeat("é", 32), h[:62] + "é", "0x" + h[2:]} {
		if isSHA256Hex(s) != re.MatchString(s) {
			t.Errorf("%q: %v, the regexp says %v", s, isSHA256Hex(s), re.MatchString(s))
		}
	}
}
