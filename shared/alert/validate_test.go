package alert

import (
	"strings"
	"testing"
)

// base is a valid rule; each case changes one line and expects one error.
const base = `
channels:
  - {name: hook, type: webhook, url: http://127.0.0.1/x}
rules:
  - name: r
    severity: warning
    kind: failure_rate
    window: 5m
    threshold: 0.05
    channels: [hook]
`

func TestValidationNamesRuleAndField(t *testing.T) {
	if _, err := Parse([]byte(base)); err != nil {
		t.Fatalf("base rule invalid: %v", err)
	}
	refused(t, []edit{
		{"kind: failure_rate", "kind: error_rate", `rule "r": field kind: unknown kind "error_rate"`},
		{"kind: failure_rate", "kind: failure_rate\n    query: '* | SELECT 1 AS value'", `rule "r": field query: set either kind or query, not both`},
		{"kind: failure_rate", "kind: no_traffic\n    group_by: [template_code]", `rule "r": field group_by: no_traffic cannot group`},
		{"kind: failure_rate", "kind: failure_rate\n    group_by: [Template-Code]", `rule "r": field group_by: "Template-Code" is not a usable field name`},
		{"kind: failure_rate", "kind: failure_rate\n    quantile: 0.5", `rule "r": field quantile: only applies to latency kinds`},
		{"window: 5m", "window: 1500ms", `rule "r": field window: must be whole seconds`},
		{"window: 5m", "window: -5m", `rule "r": field window: is required and must be positive`},
		{"threshold: 0.05", "threshold: 0.05\n    comparison: '=>'", `rule "r": field comparison: must be one of`},
		{"threshold: 0.05", "threshold: 0.05\n    for: -1", `rule "r": field for: must be at least 1`},
		{"threshold: 0.05", "threshold: 0.05\n    min_samples: -3", `rule "r": field min_samples: must not be negative`},
		{"threshold: 0.05", "threshold: lots", `rule "r": field threshold: cannot unmarshal`},
		{"name: r", "name: R!", `field name: must match`},
		{"kind: failure_rate", "kind: failure_rate\n    filter: 'function: send | SELECT 1'", `rule "r": field filter: is a search condition only`},
		{"type: webhook, url: http://127.0.0.1/x", "type: webhook, url: http://127.0.0.1/x, enabled: false", `rule "r": field channels: every channel it names is disabled`},
		{"threshold: 0.05", "threshold: 0.05\n    threshold: 5", `rule "r": field threshold: given twice (lines 9 and 10)`},
		{"severity: warning", "severity: warning\n    enabled: false", `rules: no enabled rule`},
		{"kind: failure_rate", "query: '* | SELECT template_code, count(1) AS value GROUP BY template_code'\n    group_by: [template_code]", `rule "r": field query: a grouped query needs a LIMIT`},
		{"kind: failure_rate", "kind: failure_rate\n    group_by: [templat_code]", `rule "r": field group_by: "templat_code" is not an event field`},
		{"kind: failure_rate", "kind: failure_rate\n    group_by: [template_code, order]", `rule "r": field group_by: "order" is not an event field`},
		{"threshold: 0.05", "threshold: .nan", `rule "r": field threshold: must be a finite number`},
		{"threshold: 0.05", "threshold: -.inf", `rule "r": field threshold: must be a finite number`},
		{"threshold: 0.05", "threshold: 5", `rule "r": field threshold: a ratio is a fraction between 0 and 1: 5% is 0.05 (got 5)`},
		{"kind: failure_rate\n    window: 5m\n    threshold: 0.05", "kind: latency_quantile\n    window: 5m\n    threshold: -1", `rule "r": field threshold: a ms value is never negative (got -1)`},
		{"kind: failure_rate", "kind: latency_quantile\n    quantile: .nan", `rule "r": field quantile: must be between 0 and 1 (got NaN)`},
		{"channels:", "settings: {interval: 1ns}\nchannels:", `settings: field interval: must be at least 1s`},
		{"channels:", "settings: {interval: 1500ms}\nchannels:", `settings: field interval: must be whole seconds`},
		{"channels:", "settings: {index_lag: -5s}\nchannels:", `settings: field index_lag: must be at least 0s`},
		{"channels:", "settings: {delivery_lease: -1m}\nchannels:", `settings: field delivery_lease: must be at least 1s`},
		{"channels:", "settings: {interval: 10m}\nchannels:", `rule "r": field window: 5m0s is shorter than settings.interval 10m0s: events between two runs' windows would never be evaluated`},
		{"type: webhook, url: http://127.0.0.1/x", "type: pager", `channel "hook": field type: must be one of`},
		{"type: webhook, url: http://127.0.0.1/x", "type: wecom, url_env: W, secret_env: S", `channel "hook": field secret_env: WeCom robots are not signed`},
		{"type: webhook, url: http://127.0.0.1/x", "type: sms, phones_env: P, template_code: T", `channel "hook": field sign_name: is required`},
		{"type: webhook, url: http://127.0.0.1/x", "type: webhook, url: http://x, url_env: U", `channel "hook": field url: set exactly one of url and url_env`},
		{"url: http://127.0.0.1/x", "url: 'https://hooks.example.com/in?token=T0ken'", `channel "hook": field url: a URL with user info or a query string may hold a credential: use url_env`},
		{"url: http://127.0.0.1/x", "url: 'https://user:pw@hooks.example.com/in'", `channel "hook": field url: a URL with user info`},
	})
}

