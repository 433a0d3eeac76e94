package api

import (
	"regexp"
	"strings"
	"testing"
)

// The documented patterns, which the hand-written checks implement.
var (
	templateCodePattern = regexp.MustCompile(`^SMS_[A-Za-z0-9_]{1,60}$`)
	paramNamePattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

// The hand-written checks accept exactly what the documented patterns do.
func TestTemplateCodeAndParamNameMatchTheirPatterns(t *testing.T) {
	code, param := templateCodePattern, paramNamePattern
	cases := []string{"", "SMS_", "SMS_1", "SMS_LOCAL_OTP", "sms_1", "SMS-1", "SMS_" + strings.Repeat("a", 60), "SMS_" + strings.Repeat("a", 61),
		"SMS_a\n", "SMS_é", "SMS_a b", "a", "_", "1a", "a1", "_1", strings.Repeat("a", 64), strings.Repeat("a", 65), "a-b", "a\n", "é", "name",
		"SMS_\x00", "a\x80", "SMS_OTP_2", " a", "a "}
	for _, c := range cases {
		if got, want := validTemplateCode(c), code.MatchString(c); got != want {
			t.Errorf("validTemplateCode(%q) = %v, pattern says %v", c, got, want)
		}
		if got, want := validParamName(c), param.MatchString(c); got != want {
			t.Errorf("validParamName(%q) = %v, pattern says %v", c, got, want)
		}
	}
}
