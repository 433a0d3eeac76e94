package alert

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"smsflow/shared/alert/notify"
	"smsflow/shared/obs"
	"smsflow/shared/sms"
	"smsflow/shared/text"
)

var (
	ruleNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)
	fieldNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	envNameRE   = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	sqlLimitRE  = regexp.MustCompile(`(?i)\blimit\s+\d+`)
)

// eventField reports whether the events carry, and the logstore indexes,
// a field named f (obs.Fields, what provisioning indexes).
func eventField(f string) bool {
	return slices.ContainsFunc(obs.Fields, func(s obs.FieldSpec) bool { return s.Key == f })
}

var severities = map[string]bool{"critical": true, "warning": true, "info": true}

// kindDefaults are what a built-in kind means when the rule leaves it out.
var kindDefaults = map[string]struct {
	comparison string
	quantile   float64
	unit       string
}{
	KindFailureRate:             {">", 0, UnitRatio},
	KindLatencyQuantile:         {">", 0.99, UnitMillis},
	KindThrottleRate:            {">", 0, UnitRatio},
	KindNoTraffic:               {"<", 0, UnitCount},
	KindDeliveryRate:            {"<", 0, UnitRatio},
	KindDeliveryLatencyQuantile: {">", 0.95, UnitMillis},
}

// Units of a rule's value, used to print it.
const (
	UnitRatio  = "ratio"
	UnitMillis = "ms"
	UnitCount  = "count"
)

func (c *Config) applyDefaults() {
	if c.Settings.Interval == 0 {
		c.Settings.Interval = DefaultInterval
	}
	if c.Settings.IndexLag == 0 {
		c.Settings.IndexLag = DefaultIndexLag
	}
	if c.Settings.DeliveryLease == 0 {
		c.Settings.DeliveryLease = DefaultDeliveryLease
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if d, ok := kindDefaults[r.Kind]; ok {
			if r.Comparison == "" {
				r.Comparison = d.comparison
			}
			if r.Quantile == 0 {
				r.Quantile = d.quantile
			}
			if r.Unit == "" {
				r.Unit = d.unit
			}
		}
		if r.For == 0 {
			r.For = 1
		}
	}
}

// Validate checks the whole file and returns every problem found, each
// naming the rule, channel or silence and the field, joined in one error.
func (c *Config) Validate() error {
	var errs []error
	add := func(what, field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: field %s: %s", what, field, fmt.Sprintf(format, args...)))
	}
	validateSettings(c.Settings, func(field, format string, args ...any) { add("settings", field, format, args...) })
	channels := map[string]bool{}
	for i, ch := range c.Channels {
		what := fmt.Sprintf("channel %q", ch.Name)
		if ch.Name == "" {
			what = fmt.Sprintf("channel #%d", i+1)
			add(what, "name", "is required")
		} else if channels[ch.Name] {
			add(what, "name", "is declared twice")
		}
		channels[ch.Name] = true
		validateChannel(ch, func(field, format string, args ...any) { add(what, field, format, args...) })
	}
	enabledChannels := map[string]bool{}
	for _, ch := range c.Channels {
		enabledChannels[ch.Name] = ch.IsEnabled()
	}
	rules := map[string]Rule{}
	for i, r := range c.Rules {
		what := fmt.Sprintf("rule %q", r.Name)
		if r.Name == "" {
			what = fmt.Sprintf("rule #%d", i+1)
		}
		if _, dup := rules[r.Name]; dup && r.Name != "" {
			add(what, "name", "is declared twice")
		}
		rules[r.Name] = r
		validateRule(r, channels, func(field, format string, args ...any) { add(what, field, format, args...) })
		// Run k reads [slot_k − lag − window, slot_k − lag): with a window
		// shorter than the interval, what happens between two windows is
		// read by no run, and a burst of failures there never alerts.
		if r.IsEnabled() && r.Window > 0 && c.Settings.Interval > 0 && r.Window < c.Settings.Interval {
			add(what, "window", "%s is shorter than settings.interval %s: events between two runs' windows would never be evaluated", r.Window, c.Settings.Interval)
		}
		if r.IsEnabled() && len(r.Channels) > 0 && !slices.ContainsFunc(r.Channels, func(ch string) bool { return enabledChannels[ch] }) {
			add(what, "channels", "every channel it names is disabled: it would fire unheard (enable one, or disable the rule)")
		}
	}
	if !slices.ContainsFunc(c.Rules, Rule.IsEnabled) {
		// An empty or truncated file would deploy a function that alerts
		// on nothing (and refuses every timer run): say so at load.
		errs = append(errs, errors.New("rules: no enabled rule (an empty or truncated file?)"))
	}
	for i, s := range c.Silences {
		what := fmt.Sprintf("silence #%d", i+1)
		r, ok := rules[s.Rule]
		switch {
		case s.Rule == "":
			add(what, "rule", "is required")
		case !ok:
			add(what, "rule", "names no rule: %q", s.Rule)
		}
		if s.Start.IsZero() || s.End.IsZero() {
			add(what, "start/end", "both are required (RFC 3339 times)")
		} else if !s.End.After(s.Start) {
			add(what, "end", "must be after start")
		}
		for k := range s.Matcher {
			if ok && !slices.Contains(r.GroupBy, k) {
				add(what, "match", "%q is not in the group_by of rule %q", k, s.Rule)
			}
		}
	}
	return errors.Join(errs...)
}

