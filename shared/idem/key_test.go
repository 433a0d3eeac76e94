package idem

import (
	"regexp"
	"strings"
	"testing"

	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

func TestParseKey(t *testing.T) {
	good := map[string]string{
		"8e03978e-40d5-43e8-bc93-6894a57f9324": "8e03978e-40d5-43e8-bc93-6894a57f9324",
		`"01HF3Z9K7Q"`:                         "01HF3Z9K7Q",
		"order:42/attempt=1":                   "order:42/attempt=1",
		strings.Repeat("a", MaxKeyLen):         strings.Repeat("a", MaxKeyLen),
		" padded ":                             "padded",
		"\tpadded\t ":                          "padded",
	}
	for raw, want := range good {
		if got, err := ParseKey(raw); err != nil || got != want {
			t.Errorf("ParseKey(%q) = %q, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"", `""`, "two words", "tab\there", "é", `a"b`, strings.Repeat("a", MaxKeyLen+1), "semi;colon",
		"order-1\u00a0", "\u2003order-1", "order-1\n", "\u00a0"} { // only SP and HTAB are HTTP whitespace

		if _, err := ParseKey(raw); err == nil {
			t.Errorf("ParseKey(%q) accepted", raw)
		}
	}
}

func number(t *testing.T, s string) phone.Number {
	n, err := phone.Normalize(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFingerprint(t *testing.T) {
	k := NewKeyer([]byte("secret"))
	a := sms.Request{Numbers: []phone.Number{number(t, "+8613800138000")}, SignName: "s", TemplateCode: "SMS_1",
		TemplateParams: map[string]string{"code": "1234", "x": "y"}}
	b := a
	b.Numbers = []phone.Number{number(t, "13800138000")}
	b.TemplateParams = map[string]string{"x": "y", "code": "1234"}
	if k.Fingerprint(a) != k.Fingerprint(b) {
		t.Fatal("the same message in another spelling has another fingerprint")
	}
	c := b
	c.TemplateParams = map[string]string{"x": "y", "code": "1235"}
	if k.Fingerprint(a) == k.Fingerprint(c) {
		t.Fatal("a different code has the same fingerprint")
	}
	if fp := k.Fingerprint(a); strings.Contains(fp, "13800138000") || len(fp) != 32 {
		t.Fatalf("fingerprint %q", fp)
	}
	if NewKeyer([]byte("other")).Fingerprint(a) == k.Fingerprint(a) {
		t.Fatal("fingerprint is not keyed")
	}
	if k.Hash("caller-a", "key") == k.Hash("caller-b", "key") {
		t.Fatal("two callers' keys collide")
	}
}

// "off" is the one way to turn limits off: an empty SMSFLOW_SEND_LIMITS
// reads as the default.
func TestLimitsOff(t *testing.T) {
	l, err := ParseLimits(" off ", "SMS_OTP=verification")
	if err != nil || !l.Empty() {
		t.Fatalf("ParseLimits(off) = %+v, %v; want no limits", l, err)
	}
	if _, err := ParseLimits("off;verification=1/1m", ""); err == nil {
		t.Error(`"off" mixed with rules was accepted`)
	}
}

func TestParseLimits(t *testing.T) {
	l, err := ParseLimits("verification=1/1m,5/1h; *=100/24h", "SMS_OTP=verification")
	if err != nil {
		t.Fatal(err)
	}
	if kind, ws := l.For("SMS_OTP"); kind != "verification" || len(ws) != 2 || ws[1].Limit != 5 {
		t.Fatalf("SMS_OTP: %s %v", kind, ws)
	}
	if kind, ws := l.For("SMS_OTHER"); kind != "*" || len(ws) != 1 {
		t.Fatalf("SMS_OTHER: %s %v", kind, ws)
	}
	for _, bad := range [][2]string{{"verification", ""}, {"v=0/1m", ""}, {"v=1/1ms", ""}, {"v=x/1m", ""}, {"", "SMS_1"}} {
		if _, err := ParseLimits(bad[0], bad[1]); err == nil {
			t.Errorf("ParseLimits(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

// The hand-written check accepts exactly what the documented pattern does.
func TestKeyCharsMatchesItsPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9._:~+/=-]+$`)
	for _, k := range []string{"a", "A-1", "x.y_z:1~2+3/4=5", "a b", "a\"", "é", "a\n", "a,b", "a;b", "a*", "a\x00", "01HZ", "a!", "a\\b"} {
		if got, want := keyChars(k), pattern.MatchString(k); got != want {
			t.Errorf("keyChars(%q) = %v, pattern says %v", k, got, want)
		}
	}
}
