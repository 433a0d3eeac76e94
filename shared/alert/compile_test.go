package alert

import "testing"

// conformance: SLS-16
func TestCompiledQueries(t *testing.T) {
	cases := []struct {
		name string
		rule Rule
		want string
	}{
		{"failure rate", Rule{Kind: KindFailureRate},
			`event: "sms.result" and decision: "send" | SELECT count(1) AS samples, cast(count_if(status IN ('failed', 'unknown')) AS double) / greatest(count(1), 1) AS value, arbitrary(CASE WHEN status IN ('failed', 'unknown') THEN trace_id END) AS example_trace_id`},
		{"failure rate by template", Rule{Kind: KindFailureRate, GroupBy: []string{"template_code"}},
			`event: "sms.result" and decision: "send" | SELECT "template_code", count(1) AS samples, cast(count_if(status IN ('failed', 'unknown')) AS double) / greatest(count(1), 1) AS value, arbitrary(CASE WHEN status IN ('failed', 'unknown') THEN trace_id END) AS example_trace_id GROUP BY "template_code" LIMIT 1001`},
		{"throttle rate filtered", Rule{Kind: KindThrottleRate, Filter: "function: send"},
			`event: "sms.result" and decision: "send" and (function: send) | SELECT count(1) AS samples, cast(count_if(status = 'throttled') AS double) / greatest(count(1), 1) AS value, arbitrary(CASE WHEN status = 'throttled' THEN trace_id END) AS example_trace_id`},
		{"latency p99", Rule{Kind: KindLatencyQuantile, Quantile: 0.99},
			`event: "sms.attempt" | SELECT count(1) AS samples, approx_percentile(latency_ms, 0.99) AS value, max_by(trace_id, latency_ms) AS example_trace_id`},
		{"latency by template and error", Rule{Kind: KindLatencyQuantile, Quantile: 0.5, GroupBy: []string{"template_code", "error_code"}},
			`event: "sms.attempt" | SELECT "template_code", "error_code", count(1) AS samples, approx_percentile(latency_ms, 0.5) AS value, max_by(trace_id, latency_ms) AS example_trace_id GROUP BY "template_code", "error_code" LIMIT 1001`},
		{"no traffic", Rule{Kind: KindNoTraffic},
			`event: "sms.result" and decision: "send" | SELECT count(1) AS samples, count(1) AS value`},
		{"delivery rate", Rule{Kind: KindDeliveryRate},
			`event: "sms.receipt" | SELECT count(DISTINCT receipt_id) AS samples, cast(count(DISTINCT CASE WHEN delivered = 'true' THEN receipt_id END) AS double) / greatest(count(DISTINCT receipt_id), 1) AS value, arbitrary(CASE WHEN NOT (delivered = 'true') THEN trace_id END) AS example_trace_id`},
		{"delivery p95", Rule{Kind: KindDeliveryLatencyQuantile, Quantile: 0.95},
			`event: "sms.receipt" and delivered: true | SELECT count(1) AS samples, approx_percentile(time_to_delivery_ms, 0.95) AS value, max_by(trace_id, time_to_delivery_ms) AS example_trace_id`},
		{"custom query kept", Rule{Query: `* | SELECT 1 AS value`}, `* | SELECT 1 AS value`},
	}
	for _, c := range cases {
		if got := c.rule.CompiledQuery(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestDefaultRulesAllCompile(t *testing.T) {
	cfg, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if r.CompiledQuery() == "" {
			t.Errorf("rule %q compiles to nothing", r.Name)
		}
	}
}
