package drill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"smsflow/local/drill"
	"smsflow/local/stack"
)

// TestDrillCommandPrintsAPassingScorecard runs the command as make drill
// does, on a short subset (make drill runs them all), and holds its JSON:
// the 5xx storm is detected by its alert and every message still goes out
// once; a function killed while Alibaba holds its send leaves that message
// unknown, and the caller's retries with the same key send nothing more.
func TestDrillCommandPrintsAPassingScorecard(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local stacks")
	}
	root, err := stack.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./local", "drill", "-json", "alibaba-5xx", "instance-killed")
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("drill: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var card drill.Scorecard
	if err := json.Unmarshal(stdout.Bytes(), &card); err != nil {
		t.Fatalf("scorecard is not JSON: %v\n%s", err, stdout.String())
	}
	if card.Scale != drill.Scale || !card.Pass || len(card.Scenarios) != 2 {
		t.Fatalf("scorecard: %s", stdout.String())
	}
	storm, killed := card.Scenarios[0], card.Scenarios[1]
	if storm.Scenario != "alibaba-5xx" || killed.Scenario != "instance-killed" {
		t.Fatalf("scenarios out of order: %s", stdout.String())
	}
	for _, r := range card.Scenarios {
		if !r.Pass || r.Lost != 0 || r.SentTwice != 0 || r.Messages == 0 || r.Recover < 0 || r.Recover > r.ExpectedRecover {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
	}
	if storm.AlertRule != "sms_failure_rate" || storm.Detect < 0 || storm.Detect > storm.ExpectedDetect ||
		storm.Resolved < 0 || storm.Resolved > storm.ExpectedResolve {
		t.Errorf("the storm's alert: %+v", storm)
	}
	// Every message of the storm was retried with its key until Alibaba
	// was back, and went out exactly once.
	if storm.Accepted != storm.Messages || storm.Sent != storm.Messages || storm.Unknown != 0 {
		t.Errorf("storm: %d messages, %d accepted, %d sent, %d unknown", storm.Messages, storm.Accepted, storm.Sent, storm.Unknown)
	}
	// The killed send was sent (Alibaba had it) and ends unknown: the
	// retries met its claim and never sent it again.
	if killed.Unknown < 1 || killed.Sent != killed.Accepted+killed.Unknown {
		t.Errorf("killed: %d messages, %d accepted, %d sent, %d unknown", killed.Messages, killed.Accepted, killed.Sent, killed.Unknown)
	}
}
