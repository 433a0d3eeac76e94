package redmetrics

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"smsflow/shared/alert"
)

// Samples are deltas, so a count over a range is sum_over_time, and a
// histogram's buckets over a range are summed before histogram_quantile.
func over(selector string, window string) string {
	return fmt.Sprintf("sum_over_time(%s[%s])", selector, window)
}

const (
	sendSel = Messages + `{decision="send"}`
	failSel = Messages + `{decision="send",outcome=~"failed|unknown"}`
	thrSel  = Messages + `{decision="send",outcome="throttled"}`
)

// ratio divides two sums by the same labels; a part with no series (no
// failures at all) counts as 0 rather than making the ratio vanish.
func ratio(part, whole, window, by string) string {
	agg := "sum"
	if by != "" {
		agg = "sum by (" + by + ")"
	}
	w := fmt.Sprintf("%s (%s)", agg, over(whole, window))
	return fmt.Sprintf("(%s (%s) or %s * 0) / %s", agg, over(part, window), w, w)
}

func quantile(q float64, family, window, by string) string {
	labels := "le"
	if by != "" {
		labels += ", " + by
	}
	return fmt.Sprintf("histogram_quantile(%s, sum by (%s) (%s))", strconv.FormatFloat(q, 'g', -1, 64), labels, over(family+"_bucket", window))
}

// Target is one PromQL query of a panel and its legend.
type Target struct{ Expr, Legend string }

// Panel mirrors one chart of the SLS dashboard (shared/dashboard), by id.
type Panel struct {
	ID, Title, Unit string // Unit: Grafana's unit id
	Kind            string // timeseries, barchart, table
	Targets         []Target
}

// Panels are the SLS dashboard's charts in PromQL, same ids and order.
func Panels() []Panel {
	return []Panel{
		{ID: "sends_per_minute", Title: "Sends per minute by status", Unit: "short", Kind: "timeseries",
			Targets: []Target{{`sum by (outcome) (` + over(sendSel, "1m") + `)`, "{{outcome}}"}}},
		{ID: "not_sent_per_minute", Title: "Refused and replayed requests per minute", Unit: "short", Kind: "timeseries",
			Targets: []Target{{`sum by (decision) (` + over(Messages+`{decision!="send"}`, "1m") + `)`, "{{decision}}"}}},
		{ID: "failure_rate", Title: "Failure rate (failed + unknown)", Unit: "percentunit", Kind: "timeseries",
			Targets: []Target{{ratio(failSel, sendSel, "5m", ""), "failure rate"}}},
		{ID: "failure_rate_by_version", Title: "Failure rate by FC version (canary)", Unit: "percentunit", Kind: "barchart",
			Targets: []Target{{ratio(failSel, sendSel, "1h", "version"), "{{version}}"}}},
		{ID: "call_latency", Title: "Provider call latency p50 / p95 / p99", Unit: "s", Kind: "timeseries",
			Targets: []Target{{quantile(0.5, ProviderCallDuration, "5m", ""), "p50"}, {quantile(0.95, ProviderCallDuration, "5m", ""), "p95"},
				{quantile(0.99, ProviderCallDuration, "5m", ""), "p99"}}},
		{ID: "top_error_codes", Title: "Top error codes of sends", Unit: "short", Kind: "barchart",
			Targets: []Target{{`topk(10, sum by (error_code) (` + over(Messages+`{decision="send",error_code!="none"}`, "1h") + `))`, "{{error_code}}"}}},
		{ID: "delivery_rate", Title: "Delivery rate (receipts saying delivered)", Unit: "percentunit", Kind: "timeseries",
			Targets: []Target{{ratio(Receipts+`{status="delivered"}`, Receipts, "15m", ""), "delivered"}}},
		{ID: "time_to_delivery", Title: "Time to delivery p50 / p95", Unit: "s", Kind: "timeseries",
			Targets: []Target{{quantile(0.5, DeliveryDuration, "15m", ""), "p50"}, {quantile(0.95, DeliveryDuration, "15m", ""), "p95"}}},
		{ID: "throttling", Title: "Throttled share of sends", Unit: "percentunit", Kind: "timeseries",
			Targets: []Target{{ratio(thrSel, sendSel, "5m", ""), "throttled"}}},
		{ID: "sends_by_provider", Title: "Sends per minute by provider (tencent = running on the secondary)", Unit: "short", Kind: "timeseries",
			Targets: []Target{{`sum by (provider) (` + over(sendSel, "1m") + `)`, "{{provider}}"}}},
		{ID: "provider_failure_rate", Title: "Failure rate by provider", Unit: "percentunit", Kind: "timeseries",
			Targets: []Target{{ratio(failSel, sendSel, "5m", "provider"), "{{provider}}"}}},
		{ID: "provider_call_latency", Title: "Call latency p99 by provider", Unit: "s", Kind: "timeseries",
			Targets: []Target{{quantile(0.99, ProviderCallDuration, "5m", "provider"), "{{provider}}"}}},
		{ID: "provider_delivery_rate", Title: "Delivery rate by provider", Unit: "percentunit", Kind: "timeseries",
			Targets: []Target{{ratio(Receipts+`{status="delivered"}`, Receipts, "15m", "provider"), "{{provider}}"}}},
		{ID: "alert_state_changes", Title: "Alert state changes (last hour)", Unit: "short", Kind: "table",
			Targets: []Target{{`sum by (rule, to) (` + over(AlertTransitions, "1h") + `)`, "{{rule}} → {{to}}"}}},
	}
}

