package metricsfeed

import (
	"testing"

	"smsflow/shared/alert"
)

func mustDefaults(t *testing.T) *alert.Config {
	t.Helper()
	cfg, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
