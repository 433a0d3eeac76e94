package config

import (
	"reflect"
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
		"negative redis db":           {"SMSFLOW_REDIS_DB", "-1"},
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

// Every duration setting of every function refuses a negative value at
// start, naming its variable (a negative SMSFLOW_DYSMS_BACKOFF loaded and
// then panicked the sender on the first retry), and a zero one wherever
// zero means nothing. A new duration field is held to this by walking the
// structs, not by a list.
func TestEveryDurationRefusesANegativeOrMeaninglessValue(t *testing.T) {
	zeroMeans := map[string]bool{"SMSFLOW_DYSMS_BACKOFF": true} // retry at once
	loads := map[string]func() error{
		"Send":     func() error { _, err := Load[Send](); return err },
		"Dispatch": func() error { _, err := Load[Dispatch](); return err },
		"Receipts": func() error { _, err := Load[Receipts](); return err },
		"Alert":    func() error { _, err := Load[Alert](); return err },
	}
	types := map[string]reflect.Type{"Send": reflect.TypeFor[Send](), "Dispatch": reflect.TypeFor[Dispatch](),
		"Receipts": reflect.TypeFor[Receipts](), "Alert": reflect.TypeFor[Alert]()}
	seen := 0
	for name, typ := range types {
		walkEnv(typ, func(f reflect.StructField, key string) {
			if f.Type != reflect.TypeFor[time.Duration]() {
				return
			}
			seen++
			for _, v := range []string{"-1s", "-100ms", "0s"} {
				t.Run(name+"/"+key+"="+v, func(t *testing.T) {
					t.Setenv("SMSFLOW_REDIS_ADDR", "127.0.0.1:6379") // dispatch needs a store
					t.Setenv("SMSFLOW_PHONE_HASH_KEY", testPhoneHashKey)
					t.Setenv(key, v)
					err := loads[name]()
					if v == "0s" && zeroMeans[key] {
						if err != nil {
							t.Fatalf("%s=0s refused: %v", key, err)
						}
						return
					}
					if err == nil || !strings.Contains(err.Error(), key) {
						t.Fatalf("%s=%s: error %v does not name it", key, v, err)
					}
				})
			}
		})
	}
	if seen < 15 {
		t.Fatalf("found %d duration settings; the walk is broken", seen)
	}
}
