package alert_test

import (
	"testing"
	"time"

	"smsflow/local/stack"
	"smsflow/shared/alert"
)

func TestLocalAlertRules(t *testing.T) {
	cfg, err := alert.Parse([]byte(stack.LocalRules(10 * time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Settings.Interval != 10*time.Second || cfg.Settings.IndexLag != 2*time.Second {
		t.Fatalf("settings %+v: the rule interval must be the local timer's", cfg.Settings)
	}
	for _, c := range cfg.Channels {
		if !c.IsEnabled() {
			t.Errorf("channel %s is off locally", c.Name)
		}
	}
	for _, r := range cfg.Rules {
		if r.IsEnabled() && r.Window > 2*time.Minute {
			t.Errorf("rule %s: window %s is too long for a local walkthrough", r.Name, r.Window)
		}
	}
}
