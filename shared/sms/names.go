package sms

import "strings"

// ValidTemplateCode is Dysmsapi's template code, ^SMS_[A-Za-z0-9_]{1,60}$,
// and ValidParamName a template variable's name, ^[A-Za-z_][A-Za-z0-9_]{0,63}$:
// the one definition the send API, the provider mapping and the alert
// rules' SMS channel all check against. Written out by hand: compiled, the
// bounded repeats cost about 1500 allocations at every cold start.
func ValidTemplateCode(s string) bool {
	rest, ok := strings.CutPrefix(s, "SMS_")
	return ok && len(rest) >= 1 && len(rest) <= 60 && allOf(rest, isWordByte)
}

// ValidParamName: see ValidTemplateCode.
func ValidParamName(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && (s[0] < '0' || s[0] > '9') && allOf(s, isWordByte)
}
