package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Group values come from the logstore, where a caller may have put them.
// With two group_by fields, a value holding "," or "=" must not make two
// groups one key: a benign group would hide (or overwrite) a failing one.
func TestGroupValuesCannotCollideIntoOneKey(t *testing.T) {
	rules := strings.Replace(testRules, "    repeat_interval: 1h\n",
		"    repeat_interval: 1h\n    group_by: [provider, template_code]\n", 1)
	h := newHarness(t, rules)
	h.sls.set(fixed(
		rateRow(100, 20, "provider", "aliyun,template_code=SMS_X", "template_code", "SMS_1"), // failing
		rateRow(100, 0, "provider", "aliyun", "template_code", "SMS_X,template_code=SMS_1"),  // healthy
	), true, nil)
	h.run(0)
	h.run(1)
	msgs := h.a.messages()
	if len(msgs) != 1 || msgs[0].Group["provider"] != "aliyun,template_code=SMS_X" {
		t.Fatalf("channel a got %v, want one firing for the failing group", h.a.kinds())
	}
	if k1, k2 := groupKey(msgs[0].Group), groupKey(map[string]string{"provider": "aliyun", "template_code": "SMS_X,template_code=SMS_1"}); k1 == k2 {
		t.Errorf("two groups share the key %q", k1)
	}
}

// A value from the logstore is text, never markup: it cannot add lines,
// headings, links or mentions to what the robots render (a forged
// "[RESOLVED]" under a real alert, a phishing link, an @all).
func TestLogstoreValuesCannotForgeMarkup(t *testing.T) {
	const hostile = "SMS_1](https://evil.example/login)\n\n### [RESOLVED critical] sms_failure_rate <at user_id=\"all\"></at> <@all> `x` *b* \u202e"
	r := tableRule()
	r.Name, r.GroupBy = "sms_template_failure_rate", []string{"template_code"}
	r.Annotations = map[string]string{"summary": "Template ${template_code} failing", "detail": "group ${group}"}
	fired := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	render1 := func(code, example string) (title, text, markdown string) {
		s := State{Status: StatusFiring, Group: map[string]string{"template_code": code}, Value: 0.125, Samples: 40,
			Example: example, FiredAt: fired}
		m := render(notice{rule: r, key: Key{Rule: r.Name, Group: groupKey(s.Group)}, state: s, kind: NoticeFiring, id: "c1/a", windowEnd: fired})
		return m.Title, m.Text, m.Markdown
	}
	_, benignText, benignMD := render1("SMS_1", "4bf92f3577b34da6a3ce929d0e0e4736")
	title, text, md := render1(hostile, hostile)
	if strings.Count(text, "\n") != strings.Count(benignText, "\n") || strings.Count(md, "\n") != strings.Count(benignMD, "\n") {
		t.Errorf("a value added lines:\n%s", md)
	}
	query := r.CompiledQuery()
	for name, s := range map[string]string{"title": title, "text": strings.ReplaceAll(text, query, ""), "markdown": strings.ReplaceAll(md, query, "")} {
		for _, bad := range []string{"](", "https://", "<at", "<@", "[RESOLVED", "`x`", "*b*", "\u202e"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s carries %q from the logstore:\n%s", name, bad, s)
			}
		}
	}
}

// conformance: SLS-13
// A caller who can pick template codes can make more groups than a run
// looks at. Then the result is cut, and which groups survive is SLS's
// choice: a failing template could never fire, a firing one would resolve
// as "no data". Such a result is unknown (an alert.error, no state moves).
func TestMoreGroupsThanTheLimitIsUnknownNotCut(t *testing.T) {
	rules := strings.Replace(testRules, "    repeat_interval: 1h\n",
		"    repeat_interval: 1h\n    group_by: [template_code]\n", 1)
	h := newHarness(t, rules)
	if q := h.cfg.Rules[0].CompiledQuery(); !strings.HasSuffix(q, fmt.Sprintf("LIMIT %d", groupLimit+1)) {
		t.Fatalf("query %s does not ask for one row past the limit", q)
	}
	flood := func(n int) func(string) []map[string]string {
		rows := []map[string]string{rateRow(100, 20, "template_code", "SMS_REAL")}
		for i := range n - 1 {
			rows = append(rows, rateRow(100, 0, "template_code", fmt.Sprintf("SMS_JUNK_%d", i)))
		}
		return func(string) []map[string]string { return rows }
	}
	h.sls.set(flood(groupLimit), true, nil)
	h.run(0)
	h.run(1)
	h.want([]string{"firing template_code=SMS_REAL"}, []string{"firing template_code=SMS_REAL"})
	h.sls.set(flood(groupLimit+1), true, nil)
	for i := 2; i < 20; i++ {
		if rep := h.run(i); rep.Unknown != 1 {
			t.Fatalf("run %d: report %+v, want the rule unknown", i, rep)
		}
	}
	h.want([]string{"firing template_code=SMS_REAL"}, []string{"firing template_code=SMS_REAL"})
	if h.rec.count("alert.error") == 0 {
		t.Error("no alert.error for a cut result")
	}
}
