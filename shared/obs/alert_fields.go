package obs

// The alert function's events (alert.transition, alert.notification,
// alert.error, alert.run; see docs/alerts.md) carry these fields besides
// the shared ones (attempt, error_message, ...). They are indexed like
// every other field so runs can be searched and charted. Kept in their own
// file, owned by the alert issue, and appended to Fields at init.
var alertFields = []FieldSpec{
	{"rule", "text", "alert.*: the alert rule"},
	{"group", "text", "alert.*: the rule's group, `k=v,k=v` of its group_by fields (empty when it has none)"},
	{"from", "text", "alert.transition: the state before (ok, pending, firing, resolved)"},
	{"to", "text", "alert.transition: the state after"},
	{"value", "double", "alert.transition: the rule's measured value (a ratio as a fraction, or ms, or a count)"},
	{"samples", "long", "alert.transition: how many events the value was computed over"},
	{"transition_id", "text", "alert.transition: id of the alert.state claim that won"},
	{"run_id", "text", "alert.transition, alert.run: random id of one evaluation run"},
	{"channel", "text", "alert.notification: the notification channel's name"},
	{"kind", "text", "alert.notification: firing, repeat or resolved"},
	{"ok", "text", "alert.notification: true when the channel took the notice"},
	{"delivery", "text", "alert.notification: delivered, partial (some SMS numbers), failed (retried next run) or unknown (may have arrived; never retried)"},
	{"notice_id", "text", "alert.notification: the message id receivers may de-duplicate on (stable across retries)"},
	{"stage", "text", "alert.error: query, payload, state_load, state_append, state_reload or state_decode"},
	{"slot", "text", "alert.run: the evaluation slot (the run's time truncated to the interval)"},
	{"evaluated", "long", "alert.run: rules evaluated"},
	{"unknown", "long", "alert.run: rules whose result was unknown (query error or Incomplete)"},
	{"transitions", "long", "alert.run: state changes this run won"},
	{"lost", "long", "alert.run: claims this run lost to an overlapping run (it sent nothing for them)"},
	{"sent", "long", "alert.run: notices delivered"},
	{"failed", "long", "alert.run: notices that failed (retried next run)"},
	{"delivery_unknown", "long", "alert.run: notices that may have arrived (a timeout after sending, a gateway 502/504, an SMS of unknown outcome); never retried"},
}

func init() { Fields = append(Fields, alertFields...) }
