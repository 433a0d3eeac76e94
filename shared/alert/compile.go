package alert

import (
	"fmt"
	"strconv"
	"strings"
)

// Columns every rule query returns (built-in kinds compile to them; a
// hand-written query must too): one row per group with the group_by fields,
// `value` and, when min_samples is set, `samples`. `example_trace_id` is
// optional and lands in the message.
const (
	ColValue   = "value"
	ColSamples = "samples"
	ColExample = "example_trace_id"
)

// failureStatuses are the sms.result statuses that count as our failure.
// `rejected` is the caller's fault and `throttled` has its own rule.
const failureStatuses = "('failed', 'unknown')"

// sendResults are the sms.result rows of real send decisions: refusals
// (bad or unauthenticated requests, send limits) and idempotent replays
// carry another decision and are left out, so junk cannot dilute a rate
// or keep no_traffic quiet, and replaying one stored answer cannot fire one.
const sendResults = `event: "sms.result" and decision: "send"`

// groupLimit lifts SLS's default of 100 SQL rows. The compiled query asks
// for one row more: a result that holds it had more groups than a run
// looks at, and is unknown rather than silently cut (see evaluateRule).
const groupLimit = 1000

// CompiledQuery returns the SLS query (`search | SQL`) of the rule: its own
// query, or the one its built-in kind compiles to. All aggregation happens
// in SLS, so a run costs one query per rule whatever the traffic.
func (r Rule) CompiledQuery() string {
	if r.Query != "" {
		return r.Query
	}
	var event, measures string
	switch r.Kind {
	case KindFailureRate:
		event = sendResults
		measures = rateOf("status IN "+failureStatuses, true)
	case KindThrottleRate:
		event = sendResults
		measures = rateOf("status = 'throttled'", true)
	case KindLatencyQuantile:
		event = `event: "sms.attempt"`
		measures = quantileOf("latency_ms", r.Quantile)
	case KindNoTraffic:
		event = sendResults
		measures = "count(1) AS samples, count(1) AS value"
	case KindDeliveryRate:
		event = `event: "sms.receipt"`
		// A re-pushed receipt is logged again with the same receipt_id
		// (docs/receipts.md): count each receipt once.
		measures = "count(DISTINCT receipt_id) AS samples, " +
			"cast(count(DISTINCT CASE WHEN delivered = 'true' THEN receipt_id END) AS double) / greatest(count(DISTINCT receipt_id), 1) AS value, " +
			"arbitrary(CASE WHEN NOT (delivered = 'true') THEN trace_id END) AS example_trace_id"
	case KindDeliveryLatencyQuantile:
		event = `event: "sms.receipt" and delivered: true`
		measures = quantileOf("time_to_delivery_ms", r.Quantile)
	default:
		return ""
	}
	search := event
	if r.Filter != "" {
		search = fmt.Sprintf("%s and (%s)", event, r.Filter)
	}
	if len(r.GroupBy) == 0 {
		return fmt.Sprintf("%s | SELECT %s", search, measures)
	}
	// Double quotes make each a field name whatever it is, a SQL keyword
	// included (SLS: "How do I use quotation marks in query statements").
	quoted := make([]string, len(r.GroupBy))
	for i, g := range r.GroupBy {
		quoted[i] = `"` + g + `"`
	}
	groups := strings.Join(quoted, ", ")
	return fmt.Sprintf("%s | SELECT %s, %s GROUP BY %s LIMIT %d", search, groups, measures, groups, groupLimit+1)
}

// rateOf is the share of rows matching cond. The example trace is one of
// the bad rows: those matching cond when cond is bad, else the others.
func rateOf(cond string, condIsBad bool) string {
	bad := cond
	if !condIsBad {
		bad = "NOT (" + cond + ")"
	}
	return fmt.Sprintf("count(1) AS samples, cast(count_if(%s) AS double) / greatest(count(1), 1) AS value, "+
		"arbitrary(CASE WHEN %s THEN trace_id END) AS example_trace_id", cond, bad)
}

// quantileOf is a latency quantile; the example is the slowest request.
func quantileOf(field string, q float64) string {
	return fmt.Sprintf("count(1) AS samples, approx_percentile(%s, %s) AS value, max_by(trace_id, %s) AS example_trace_id",
		field, strconv.FormatFloat(q, 'f', -1, 64), field)
}