// PromRule is one Prometheus alerting rule.
type PromRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// RuleFile is a Prometheus rule file.
type RuleFile struct {
	Groups []RuleGroup `yaml:"groups"`
}

// RuleGroup is one group of rules.
type RuleGroup struct {
	Name     string     `yaml:"name"`
	Interval string     `yaml:"interval,omitempty"`
	Rules    []PromRule `yaml:"rules"`
}

// AlertRules translates the alert function's rules (cfg: the embedded
// defaults, or a team's file) into Prometheus rules over these metrics:
// the same measure, window, threshold, minimum samples, grouping, pending
// time (for × interval), labels and annotations. Hand-written `query`
// rules and filtered rules have no PromQL form and are left out (named in
// the second result).
func AlertRules(cfg *alert.Config) (RuleFile, []string) {
	interval := cfg.Settings.Interval
	if interval <= 0 {
		interval = alert.DefaultInterval
	}
	var rules []PromRule
	var skipped []string
	for _, r := range cfg.Rules {
		expr, ok := ruleExpr(r)
		if !ok {
			skipped = append(skipped, r.Name)
			continue
		}
		labels := map[string]string{"severity": r.Severity}
		for k, v := range r.Labels {
			labels[k] = v
		}
		ann := map[string]string{}
		for k, v := range r.Annotations {
			ann[k] = promTemplate(v, r)
		}
		if !r.IsEnabled() {
			ann["disabled_in_smsflow"] = "true: this rule is off in the timer function's rule file"
		}
		pr := PromRule{Alert: r.Name, Expr: expr, Labels: labels, Annotations: ann}
		if r.For > 1 {
			pr.For = promDuration(time.Duration(r.For-1) * interval)
		}
		rules = append(rules, pr)
	}
	return RuleFile{Groups: []RuleGroup{{Name: "smsflow", Interval: promDuration(interval), Rules: rules}}}, skipped
}

