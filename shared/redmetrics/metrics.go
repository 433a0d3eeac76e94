// Package redmetrics derives smsflow's RED metrics, in Prometheus form,
// from the events already in SLS: one SLS query per metric family over a
// window, each row a sample of the window's increment. In the cloud an SLS
// Scheduled SQL job runs these queries into a MetricStore (no function
// code, nothing lost to a freeze); locally `make run` runs them against the
// local SLS and remote-writes the samples to Prometheus (local/metricsfeed).
// docs/metrics.md says why and how to query them.
//
// Samples are DELTAS: a sample at time t is the count (or bucket count) of
// events in the window that ends at t, which is what a Scheduled SQL job
// produces. Sum them over a range (`sum_over_time(x[5m])`), never `rate()`.
package redmetrics

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Metric names.
const (
	Messages             = "smsflow_messages_total"
	ProviderCallDuration = "smsflow_provider_call_duration_seconds"
	Receipts             = "smsflow_receipts_total"
	DeliveryDuration     = "smsflow_delivery_duration_seconds"
	// AlertTransitions counts the alert function's state changes (the SLS
	// dashboard's alert table).
	AlertTransitions = "smsflow_alert_transitions_total"
)

// Bucket upper bounds, seconds. A provider call is bounded by the SDK's
// timeout (5 s); a delivery takes seconds to minutes.
var (
	CallBuckets     = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	DeliveryBuckets = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1800}
)

// Sample is one point of one series.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Job is one query and how its rows become samples.
type Job struct {
	Name  string
	Query string // SLS `search | SQL`
	rows  func(row map[string]string) []Sample
}

// Samples turns a job's result rows into samples, with bounded labels.
func (j Job) Samples(rows []map[string]string) []Sample {
	var out []Sample
	for _, r := range rows {
		out = append(out, j.rows(r)...)
	}
	return BoundLabels(out, MaxValuesPerLabel)
}

// Jobs are the metric families, one SLS query each.
func Jobs() []Job {
	return []Job{
		// decision tells real sends from refusals and replays (what the
		// alert rules count); version and error_code feed the canary and
		// top-error panels.
		{Name: "messages", Query: `event: "sms.result" | SELECT function, status, provider, template_code, decision, version, error_code, count(1) AS n ` +
			`GROUP BY function, status, provider, template_code, decision, version, error_code`,
			rows: func(r map[string]string) []Sample {
				return []Sample{{Name: Messages, Value: num(r["n"]), Labels: map[string]string{
					"function": label(r["function"], "unknown"), "outcome": label(r["status"], "unknown"),
					"provider": provider(r["provider"]), "template": label(r["template_code"], "none"),
					"decision": label(r["decision"], "send"), "version": label(r["version"], "none"),
					"error_code": label(r["error_code"], "none")}}}
			}},
		{Name: "provider_calls", Query: `event: "sms.attempt" | SELECT provider, status, count(1) AS n, ` +
			`sum(latency_ms) AS sum_ms, ` + bucketColumns("latency_ms", CallBuckets) + ` GROUP BY provider, status`,
			rows: func(r map[string]string) []Sample {
				return histogram(ProviderCallDuration, r, CallBuckets, map[string]string{
					"provider": provider(r["provider"]), "outcome": label(r["status"], "unknown")})
			}},
		{Name: "receipts", Query: `event: "sms.receipt" | SELECT provider, status, count(DISTINCT receipt_id) AS n GROUP BY provider, status`,
			rows: func(r map[string]string) []Sample {
				return []Sample{{Name: Receipts, Value: num(r["n"]), Labels: map[string]string{
					"provider": provider(r["provider"]), "status": label(r["status"], "unknown")}}}
			}},
		{Name: "delivery", Query: `event: "sms.receipt" and delivered: true | SELECT provider, count(1) AS n, ` +
			`sum(time_to_delivery_ms) AS sum_ms, ` + bucketColumns("time_to_delivery_ms", DeliveryBuckets) + ` GROUP BY provider`,
			rows: func(r map[string]string) []Sample {
				return histogram(DeliveryDuration, r, DeliveryBuckets, map[string]string{"provider": provider(r["provider"])})
			}},
		{Name: "alert_transitions", Query: `event: "alert.transition" | SELECT rule, "to", count(1) AS n GROUP BY rule, "to"`,
			rows: func(r map[string]string) []Sample {
				return []Sample{{Name: AlertTransitions, Value: num(r["n"]), Labels: map[string]string{
					"rule": label(r["rule"], "unknown"), "to": label(r["to"], "unknown")}}}
			}},
	}
}