// edit changes one line of base; the file must then be refused with want.
type edit struct{ from, to, want string }

func refused(t *testing.T, edits []edit) {
	t.Helper()
	for _, c := range edits {
		if !strings.Contains(base, c.from) {
			t.Fatalf("case %q: %q not in base", c.want, c.from)
		}
		_, err := Parse([]byte(strings.Replace(base, c.from, c.to, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s -> %s: error %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// A built-in kind's unit is the kind's: `unit: count` on a failure_rate
// used to turn its 0..1 threshold check off, so a threshold of 5 (meant as
// 5 %) loaded and the rule could never fire.
func TestABuiltInKindsUnitIsTheKinds(t *testing.T) {
	refused(t, []edit{
		{"threshold: 0.05", "threshold: 5\n    unit: count", `rule "r": field threshold: a ratio is a fraction between 0 and 1: 5% is 0.05 (got 5)`},
		{"threshold: 0.05", "threshold: 0.05\n    unit: count", `rule "r": field unit: is ratio for kind failure_rate (got "count"): leave it out`},
		{"threshold: 0.05", "threshold: 0.05\n    unit: percent", `rule "r": field unit: is ratio for kind failure_rate (got "percent")`},
		{"kind: failure_rate\n    window: 5m\n    threshold: 0.05", "kind: latency_quantile\n    window: 5m\n    threshold: -1\n    unit: ratio", `rule "r": field threshold: a ms value is never negative (got -1)`},
		{"kind: failure_rate", "query: '* | SELECT 1 AS value'\n    unit: percent", `rule "r": field unit: must be ratio, ms or count (got "percent")`},
	})
	for _, unit := range []string{"", "\n    unit: ratio"} {
		if _, err := Parse([]byte(strings.Replace(base, "threshold: 0.05", "threshold: 0.05"+unit, 1))); err != nil {
			t.Errorf("failure_rate with unit %q: %v", unit, err)
		}
	}
}

// A threshold at the edge of the value's range can make the comparison
// impossible: a failure rate `> 1`, a delivery rate `< 0`, no_traffic
// `< 0` loaded and could never fire.
func TestAComparisonThatCanNeverBeTrueIsRefused(t *testing.T) {
	kind := func(k, threshold string) edit {
		return edit{from: "kind: failure_rate\n    window: 5m\n    threshold: 0.05", to: "kind: " + k + "\n    window: 5m\n    threshold: " + threshold}
	}
	never := func(e edit, want string) edit { e.want = `rule "r": field threshold: value ` + want; return e }
	refused(t, []edit{
		never(kind("failure_rate", "1"), "> 1 can never be true (a ratio lies between 0 and 1)"),
		never(kind("throttle_rate", "1"), "> 1 can never be true"),
		never(kind("delivery_rate", "0"), "< 0 can never be true (a ratio lies between 0 and 1)"),
		never(kind("failure_rate", "0\n    comparison: '<'"), "< 0 can never be true"),
		never(kind("no_traffic", "0"), "< 0 can never be true (a count is never negative)"),
		never(kind("latency_quantile", "0\n    comparison: '<'"), "< 0 can never be true (a ms value is never negative)"),
		never(edit{from: "kind: failure_rate\n    window: 5m\n    threshold: 0.05",
			to: "query: '* | SELECT 1 AS value'\n    unit: ratio\n    comparison: '>'\n    window: 5m\n    threshold: 1"}, "> 1 can never be true"),
	})
	for _, ok := range []edit{
		kind("failure_rate", "1\n    comparison: '>='"), kind("failure_rate", "0"), kind("delivery_rate", "1"),
		kind("delivery_rate", "0\n    comparison: '<='"), kind("no_traffic", "1"), kind("failure_rate", "1\n    comparison: '=='"),
		{from: "kind: failure_rate\n    window: 5m\n    threshold: 0.05", to: "query: '* | SELECT 1 AS value'\n    comparison: '<'\n    window: 5m\n    threshold: 0"},
	} {
		if _, err := Parse([]byte(strings.Replace(base, ok.from, ok.to, 1))); err != nil {
			t.Errorf("%s: %v", ok.to, err)
		}
	}
}

// The SMS channel's template_code, sign_name and parameter names have the
// forms the send API takes: `sms notice 1` loaded, and Dysmsapi refused
// every page of it.
func TestSMSChannelFieldsHaveTheFormsDysmsapiTakes(t *testing.T) {
	const sms = "type: sms, sign_name: smsflow, template_code: SMS_1, phones_env: P, params: {name: '${rule}'}"
	channel := func(from, to, want string) edit {
		return edit{"type: webhook, url: http://127.0.0.1/x", strings.Replace(sms, from, to, 1), `channel "hook": field ` + want}
	}
	refused(t, []edit{
		channel("SMS_1", "'sms notice 1'", `template_code: must be SMS_ followed by 1 to 60 letters, digits or _, like SMS_LOCAL_NOTICE (got "sms notice 1")`),
		channel("SMS_1", "SMS_", `template_code: must be SMS_`),
		channel("SMS_1", "'SMS_1 '", `template_code: must be SMS_`),
		channel("SMS_1", "SMS_"+strings.Repeat("a", 61), `template_code: must be SMS_`),
		channel("sign_name: smsflow", "sign_name: ' '", `sign_name: is required: 1 to 64 printable characters`),
		channel("sign_name: smsflow", `sign_name: "sms\u202eflow"`, `sign_name: is required: 1 to 64 printable characters`),
		channel("sign_name: smsflow", "sign_name: "+strings.Repeat("s", 65), `sign_name: is required`),
		channel("{name:", "{1name:", `params: "1name" is not a template variable name`),
		channel("{name:", "{na-me:", `params: "na-me" is not a template variable name`),
	})
	for _, ok := range []string{sms, strings.Replace(sms, "SMS_1", "SMS_"+strings.Repeat("a", 60), 1), strings.Replace(sms, "smsflow", "短信通知", 1)} {
		if _, err := Parse([]byte(strings.Replace(base, "type: webhook, url: http://127.0.0.1/x", ok, 1))); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// An empty, comment-only or truncated rule file is refused at load (make
// build, and the function's start) rather than deployed to alert on nothing.
func TestRuleFileWithoutAnEnabledRuleIsRefused(t *testing.T) {
	for _, f := range []string{"", "# all commented out\n", "rules: []\n", "channels: []\n"} {
		if _, err := Parse([]byte(f)); err == nil || !strings.Contains(err.Error(), "rules: no enabled rule") {
			t.Errorf("%q: err %v", f, err)
		}
	}
}
