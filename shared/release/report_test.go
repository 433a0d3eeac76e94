package release

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
)

// A decision is an event named release.decision (the `event` field SLS
// queries select on) with the figures that led to it.
func TestLogDecisionIsAnEventWithItsFigures(t *testing.T) {
	var out bytes.Buffer
	sh := obs.NewShipper(config.Logs{}, "test", creds.NewSource(true), &out)
	ctx := obs.NewBatch(context.Background())
	LogDecision(ctx, obs.NewLogger(sh), Decision{Action: ActionRollback, Function: "send", Alias: "prod",
		Stable: Figures{Version: "1", Results: 90}, Canary: Figures{Version: "2", Results: 30, FailureRate: 0.5},
		Reason: "failure rate"})
	sh.Flush(ctx)
	var ev map[string]string
	if err := json.Unmarshal(out.Bytes(), &ev); err != nil {
		t.Fatalf("%s: %v", out.String(), err)
	}
	for k, want := range map[string]string{"event": EventDecision, "release_action": "rollback", "canary_version": "2",
		"stable_version": "1", "canary_samples": "30", "canary_failure_rate": "0.5", "reason": "failure rate", "level": "WARN"} {
		if ev[k] != want {
			t.Errorf("%s = %q, want %q (event %v)", k, ev[k], want, ev)
		}
	}
}