// ruleExpr is the rule's breach condition: measure <comparison> threshold,
// and at least min_samples events in the window.
func ruleExpr(r alert.Rule) (string, bool) {
	if r.Query != "" || r.Filter != "" || r.Threshold == nil {
		return "", false
	}
	by := ""
	for _, g := range r.GroupBy {
		l, ok := map[string]string{"template_code": "template", "provider": "provider", "function": "function", "version": "version"}[g]
		if !ok {
			return "", false
		}
		by = strings.TrimPrefix(by+", "+l, ", ")
	}
	w := promDuration(r.Window)
	agg := "sum"
	if by != "" {
		agg = "sum by (" + by + ")"
	}
	count := func(sel string) string { return fmt.Sprintf("%s (%s)", agg, over(sel, w)) }
	threshold := *r.Threshold
	var measure, samples string
	switch r.Kind {
	case alert.KindFailureRate:
		measure, samples = ratio(failSel, sendSel, w, by), count(sendSel)
	case alert.KindThrottleRate:
		measure, samples = ratio(thrSel, sendSel, w, by), count(sendSel)
	case alert.KindLatencyQuantile:
		measure, samples = quantile(r.Quantile, ProviderCallDuration, w, by), count(ProviderCallDuration+"_count")
		threshold /= 1000 // the rule is in ms, the histogram in seconds
	case alert.KindDeliveryRate:
		measure, samples = ratio(Receipts+`{status="delivered"}`, Receipts, w, by), count(Receipts)
	case alert.KindDeliveryLatencyQuantile:
		measure, samples = quantile(r.Quantile, DeliveryDuration, w, by), count(DeliveryDuration+"_count")
		threshold /= 1000
	case alert.KindNoTraffic:
		// No series at all is no traffic too.
		return fmt.Sprintf("(%s or vector(0)) %s %s", count(sendSel), r.Comparison, fmtNum(threshold)), by == ""
	default:
		return "", false
	}
	expr := fmt.Sprintf("(%s) %s %s", measure, r.Comparison, fmtNum(threshold))
	if r.MinSamples > 0 {
		expr += fmt.Sprintf(" and on (%s) %s >= %d", by, samples, r.MinSamples)
	}
	return expr, true
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// promDuration renders d the way Prometheus parses it (1h30m, 5m, 10s).
func promDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		d time.Duration
		s string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.s)
			d -= n * u.d
		}
	}
	return b.String()
}

// promTemplate rewrites our `${...}` placeholders as Prometheus template
// expressions.
func promTemplate(s string, r alert.Rule) string {
	repl := []string{"${value}", "{{ $value | humanize }}", "${window}", promDuration(r.Window),
		"${rule}", r.Name, "${samples}", fmt.Sprintf("≥%d", r.MinSamples)}
	if r.Threshold != nil {
		th := fmtNum(*r.Threshold)
		if r.Kind == alert.KindLatencyQuantile || r.Kind == alert.KindDeliveryLatencyQuantile {
			th = fmtNum(*r.Threshold/1000) + "s" // the value is in seconds here
		}
		repl = append(repl, "${threshold}", th)
	}
	keys := make([]string, 0, len(r.GroupBy))
	keys = append(keys, r.GroupBy...)
	sort.Strings(keys)
	for _, g := range keys {
		l := map[string]string{"template_code": "template"}[g]
		if l == "" {
			l = g
		}
		repl = append(repl, "${"+g+"}", "{{ $labels."+l+" }}")
	}
	return strings.NewReplacer(repl...).Replace(s)
}

// RulesYAML renders the default rules as a Prometheus rule file.
func RulesYAML() ([]byte, error) {
	cfg, err := alert.Defaults()
	if err != nil {
		return nil, err
	}
	f, skipped := AlertRules(cfg)
	out, err := yaml.Marshal(f)
	if err != nil {
		return nil, err
	}
	head := "# Generated from shared/alert/defaults.yaml by shared/redmetrics (go test ./shared/redmetrics -update). Do not edit.\n"
	if len(skipped) > 0 {
		head += "# Not translated (a hand-written SLS query or a filter has no PromQL form): " + strings.Join(skipped, ", ") + "\n"
	}
	return append([]byte(head), out...), nil
}
