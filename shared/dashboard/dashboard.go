// Package dashboard is smsflow's operations dashboard as data: each chart
// with its SLS query. `make provision` turns it into an SLS dashboard, and
// the local stack draws the same charts from the local SLS, so what an
// operator sees in the console is what was tried locally.
//
// Where a chart measures what an alert rule measures, its query is built
// from the rule's compiled SQL (shared/alert), so a dashboard and the alert
// that pages about it can never disagree on what "failure" means.
package dashboard

import (
	"fmt"
	"strings"

	"smsflow/shared/alert"
)

// Name is the SLS dashboard's id; DisplayName is what the console shows.
const (
	Name        = "smsflow-operations"
	DisplayName = "smsflow operations"
)

// Chart kinds, which tell a renderer how to draw the rows.
const (
	KindLine  = "line"  // X is a time column (unix seconds); one line per Y column, or per Series value
	KindBar   = "bar"   // X is a category; bars of Y[0]
	KindTable = "table" // rows as they come
)

// Chart is one panel and its query.
type Chart struct {
	ID    string // stable, used as the SLS chart title suffix and HTML id
	Title string
	Kind  string
	// Query is `search | SQL` over the smsflow logstore.
	Query string
	// X is the column on the x axis; Y the value columns; Series, when
	// set, splits rows into one line per value of that column (Y[0]).
	X      string
	Y      []string
	Series string
	// Unit of the Y values: alert.UnitRatio, alert.UnitMillis, alert.UnitCount.
	Unit string
	// Rules names the default alert rules this chart shows the measure of.
	Rules []string
}

// perMinute is the time bucket every time series uses.
const perMinute = "date_trunc('minute', __time__) AS t"

// seriesLimit covers a day of minutes times a handful of series (SLS
// returns 100 SQL rows without LIMIT).
const seriesLimit = 10000

// Charts returns the dashboard's charts in display order.
func Charts() []Chart {
	failSearch, failRate := Measure(alert.Rule{Kind: alert.KindFailureRate})
	latSearch, p50 := Measure(alert.Rule{Kind: alert.KindLatencyQuantile, Quantile: 0.5})
	_, p95 := Measure(alert.Rule{Kind: alert.KindLatencyQuantile, Quantile: 0.95})
	_, p99 := Measure(alert.Rule{Kind: alert.KindLatencyQuantile, Quantile: 0.99})
	delSearch, delRate := Measure(alert.Rule{Kind: alert.KindDeliveryRate})
	ttdSearch, ttd50 := Measure(alert.Rule{Kind: alert.KindDeliveryLatencyQuantile, Quantile: 0.5})
	_, ttd95 := Measure(alert.Rule{Kind: alert.KindDeliveryLatencyQuantile, Quantile: 0.95})
	thrSearch, thrRate := Measure(alert.Rule{Kind: alert.KindThrottleRate})
	return []Chart{
		{
			// The rows sms_no_traffic counts: real send decisions only.
			ID: "sends_per_minute", Title: "Sends per minute by status", Kind: KindLine, Unit: alert.UnitCount,
			Query: `event: "sms.result" and decision: "send" | SELECT ` + perMinute + `, status, count(1) AS n GROUP BY t, status ORDER BY t LIMIT ` + itoa(seriesLimit),
			X:     "t", Y: []string{"n"}, Series: "status", Rules: []string{"sms_no_traffic"},
		},
		{
			// What the sending rules leave out, so a flood of junk or of
			// replays is still seen.
			ID: "not_sent_per_minute", Title: "Refused and replayed requests per minute", Kind: KindLine, Unit: alert.UnitCount,
			Query: `event: "sms.result" and not decision: "send" | SELECT ` + perMinute + `, decision, count(1) AS n GROUP BY t, decision ORDER BY t LIMIT ` + itoa(seriesLimit),
			X:     "t", Y: []string{"n"}, Series: "decision",
		},
		timeSeries("failure_rate", "Failure rate (failed + unknown)", failSearch, alert.UnitRatio,
			[]string{"sms_failure_rate", "sms_template_failure_rate"}, col{failRate, "failure_rate"}),
		{
			// A canary shows here first: the new version's share of
			// failures next to the old one's, while the alias splits traffic.
			ID: "failure_rate_by_version", Title: "Failure rate by FC version (canary)", Kind: KindBar, Unit: alert.UnitRatio,
			Query: failSearch + ` | SELECT version, ` + failRate + ` AS failure_rate, count(1) AS sends GROUP BY version ORDER BY version LIMIT 100`,
			X:     "version", Y: []string{"failure_rate", "sends"}, Rules: []string{"sms_failure_rate"},
		},
		timeSeries("call_latency", "Alibaba call latency p50 / p95 / p99", latSearch, alert.UnitMillis,
			[]string{"sms_call_latency_p99"}, col{p50, "p50"}, col{p95, "p95"}, col{p99, "p99"}),
		{
			// Real send decisions only, as the failure-rate rules count: a
			// flood of refused requests (or replays of one stored failure)
			// must not push the provider's codes out of the top ten while
			// the failure rate pages. Refusals have their chart above.
			ID: "top_error_codes", Title: "Top error codes of sends", Kind: KindBar, Unit: alert.UnitCount,
			Query: `event: "sms.result" and decision: "send" | SELECT error_code, count(1) AS n FROM log WHERE error_code IS NOT NULL GROUP BY error_code ORDER BY n DESC LIMIT 10`,
			X:     "error_code", Y: []string{"n"},
		},
		timeSeries("delivery_rate", "Delivery rate (receipts saying delivered)", delSearch, alert.UnitRatio,
			[]string{"sms_delivery_rate"}, col{delRate, "delivery_rate"}),
		timeSeries("time_to_delivery", "Time to delivery p50 / p95", ttdSearch, alert.UnitMillis,
			[]string{"sms_delivery_latency_p95"}, col{ttd50, "p50"}, col{ttd95, "p95"}),
		timeSeries("throttling", "Throttled share of sends", thrSearch, alert.UnitRatio,
			[]string{"sms_throttle_rate"}, col{thrRate, "throttled"}),
		// Per provider (docs/providers.md): one line per provider.
		{
			ID: "sends_by_provider", Title: "Sends per minute by provider (tencent = running on the secondary)", Kind: KindLine, Unit: alert.UnitCount,
			Query: `event: "sms.result" and decision: "send" | SELECT ` + perMinute + `, provider, count(1) AS n FROM log WHERE provider IS NOT NULL GROUP BY t, provider ORDER BY t LIMIT ` + itoa(seriesLimit),
			X:     "t", Y: []string{"n"}, Series: "provider",
		},
		perProvider("provider_failure_rate", "Failure rate by provider", failSearch, alert.UnitRatio, "sms_provider_failure_rate", col{failRate, "failure_rate"}),
		perProvider("provider_call_latency", "Call latency p99 by provider", latSearch, alert.UnitMillis, "sms_provider_call_latency_p99", col{p99, "p99"}),
		perProvider("provider_delivery_rate", "Delivery rate by provider", delSearch, alert.UnitRatio, "sms_provider_delivery_rate", col{delRate, "delivery_rate"}),
		{
			ID: "alert_state_changes", Title: "Alert state changes", Kind: KindTable,
			Query: `event: "alert.transition" | SELECT __time__ AS t, rule, "group", "from", "to", value FROM log ORDER BY t DESC LIMIT 50`,
			X:     "t", Y: []string{"rule", "group", "from", "to", "value"},
		},
	}
}

