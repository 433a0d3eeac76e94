package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"smsflow/shared/obs"
	"smsflow/shared/sms"
)

// Every sms.result says whether it was a real send decision, so the rules
// that measure sending can leave out refusals and replays: a flood of junk
// cannot dilute the failure rate or keep no_traffic quiet, and replaying
// one stored unknown answer cannot fire a 100% failure rate. (issue 10.10)
func TestResultsSayWhetherTheyWereASendDecision(t *testing.T) {
	unknown := sms.Outcome{Status: sms.StatusUnknown, Class: sms.ClassAmbiguous}
	s := &scriptedSender{outcomes: []sms.Outcome{unknown, accepted("B1")}}
	var logs bytes.Buffer
	h := idemHandler(t, s, memStore(), &logs)
	steps := []struct {
		name     string
		status   int
		decision string
		result   string
		send     func() int
	}{
		{"a send of unknown outcome", 504, obs.DecisionSend, "unknown", func() int {
			return post(h, "application/json", okBody, "Idempotency-Key", "k1").Code
		}},
		{"its replay", 504, obs.DecisionReplayed, "unknown", func() int {
			return post(h, "application/json", okBody, "Idempotency-Key", "k1").Code
		}},
		{"an accepted send", 200, obs.DecisionSend, "accepted", func() int { return post(h, "application/json", noticeBody).Code }},
		{"a bad request", 400, obs.DecisionRefused, "rejected", func() int { return post(h, "application/json", "{").Code }},
		{"an unauthenticated one", 401, obs.DecisionRefused, "rejected", func() int {
			return post(h, "application/json", okBody, "Authorization", "Bearer nope").Code
		}},
		{"a key reused for another message", 422, obs.DecisionRefused, "rejected", func() int {
			return post(h, "application/json", noticeBody, "Idempotency-Key", "k1").Code
		}},
		{"a per-number send limit", 429, obs.DecisionRefused, "throttled", func() int {
			return post(h, "application/json", okBody).Code
		}},
	}
	for _, st := range steps {
		if got := st.send(); got != st.status {
			t.Fatalf("%s: HTTP %d, want %d", st.name, got, st.status)
		}
	}
	var results []map[string]any
	for _, e := range parseLogs(t, &logs) {
		if e["event"] == obs.EventResult {
			results = append(results, e)
		}
	}
	if len(results) != len(steps) {
		t.Fatalf("%d results for %d requests", len(results), len(steps))
	}
	for i, st := range steps {
		if r := results[i]; r[obs.KeyDecision] != st.decision || r[obs.KeyStatus] != st.result {
			t.Errorf("%s: decision %v status %v, want %s %s", st.name, r[obs.KeyDecision], r[obs.KeyStatus], st.decision, st.result)
		}
	}
}

// Our own failure before any outcome (here a panic) is a failed send
// decision, not a refusal of the caller's request: it must count.
func TestOurFailureWithoutAnOutcomeCountsAsAFailedSend(t *testing.T) {
	var logs bytes.Buffer
	w := post(newTestHandler(t, &recordingSender{panics: true}, &logs), "application/json", okBody)
	events := parseLogs(t, &logs)
	last := events[len(events)-1]
	if w.Code != 500 || last[obs.KeyDecision] != obs.DecisionSend || last[obs.KeyStatus] != "failed" {
		t.Fatalf("HTTP %d, result %s", w.Code, strings.TrimSpace(fmt.Sprint(last)))
	}
}
