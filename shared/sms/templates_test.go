package sms

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTemplateMapRefusesBrokenEntries(t *testing.T) {
	cases := map[string]string{
		"empty":           `templates: {}`,
		"unknown key":     "templates:\n  SMS_A:\n    alibaba: {sign: s}\n    tencnet: {}\n",
		"no alibaba sign": "templates:\n  SMS_A:\n    tencent: {template_id: \"1\", sign: s, params: [a]}\n",
		"bad id":          "templates:\n  SMS_A:\n    alibaba: {sign: s}\n    tencent: {template_id: abc, sign: s, params: [a]}\n",
		"no tencent sign": "templates:\n  SMS_A:\n    alibaba: {sign: s}\n    tencent: {template_id: \"1\", params: [a]}\n",
		"twice":           "templates:\n  SMS_A:\n    alibaba: {sign: s}\n    tencent: {template_id: \"1\", sign: s, params: [a, a]}\n",
		"bad code":        "templates:\n  otp:\n    alibaba: {sign: s}\n",
	}
	for name, raw := range cases {
		if _, err := ParseTemplateMap([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTemplateMapErrorNamesTheTemplate(t *testing.T) {
	_, err := ParseTemplateMap([]byte("templates:\n  SMS_OK:\n    alibaba: {sign: s}\n  SMS_BAD:\n    alibaba: {sign: s}\n    tencent: {template_id: x, sign: s}\n"))
	if err == nil || !strings.Contains(err.Error(), "SMS_BAD") || strings.Contains(err.Error(), "SMS_OK") {
		t.Fatalf("error %v", err)
	}
}

// The map the send function ships must load (it is validated at start).
func TestShippedTemplateMapsLoad(t *testing.T) {
	for _, p := range []string{"../../functions/send/templates.yaml", "testdata/templates_local.yaml"} {
		if _, err := LoadTemplateMap(mustAbs(t, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestPositionalFollowsTheMappedOrder(t *testing.T) {
	tpl := TencentTemplate{TemplateID: "1", Sign: "s", Params: []string{"name", "status"}}
	if got := strings.Join(tpl.Positional(map[string]string{"status": "b", "name": "a"}), ","); got != "a,b" {
		t.Fatalf("Positional = %s", got)
	}
}

// The hand-written checks agree with the patterns they stand for.
func TestShapeChecksMatchTheirPatterns(t *testing.T) {
	oracles := []struct {
		re    *regexp.Regexp
		check func(string) bool
	}{
		{regexp.MustCompile(`^SMS_[0-9A-Za-z_]{1,60}$`), ValidTemplateCode},
		{regexp.MustCompile(`^[1-9][0-9]{0,11}$`), isTencentTemplateID},
		{regexp.MustCompile(`^[A-Za-z_][0-9A-Za-z_]{0,63}$`), ValidParamName},
	}
	samples := []string{"", "SMS_", "SMS_1", "SMS_a_B", "SMS-1", "sms_1", "SMS_é", "0", "1", "100001", "0100", "1234567890123",
		"123456789012", "code", "_x", "9a", "a-b", "a b", "A9", "SMS_" + strings.Repeat("a", 60), "SMS_" + strings.Repeat("a", 61),
		strings.Repeat("a", 64), strings.Repeat("a", 65), "SMS_a\n", "a\x80", "SMS_\x00", " a", "a "}
	for i, o := range oracles {
		for _, s := range samples {
			if o.re.MatchString(s) != o.check(s) {
				t.Errorf("check %d on %q: %t, pattern says %t", i, s, o.check(s), o.re.MatchString(s))
			}
		}
	}
}