type col struct{ expr, name string }

func timeSeries(id, title, search, unit string, rules []string, cols ...col) Chart {
	sel := make([]string, 0, len(cols)+1)
	sel = append(sel, perMinute)
	ys := make([]string, 0, len(cols))
	for _, c := range cols {
		sel = append(sel, c.expr+" AS "+c.name)
		ys = append(ys, c.name)
	}
	return Chart{
		ID: id, Title: title, Kind: KindLine, Unit: unit, X: "t", Y: ys, Rules: rules,
		Query: fmt.Sprintf("%s | SELECT %s GROUP BY t ORDER BY t LIMIT %d", search, strings.Join(sel, ", "), seriesLimit),
	}
}

// perProvider is a time series of one measure, a line per provider.
func perProvider(id, title, search, unit, rule string, c col) Chart {
	return Chart{
		ID: id, Title: title, Kind: KindLine, Unit: unit, X: "t", Y: []string{c.name}, Series: "provider", Rules: []string{rule},
		Query: fmt.Sprintf("%s | SELECT %s, provider, %s AS %s FROM log WHERE provider IS NOT NULL GROUP BY t, provider ORDER BY t LIMIT %d",
			search, perMinute, c.expr, c.name, seriesLimit),
	}
}

// Measure splits a built-in rule's compiled query into its search part and
// the SQL expression of its `value` column: the measure a chart reuses.
// It panics on a rule whose query does not have that shape, which only a
// change to shared/alert can cause (and the tests catch).
func Measure(r alert.Rule) (search, value string) {
	q := r.CompiledQuery()
	search, sql, ok := strings.Cut(q, " | SELECT ")
	if !ok {
		panic("dashboard: rule query without SELECT: " + q)
	}
	expr, ok := valueExpr(sql)
	if !ok {
		panic("dashboard: rule query without a value column: " + q)
	}
	return search, expr
}

// valueExpr finds the select-list item aliased `value`, splitting the list
// on top-level commas only (function arguments have commas too).
func valueExpr(selectList string) (string, bool) {
	depth, start := 0, 0
	for i := 0; i <= len(selectList); i++ {
		if i < len(selectList) {
			switch selectList[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		item := strings.TrimSpace(selectList[start:i])
		if expr, ok := strings.CutSuffix(item, " AS "+alert.ColValue); ok {
			return expr, true
		}
		start = i + 1
	}
	return "", false
}

func itoa(n int) string { return fmt.Sprint(n) }