type addFunc func(field, format string, args ...any)

// validateSettings checks the evaluator's timing: the slot and the SLS
// windows are in whole seconds, and a zero-length slot would make every
// run (a duplicated timer delivery included) a slot of its own.
func validateSettings(s Settings, add addFunc) {
	wholeSeconds := func(field string, d, min time.Duration) {
		switch {
		case d < min:
			add(field, "must be at least %s (got %s)", min, d)
		case d%time.Second != 0:
			add(field, "must be whole seconds (got %s)", d)
		}
	}
	wholeSeconds("interval", s.Interval, time.Second)
	wholeSeconds("index_lag", s.IndexLag, 0)
	wholeSeconds("delivery_lease", s.DeliveryLease, time.Second)
}

func validateRule(r Rule, channels map[string]bool, add addFunc) {
	if r.Name == "" {
		add("name", "is required")
	} else if !ruleNameRE.MatchString(r.Name) {
		add("name", "must match %s", ruleNameRE)
	}
	if !severities[r.Severity] {
		add("severity", "must be one of critical, warning, info (got %q)", r.Severity)
	}
	kd, builtin := kindDefaults[r.Kind]
	// A built-in kind's unit is the kind's: its value is a share, or
	// milliseconds, or a count, whatever the file says. Another unit
	// would print the value wrongly and skip the kind's threshold checks
	// (`unit: count` let a failure_rate threshold of 5, meant as 5 %,
	// load and never fire).
	unit := r.Unit
	if builtin {
		if unit != kd.unit {
			add("unit", "is %s for kind %s (got %q): leave it out", kd.unit, r.Kind, r.Unit)
		}
		unit = kd.unit
	}
	switch {
	case r.Kind != "" && r.Query != "":
		add("query", "set either kind or query, not both")
	case r.Kind == "" && r.Query == "":
		add("kind", "set a built-in kind or a query")
	case r.Kind != "" && !builtin:
		add("kind", "unknown kind %q", r.Kind)
	case r.Query != "" && !strings.Contains(r.Query, "|"):
		add("query", "must be `search | SQL`")
	}
	if r.Query != "" && len(r.GroupBy) > 0 && !sqlLimitRE.MatchString(r.Query) {
		add("query", "a grouped query needs a LIMIT: SLS answers 100 rows without one, and the groups past them would go unseen")
	}
	if r.Query != "" && r.Filter != "" {
		add("filter", "only applies to built-in kinds; put it in the query")
	}
	if strings.Contains(r.Filter, "|") {
		// The filter goes inside the search part: a pipe would end it
		// there and SLS would refuse the query on every run.
		add("filter", "is a search condition only: no `|` (the SQL part is the kind's)")
	}
	quantileKind := r.Kind == KindLatencyQuantile || r.Kind == KindDeliveryLatencyQuantile
	// Written so that NaN (YAML .nan) fails too: it would reach SLS as a
	// quantile and make every run of the rule unknown.
	if quantileKind && !(r.Quantile > 0 && r.Quantile < 1) {
		add("quantile", "must be between 0 and 1 (got %v)", r.Quantile)
	}
	if !quantileKind && r.Quantile != 0 {
		add("quantile", "only applies to latency kinds")
	}
	if r.Window <= 0 {
		add("window", "is required and must be positive")
	} else if r.Window%time.Second != 0 {
		add("window", "must be whole seconds (SLS windows are in seconds)")
	}
	if r.Threshold == nil {
		add("threshold", "is required")
	} else if math.IsNaN(*r.Threshold) || math.IsInf(*r.Threshold, 0) {
		// NaN compares false with everything: the rule could never fire.
		add("threshold", "must be a finite number (got %v)", *r.Threshold)
	} else if t := *r.Threshold; unit == UnitRatio && (t < 0 || t > 1) {
		// A rate lies in [0, 1]: `threshold: 5` meant 5 % and would never
		// (or, with <, always) breach.
		add("threshold", "a ratio is a fraction between 0 and 1: 5%% is 0.05 (got %v)", t)
	} else if (unit == UnitMillis || unit == UnitCount) && t < 0 {
		add("threshold", "a %s value is never negative (got %v)", unit, t)
	} else if vr, ok := valueRanges[unit]; ok && !canBeTrue(r.Comparison, t, vr.lo, vr.hi) {
		// In range, yet at its edge: a failure rate `> 1`, a delivery
		// rate or a count `< 0` never breaches.
		add("threshold", "value %s %v can never be true (%s): the rule could never fire", r.Comparison, t, vr.says)
	}
	if _, ok := comparisons[r.Comparison]; !ok {
		add("comparison", "must be one of > >= < <= == != (got %q)", r.Comparison)
	}
	if r.MinSamples < 0 {
		add("min_samples", "must not be negative")
	}
	if r.For < 1 {
		add("for", "must be at least 1")
	}
	if r.RepeatInterval < 0 {
		add("repeat_interval", "must not be negative")
	}
	switch r.Unit {
	case "", UnitRatio, UnitMillis, UnitCount:
	default:
		if !builtin { // else said above
			add("unit", "must be ratio, ms or count (got %q)", r.Unit)
		}
	}
	for _, g := range r.GroupBy {
		switch {
		case !fieldNameRE.MatchString(g) || reservedVars[g]:
			add("group_by", "%q is not a usable field name", g)
		case r.Query == "" && !eventField(g):
			// A built-in kind queries the events: SLS cannot resolve a
			// column the index lacks, so a typo would fail every run.
			add("group_by", "%q is not an event field (docs/events.md lists them)", g)
		}
	}
	if r.Kind == KindNoTraffic && len(r.GroupBy) > 0 {
		add("group_by", "no_traffic cannot group: a silent group returns no row to compare")
	}
	for k := range r.Labels {
		if !fieldNameRE.MatchString(k) {
			add("labels", "%q is not a valid label name", k)
		}
	}
	for k, text := range r.Annotations {
		for _, v := range notify.TemplateVars(text) {
			if !reservedVars[v] && !slices.Contains(r.GroupBy, v) {
				add("annotations."+k, "${%s} is neither a built-in variable nor in group_by", v)
			}
		}
	}
	if len(r.Channels) == 0 {
		add("channels", "name at least one channel")
	}
	for _, ch := range r.Channels {
		if !channels[ch] {
			add("channels", "no channel named %q", ch)
		}
	}
}

