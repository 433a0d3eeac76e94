package alert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// conformance: SLS-09
func TestDefaultsLoad(t *testing.T) {
	cfg, err := Defaults()
	if err != nil {
		t.Fatalf("embedded defaults do not load: %v", err)
	}
	want := map[string]bool{
		"sms_failure_rate": true, "sms_template_failure_rate": true, "sms_call_latency_p99": true,
		"sms_throttle_rate": true, "sms_no_traffic": false, "sms_delivery_rate": true, "sms_delivery_latency_p95": true,
		"sms_provider_failure_rate": true, "sms_provider_call_latency_p99": true, "sms_provider_delivery_rate": true,
		"sms_on_secondary": true,
	}
	if len(cfg.Rules) != len(want) {
		t.Fatalf("got %d rules, want %d", len(cfg.Rules), len(want))
	}
	for _, r := range cfg.Rules {
		enabled, ok := want[r.Name]
		if !ok {
			t.Errorf("unexpected rule %q", r.Name)
		}
		if r.IsEnabled() != enabled {
			t.Errorf("rule %q enabled=%v, want %v", r.Name, r.IsEnabled(), enabled)
		}
	}
	fr, _ := cfg.rule("sms_failure_rate")
	if *fr.Threshold != 0.05 || fr.Window != 5*time.Minute || fr.MinSamples != 20 || fr.For != 2 || fr.Comparison != ">" {
		t.Errorf("failure rule = %+v", fr)
	}
	lat, _ := cfg.rule("sms_call_latency_p99")
	if lat.Quantile != 0.99 || *lat.Threshold != 1000 || lat.For != 2 || lat.Unit != UnitMillis {
		t.Errorf("latency rule = %+v", lat)
	}
	if cfg.Settings.IndexLag != 60*time.Second || cfg.Settings.Interval != time.Minute {
		t.Errorf("settings = %+v", cfg.Settings)
	}
}

