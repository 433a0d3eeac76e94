package config

import (
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := Load[Send]()
	if err != nil {
		t.Fatal(err)
	}
	if c.Dysms.Endpoint != "dysmsapi.aliyuncs.com" || c.Protocol != "HTTPS" || c.ReadTimeout != 5*time.Second || c.MaxAttempts != 3 || c.TriggerAuth != "anonymous" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadRefusesBadValues(t *testing.T) {
	cases := map[string][2]string{
		"protocol":                    {"SMSFLOW_DYSMS_PROTOCOL", "FTP"},
		"timeout":                     {"SMSFLOW_DYSMS_TIMEOUT", "100ms"},
		"attempts":                    {"SMSFLOW_DYSMS_MAX_ATTEMPTS", "0"},
		"auth":                        {"SMSFLOW_TRIGGER_AUTH", "none"},
		"hash":                        {"SMSFLOW_API_TOKEN_SHA256", "abc"},
		"duration":                    {"SMSFLOW_DYSMS_TIMEOUT", "soon"},
		"long-lived key in the cloud": {"SMSFLOW_ALLOW_LONG_LIVED_KEY", "true"},
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(kv[0], kv[1])
			_, err := Load[Send]()
			if err == nil || !strings.Contains(err.Error(), kv[0]) {
				t.Fatalf("error %v does not name %s", err, kv[0])
			}
		})
	}
}
