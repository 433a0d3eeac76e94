package stack

import (
	"strings"
	"testing"
	"time"

	"smsflow/shared/alert"
)

// The local rule file loads with every timer interval the launcher takes,
// and the launcher refuses the ones it would not load with.
func TestLocalAlertIntervalsTheRulesAccept(t *testing.T) {
	for _, v := range []string{"1s", "10s", "1m"} {
		t.Setenv("SMSFLOW_LOCAL_ALERT_INTERVAL", v)
		var o Options
		if err := alertTimerFromEnv(&o); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if _, err := alert.Parse([]byte(LocalRules(o.Alert.Interval))); err != nil {
			t.Errorf("interval %s: the local rules do not load: %v", v, err)
		}
	}
	for _, v := range []string{"2m", "0s", "1500ms", "soon"} {
		t.Setenv("SMSFLOW_LOCAL_ALERT_INTERVAL", v)
		var o Options
		if err := alertTimerFromEnv(&o); err == nil || !strings.Contains(err.Error(), "SMSFLOW_LOCAL_ALERT_INTERVAL") {
			t.Errorf("%s: err %v, want a refusal naming the variable", v, err)
		}
	}
	if _, err := alert.Parse([]byte(LocalRules(2 * time.Minute))); err == nil {
		t.Error("the local rules loaded with a 2m interval, longer than their 1m windows: MaxLocalAlertInterval is stale")
	}
}