// valueRanges are the values a unit's measure can take. A custom query
// without a unit may return anything.
var valueRanges = map[string]struct {
	lo, hi float64
	says   string
}{
	UnitRatio:  {0, 1, "a ratio lies between 0 and 1"},
	UnitMillis: {0, math.Inf(1), "a ms value is never negative"},
	UnitCount:  {0, math.Inf(1), "a count is never negative"},
}

// canBeTrue reports whether some value in [lo, hi] satisfies
// `value <op> t`; an unknown op is reported on its own.
func canBeTrue(op string, t, lo, hi float64) bool {
	switch op {
	case ">":
		return hi > t
	case ">=":
		return hi >= t
	case "<":
		return lo < t
	case "<=":
		return lo <= t
	case "==":
		return lo <= t && t <= hi
	}
	return true
}

func validateChannel(ch Channel, add addFunc) {
	checkEnv := func(field, name string) {
		if name != "" && !envNameRE.MatchString(name) {
			add(field, "must name an environment variable (got %q); never put the secret itself here", name)
		}
	}
	checkEnv("url_env", ch.URLEnv)
	checkEnv("secret_env", ch.SecretEnv)
	checkEnv("phones_env", ch.PhonesEnv)
	switch ch.Type {
	case ChannelDingTalk, ChannelWeCom, ChannelLark:
		if ch.URL != "" {
			add("url", "a robot URL carries its access token: use url_env")
		}
		if ch.URLEnv == "" {
			add("url_env", "is required")
		}
		if ch.Type == ChannelWeCom && ch.SecretEnv != "" {
			add("secret_env", "WeCom robots are not signed; the key is in the URL")
		}
	case ChannelWebhook:
		if (ch.URL == "") == (ch.URLEnv == "") {
			add("url", "set exactly one of url and url_env")
		}
		if u, err := url.Parse(ch.URL); ch.URL != "" && (err != nil || u.User != nil || u.RawQuery != "") {
			// The file is in the repository and the code package: a token
			// in user info or the query string would be a secret in both.
			add("url", "a URL with user info or a query string may hold a credential: use url_env")
		} else if err := checkTarget(ch.URL); ch.URL != "" && err != nil {
			// What the start refuses, refused when make build loads the file.
			add("url", "%v", err)
		}
	case ChannelSMS:
		if _, _, unfit := text.FirstUnfit(ch.SignName); strings.TrimSpace(ch.SignName) == "" || unfit || utf8.RuneCountInString(ch.SignName) > 64 {
			// What the send API refuses (shared/api/decode.go), which
			// Dysmsapi would refuse at every page.
			add("sign_name", "is required: 1 to 64 printable characters")
		}
		if ch.TemplateCode == "" {
			add("template_code", "is required")
		} else if !sms.ValidTemplateCode(ch.TemplateCode) {
			add("template_code", "must be SMS_ followed by 1 to 60 letters, digits or _, like SMS_LOCAL_NOTICE (got %q): Dysmsapi would refuse every page", ch.TemplateCode)
		}
		if ch.PhonesEnv == "" {
			add("phones_env", "is required (comma-separated on-call numbers)")
		}
		for k, text := range ch.Params {
			if !sms.ValidParamName(k) {
				add("params", "%q is not a template variable name (letters, digits and _, at most 64)", k)
			}
			for _, v := range notify.TemplateVars(text) {
				if !reservedVars[v] {
					add("params."+k, "${%s} is not a built-in variable", v)
				}
			}
		}
	default:
		add("type", "must be one of sms, dingtalk, wecom, lark, webhook (got %q)", ch.Type)
	}
	if ch.Type != ChannelSMS && (ch.SignName != "" || ch.TemplateCode != "" || ch.PhonesEnv != "" || len(ch.Params) > 0) {
		add("type", "sign_name, template_code, phones_env and params apply to sms channels only")
	}
}
