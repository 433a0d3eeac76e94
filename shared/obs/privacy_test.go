package obs

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"smsflow/shared/config"
)

// Without a configured key every instance hashes numbers its own way, and
// with one request per instance that is most requests: an ERROR, once per
// instance start.
func TestAMissingPhoneHashKeyIsAnError(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	a, b := PhoneHashKey(config.Privacy{}, log), PhoneHashKey(config.Privacy{}, log)
	if bytes.Equal(a, b) || len(a) != 32 {
		t.Errorf("random keys %x / %x", a, b)
	}
	if strings.Count(logs.String(), "level=ERROR") != 2 || !strings.Contains(logs.String(), "SMSFLOW_PHONE_HASH_KEY is not set") {
		t.Errorf("logs: %s", logs.String())
	}
	logs.Reset()
	if k := PhoneHashKey(config.Privacy{PhoneHashKey: "configured"}, log); string(k) != "configured" || logs.Len() != 0 {
		t.Errorf("configured key %q, logs %q", k, logs.String())
	}
}