// bucketColumns counts, per bucket, the rows at or under its bound
// (Prometheus buckets are cumulative).
func bucketColumns(field string, bounds []float64) string {
	cols := make([]string, len(bounds))
	for i, b := range bounds {
		cols[i] = fmt.Sprintf("count_if(%s <= %d) AS le_%d", field, int64(b*1000), i)
	}
	return strings.Join(cols, ", ")
}

func histogram(name string, r map[string]string, bounds []float64, labels map[string]string) []Sample {
	with := func(kv ...string) map[string]string {
		m := make(map[string]string, len(labels)+1)
		for k, v := range labels {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	out := make([]Sample, 0, len(bounds)+3)
	for i, b := range bounds {
		out = append(out, Sample{Name: name + "_bucket", Labels: with("le", strconv.FormatFloat(b, 'g', -1, 64)), Value: num(r["le_"+strconv.Itoa(i)])})
	}
	return append(out, Sample{Name: name + "_bucket", Labels: with("le", "+Inf"), Value: num(r["n"])},
		Sample{Name: name + "_count", Labels: with(), Value: num(r["n"])},
		Sample{Name: name + "_sum", Labels: with(), Value: num(r["sum_ms"]) / 1000})
}

func num(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

// A label value is an identifier-like token of bounded length (a template
// code, a status, a function name); anything else is "other", so no value a
// caller chose freely (a number, a text) becomes a series.
var safeValue = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

func label(v, empty string) string {
	switch {
	case v == "" || v == "null":
		return empty
	case safeValue.MatchString(v):
		return v
	default:
		return "other"
	}
}

// provider is the event's provider; events from before the field existed
// were Alibaba's.
func provider(v string) string { return label(v, "alibaba") }

// MaxValuesPerLabel bounds each label's distinct values per metric and
// window: template codes come from callers, and a flood of bogus ones must
// not become a flood of series.
const MaxValuesPerLabel = 50

// BoundLabels keeps, per metric name and label, the max values with the
// largest totals and folds the rest into "other" (summing samples that
// then coincide).
func BoundLabels(samples []Sample, max int) []Sample {
	type key struct{ name, label string }
	totals := map[key]map[string]float64{}
	for _, s := range samples {
		for k, v := range s.Labels {
			if k == "le" {
				continue
			}
			kk := key{family(s.Name), k}
			if totals[kk] == nil {
				totals[kk] = map[string]float64{}
			}
			totals[kk][v] += s.Value
		}
	}
	keep := map[key]map[string]bool{}
	for kk, vals := range totals {
		if len(vals) <= max {
			continue
		}
		names := make([]string, 0, len(vals))
		for v := range vals {
			names = append(names, v)
		}
		sort.Slice(names, func(i, j int) bool {
			if vals[names[i]] != vals[names[j]] {
				return vals[names[i]] > vals[names[j]]
			}
			return names[i] < names[j]
		})
		keep[kk] = map[string]bool{}
		for _, v := range names[:max-1] {
			keep[kk][v] = true
		}
	}
	if len(keep) == 0 {
		return samples
	}
	merged := map[string]int{}
	var out []Sample
	for _, s := range samples {
		labels := make(map[string]string, len(s.Labels))
		for k, v := range s.Labels {
			if kept, bounded := keep[key{family(s.Name), k}]; bounded && !kept[v] {
				v = "other"
			}
			labels[k] = v
		}
		id := SeriesID(s.Name, labels)
		if i, ok := merged[id]; ok {
			out[i].Value += s.Value
			continue
		}
		merged[id] = len(out)
		out = append(out, Sample{Name: s.Name, Labels: labels, Value: s.Value})
	}
	return out
}

// family strips a histogram's series suffix.
func family(name string) string {
	for _, suf := range []string{"_bucket", "_count", "_sum"} {
		if strings.HasSuffix(name, suf) {
			return strings.TrimSuffix(name, suf)
		}
	}
	return name
}

// SeriesID renders name{k="v",...} with sorted keys.
func SeriesID(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + "{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%s=%q", k, labels[k])
	}
	b.WriteString("}")
	return b.String()
}
