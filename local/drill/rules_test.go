package drill

import (
	"testing"
	"time"

	"smsflow/shared/alert"
)

// The drill's rules are the defaults, every window divided by Scale: a
// rule added to the defaults is scaled too, and the file still parses.
func TestDrillRulesScaleEveryDefaultWindow(t *testing.T) {
	text, err := drillRules()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := alert.Parse([]byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	defaults, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{}
	for _, r := range defaults.Rules {
		want[r.Name] = max(time.Second, (r.Window / Scale).Round(time.Second))
	}
	if len(cfg.Rules) != len(want) {
		t.Fatalf("%d rules, the defaults have %d", len(cfg.Rules), len(want))
	}
	for _, r := range cfg.Rules {
		if r.Window != want[r.Name] {
			t.Errorf("%s: window %s, want %s", r.Name, r.Window, want[r.Name])
		}
	}
	if cfg.Settings.Interval != time.Second {
		t.Errorf("interval %s", cfg.Settings.Interval)
	}
}
