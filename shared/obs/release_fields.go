package obs

// The release controller's event (release.decision; see docs/release.md)
// carries these fields besides the shared ones: the decision and the
// figures of both versions that led to it. Kept in their own file and
// appended to Fields at init, like the alert's.
var releaseFields = []FieldSpec{
	{"release_action", "text", "release.decision: start, wait, advance, promote, rollback or abort"},
	{"release_function", "text", "release.decision: the released function"},
	{"release_alias", "text", "release.decision: the alias whose traffic is split"},
	{"stable_version", "text", "release.decision: the version the alias points at"},
	{"canary_version", "text", "release.decision: the version given a share of the traffic"},
	{"weight", "double", "release.decision: the canary's share before the decision"},
	{"next_weight", "double", "release.decision: the canary's share after it (0 after a rollback)"},
	{"step_age_s", "long", "release.decision: seconds since the alias last changed (the step's start)"},
	{"canary_samples", "long", "release.decision: sms.result events of the canary in the step"},
	{"stable_samples", "long", "release.decision: sms.result events of the stable version in the step"},
	{"canary_failure_rate", "double", "release.decision: failed or unknown sends over sends, canary"},
	{"stable_failure_rate", "double", "release.decision: likewise, stable version"},
	{"canary_5xx_rate", "double", "release.decision: share of sms.result answered with our own 5xx, canary"},
	{"stable_5xx_rate", "double", "release.decision: likewise, stable version"},
	{"canary_p99_ms", "double", "release.decision: p99 of sms.attempt latency_ms, canary"},
	{"stable_p99_ms", "double", "release.decision: likewise, stable version"},
	{"reason", "text", "release.decision: why (the failing comparison, or what it waits for)"},
}

func init() { Fields = append(Fields, releaseFields...) }