func TestParseCollectsEveryErrorNamingRuleAndField(t *testing.T) {
	bad := `
channels:
  - name: hook
    type: webhook
    url: http://127.0.0.1/x
  - name: ding
    type: dingtalk
    url: https://oapi.dingtalk.com/robot/send?access_token=abc
    secret_env: "SEC123 value"
rules:
  - name: too_slow
    severity: urgent
    kind: latency_quantile
    quantile: 1.5
    window: 5m
    threshold: 1000
    channels: [hook]
  - name: typo
    severity: warning
    kind: failure_rate
    window: 5m
    treshold: 0.05
    channels: [hook, pager]
  - name: bad_window
    severity: info
    kind: throttle_rate
    window: soon
    threshold: 0.1
    channels: [hook]
  - name: custom
    severity: info
    query: "select 1"
    window: 1m
    threshold: 1
    annotations: {summary: "${tempalte_code} is bad"}
    channels: [hook]
`
	_, err := Parse([]byte(bad))
	if err == nil {
		t.Fatal("bad file accepted")
	}
	// Decode errors come first; fix them to see validation errors too.
	for _, want := range []string{
		`rule "typo": unknown field "treshold"`,
		`rule "bad_window": field window:`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	fixed := strings.Replace(strings.Replace(bad, "treshold", "threshold", 1), "window: soon", "window: 5m", 1)
	_, err = Parse([]byte(fixed))
	if err == nil {
		t.Fatal("bad file accepted")
	}
	for _, want := range []string{
		`rule "too_slow": field severity: must be one of critical, warning, info (got "urgent")`,
		`rule "too_slow": field quantile: must be between 0 and 1`,
		`rule "typo": field channels: no channel named "pager"`,
		`rule "custom": field query: must be ` + "`search | SQL`",
		`rule "custom": field annotations.summary: ${tempalte_code} is neither a built-in variable nor in group_by`,
		`channel "ding": field url: a robot URL carries its access token: use url_env`,
		`channel "ding": field secret_env: must name an environment variable`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestParseRejectsMissingRequiredFields(t *testing.T) {
	_, err := Parse([]byte(`
rules:
  - severity: warning
    kind: failure_rate
`))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`rule #1: field name: is required`,
		`rule #1: field window: is required`,
		`rule #1: field threshold: is required`,
		`rule #1: field channels: name at least one channel`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestIncludeDefaultsPatchesByName(t *testing.T) {
	cfg, err := Parse([]byte(`
include_defaults: true
settings:
  index_lag: 90s
rules:
  - name: sms_failure_rate
    threshold: 0.1
  - name: sms_no_traffic
    enabled: true
  - name: big_templates
    severity: info
    kind: failure_rate
    window: 10m
    threshold: 0.5
    group_by: [template_code]
    channels: [webhook]
silences:
  - rule: big_templates
    match: {template_code: SMS_1}
    start: 2026-01-01T00:00:00Z
    end: 2026-01-02T00:00:00Z
`))
	if err != nil {
		t.Fatal(err)
	}
	fr, _ := cfg.rule("sms_failure_rate")
	if *fr.Threshold != 0.1 || fr.MinSamples != 20 || fr.For != 2 {
		t.Errorf("patched rule lost its other fields: %+v", fr)
	}
	if nt, _ := cfg.rule("sms_no_traffic"); !nt.IsEnabled() {
		t.Error("no_traffic not enabled by the patch")
	}
	if _, ok := cfg.rule("big_templates"); !ok {
		t.Error("new rule missing")
	}
	if cfg.Settings.IndexLag != 90*time.Second || cfg.Settings.Interval != time.Minute {
		t.Errorf("settings = %+v", cfg.Settings)
	}
	if len(cfg.Silences) != 1 {
		t.Errorf("silences = %+v", cfg.Silences)
	}
	// The embedded defaults are untouched by a patch.
	d, _ := Defaults()
	if dr, _ := d.rule("sms_failure_rate"); *dr.Threshold != 0.05 {
		t.Error("patch leaked into defaults")
	}
}

func TestSilenceMustMatchGroupBy(t *testing.T) {
	_, err := Parse([]byte(`
include_defaults: true
silences:
  - rule: sms_failure_rate
    match: {template_code: SMS_1}
    start: 2026-01-02T00:00:00Z
    end: 2026-01-01T00:00:00Z
`))
	for _, want := range []string{
		`silence #1: field match: "template_code" is not in the group_by of rule "sms_failure_rate"`,
		`silence #1: field end: must be after start`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestLoadPicksTheNamedThenThePackagedFileThenTheDefaults(t *testing.T) {
	named := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(named, []byte("include_defaults: true\nsettings: {index_lag: 30s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exeDir := t.TempDir()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	cfg, src, err := Load(env(nil), exeDir)
	if err != nil || len(cfg.Rules) != 11 || src != "embedded defaults" {
		t.Fatalf("nothing packaged: %v %q", err, src)
	}
	packaged := filepath.Join(exeDir, PackagedRulesFile)
	if err := os.WriteFile(packaged, []byte("include_defaults: true\nsettings: {index_lag: 20s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, src, err = Load(env(nil), exeDir)
	if err != nil || cfg.Settings.IndexLag != 20*time.Second || src != packaged {
		t.Fatalf("packaged file: %v %q %+v", err, src, cfg)
	}
	cfg, src, err = Load(env(map[string]string{EnvRulesFile: named}), exeDir)
	if err != nil || cfg.Settings.IndexLag != 30*time.Second || src != named {
		t.Fatalf("named file over the packaged one: %v %q", err, src)
	}
	// A named file that is not there is an error, not a silent fallback.
	if _, _, err := Load(env(map[string]string{EnvRulesFile: named + ".missing"}), exeDir); err == nil {
		t.Fatal("a missing named file was accepted")
	}
	// A broken packaged file refuses the start, naming the field.
	if err := os.WriteFile(packaged, []byte("settings: {interval: fast}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(env(nil), exeDir); err == nil || !strings.Contains(err.Error(), "settings: field interval") {
		t.Fatalf("bad packaged file: %v", err)
	}
}

// YAML reads a time without an offset as UTC: a silence written in local
// time ("10:00 to 18:00", meant in Beijing) would mute 18:00 to 02:00 and
// page everyone during the maintenance. The offset is required.
func TestSilenceTimesNeedTheirOffset(t *testing.T) {
	for _, c := range []struct{ start, want string }{
		{"2026-11-27 10:00:00", `silence #1: field start: must be an RFC 3339 time with its offset`},
		{"2026-11-27T10:00:00", `silence #1: field start: must be an RFC 3339 time with its offset`},
		{"2026-11-27", `silence #1: field start: must be an RFC 3339 time with its offset`},
		{"2026-11-27T10:00:00+08:00", ""},
		{"2026-11-27T02:00:00Z", ""},
	} {
		_, err := Parse([]byte("include_defaults: true\nsilences:\n  - {rule: sms_failure_rate, start: " + c.start + ", end: 2026-11-27T18:00:00+08:00}\n"))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("start %s: %v", c.start, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("start %s: err %v, want %q", c.start, err, c.want)
		}
	}
}

// Two rules (or channels) with one name in one file used to be merged,
// the second patching the first field by field: a rule nobody wrote ran.
// A name is declared once per file; with include_defaults a default's name
// still patches that default, once.
func TestANameDeclaredTwiceInOneFileIsRefused(t *testing.T) {
	for name, c := range map[string]struct{ file, want string }{
		"two rules": {`
channels:
  - {name: hook, type: webhook, url: http://127.0.0.1/x}
rules:
  - {name: r, severity: critical, kind: failure_rate, window: 5m, threshold: 0.05, min_samples: 20, channels: [hook]}
  - {name: r, severity: info, kind: failure_rate, window: 5m, threshold: 0.5, channels: [hook]}
`, `rule "r": field name: is declared twice (lines 5 and 6)`},
		"two channels": {`
channels:
  - {name: hook, type: webhook, url: http://127.0.0.1/a}
  - {name: hook, type: webhook, url: http://127.0.0.1/b}
rules:
  - {name: r, severity: critical, kind: failure_rate, window: 5m, threshold: 0.05, channels: [hook]}
`, `channel "hook": field name: is declared twice (lines 3 and 4)`},
		"a default patched twice": {`
include_defaults: true
rules:
  - {name: sms_failure_rate, threshold: 0.1}
  - {name: sms_failure_rate, min_samples: 5}
`, `rule "sms_failure_rate": field name: is declared twice (lines 4 and 5)`},
		"a default channel patched twice": {`
include_defaults: true
channels:
  - {name: webhook, url_env: HOOK_A}
  - {name: webhook, enabled: false}
`, `channel "webhook": field name: is declared twice (lines 4 and 5)`},
	} {
		if _, err := Parse([]byte(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
}

// Unknown keys were refused inside the sections but not at the top level:
// `silence:` for `silences:` dropped the silence and paged through the
// maintenance it was written for.
func TestAnUnknownTopLevelKeyIsRefused(t *testing.T) {
	const rules = `
channels:
  - {name: hook, type: webhook, url: http://127.0.0.1/x}
rules:
  - {name: r, severity: warning, kind: failure_rate, window: 5m, threshold: 0.05, channels: [hook]}
`
	for _, c := range []struct{ extra, want string }{
		{"silence:\n  - {rule: r, start: 2026-11-27T10:00:00Z, end: 2026-11-27T18:00:00Z}\n", `rule file: unknown field "silence" (line 1)`},
		{"setting: {index_lag: 120s}\n", `rule file: unknown field "setting" (line 1)`},
		{"include_default: true\n", `rule file: unknown field "include_default" (line 1)`},
		{"rules: []\n", `rule file: field rules: given twice (lines 1 and 5)`},
		{"include_defaults: maybe\n", `rule file: field include_defaults: cannot unmarshal`},
	} {
		if _, err := Parse([]byte(c.extra + rules)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.extra, err, c.want)
		}
	}
	if _, err := Parse([]byte("- a list\n")); err == nil || !strings.Contains(err.Error(), "rule file: must be a mapping") {
		t.Errorf("a list: %v", err)
	}
	if _, err := Parse([]byte(rules)); err != nil {
		t.Fatal(err)
	}
}

// A patch that changes a default rule's kind gets the new kind's
// comparison, unit and quantile, not the old kind's: patched after they
// were filled in, sms_delivery_rate turned failure_rate kept `<` and
// fired whenever under 90 % of sends failed, i.e. always.
func TestAPatchedKindBringsItsOwnDefaults(t *testing.T) {
	cfg, err := Parse([]byte(`
include_defaults: true
rules:
  - {name: sms_delivery_rate, kind: failure_rate, threshold: 0.05}
  - {name: sms_call_latency_p99, kind: throttle_rate, threshold: 0.1, quantile: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sms_delivery_rate", "sms_call_latency_p99"} {
		r, _ := cfg.rule(name)
		if r.Comparison != ">" || r.Unit != UnitRatio || r.Quantile != 0 || r.MinSamples != 20 {
			t.Errorf("%s patched to %s: comparison %q unit %q quantile %v min_samples %d", name, r.Kind, r.Comparison, r.Unit, r.Quantile, r.MinSamples)
		}
	}
	// A default that says its comparison keeps it through a patch.
	cfg, err = Parse([]byte("include_defaults: true\nrules:\n  - {name: sms_on_secondary, threshold: 2}\n"))
	if r, _ := cfg.rule("sms_on_secondary"); err != nil || r.Comparison != ">=" {
		t.Errorf("sms_on_secondary patched: %v %+v", err, r)
	}
}
