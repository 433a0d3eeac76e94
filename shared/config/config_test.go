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

// Every endpoint setting has a documented shape, and a value off it is
// refused at start, naming the variable and not quoting the value (a
// Redis address may hold a pasted password). host[:port]: the Dysmsapi and
// Tencent endpoints, the Redis address (port required). The SLS endpoint
// and FC's control API take an http:// or https:// prefix too (slsput.New,
// release.NewClient pick the scheme from it). A trailing space made every
// SendSms fail (the SDK cannot build the URL); a scheme made the SDK dial
// host "http".
func TestEndpointsMustHaveTheirDocumentedShape(t *testing.T) {
	bad := []string{"127.0.0.1:40671 ", " dysmsapi.aliyuncs.com", "dysms api.aliyuncs.com", "host\n", "host\t:80",
		"host:0", "host:65536", "host:", ":80", "host:8o", "host/path", "host?x=1", "host#f", "user:pw@host:6379",
		"::1", "[::1", "exa!mple.com", "ftp://host", "http:/host"}
	noScheme := []string{"http://127.0.0.1:1", "https://dysmsapi.aliyuncs.com", "redis://:pw@host:6379"}
	good := []string{"127.0.0.1:40671", "dysmsapi.aliyuncs.com:443", "[::1]:9000", "r-bp1.redis.rds.aliyuncs.com:6379"}
	cases := []struct {
		key, load  string
		scheme     bool // http(s):// accepted
		portNeeded bool
	}{
		{"SMSFLOW_DYSMS_ENDPOINT", "Send", false, false},
		{"SMSFLOW_TENCENT_ENDPOINT", "Send", false, false},
		{"SMSFLOW_REDIS_ADDR", "Send", false, true},
		{"SMSFLOW_SLS_ENDPOINT", "Send", true, false},
		{"SMSFLOW_RELEASE_FC_ENDPOINT", "Alert", true, false},
	}
	load := func(which string) error {
		if which == "Alert" {
			_, err := Load[Alert]()
			return err
		}
		_, err := Load[Send]()
		return err
	}
	for _, c := range cases {
		refuse := append([]string{}, bad...)
		accept := append([]string{}, good...)
		if c.scheme {
			accept = append(accept, "http://127.0.0.1:9700", "https://cn-hangzhou.log.aliyuncs.com")
			refuse = append(refuse, "http://127.0.0.1:1/path", "https://host name")
		} else {
			refuse = append(refuse, noScheme...)
		}
		if c.portNeeded {
			refuse = append(refuse, "localhost", "dysmsapi.aliyuncs.com")
		} else {
			accept = append(accept, "localhost", "dysmsapi.aliyuncs.com")
		}
		for _, v := range refuse {
			t.Run(c.key+"="+v, func(t *testing.T) {
				t.Setenv("SMSFLOW_PHONE_HASH_KEY", testPhoneHashKey)
				t.Setenv(c.key, v)
				err := load(c.load)
				if err == nil || !strings.Contains(err.Error(), c.key) {
					t.Fatalf("%s=%q: error %v does not name it", c.key, v, err)
				}
				if q := strings.TrimSpace(v); len(q) > 6 && strings.Contains(err.Error(), q) {
					t.Fatalf("the refusal quotes the value: %v", err)
				}
			})
		}
		for _, v := range accept {
			t.Run(c.key+"="+v+"/accepted", func(t *testing.T) {
				t.Setenv("SMSFLOW_PHONE_HASH_KEY", testPhoneHashKey)
				t.Setenv(c.key, v)
				if err := load(c.load); err != nil {
					t.Fatalf("%s=%q refused: %v", c.key, v, err)
				}
			})
		}
	}
}

// A project or logstore name SLS cannot have is refused at start, naming
// the variable: a pasted space or newline made every rule unknown and
// every state write fail, run after run. The rules are SLS's (shape.go).
// conformance: SLS-17
func TestSLSNamesFollowSLSRules(t *testing.T) {
	badBoth := []string{"sms ", "sms-alert-state\n", "SMS", "-sms", "sms-", "s", "sms.events", "短信", strings.Repeat("a", 64)}
	for _, key := range []string{"SMSFLOW_SLS_PROJECT", "SMSFLOW_ALERT_QUERY_PROJECT", "SMSFLOW_ALERT_STATE_PROJECT",
		"SMSFLOW_SLS_LOGSTORE", "SMSFLOW_ALERT_QUERY_LOGSTORE", "SMSFLOW_ALERT_STATE_LOGSTORE"} {
		project := strings.HasSuffix(key, "_PROJECT")
		refuse, accept := badBoth, []string{"sms", "smsflow-local", "sms-alert-state", "0sms9", strings.Repeat("a", 63)}
		if project {
			refuse = append(refuse, "sms_events", "ab")
		} else {
			accept = append(accept, "sms_events", "ab")
			refuse = append(refuse, "_sms", "sms_")
		}
		for _, v := range refuse {
			t.Run(key+"="+v, func(t *testing.T) {
				t.Setenv(key, v)
				if _, err := Load[Alert](); err == nil || !strings.Contains(err.Error(), key) {
					t.Fatalf("%s=%q: error %v does not name it", key, v, err)
				}
			})
		}
		for _, v := range accept {
			t.Run(key+"="+v+"/accepted", func(t *testing.T) {
				t.Setenv(key, v)
				if _, err := Load[Alert](); err != nil {
					t.Fatalf("%s=%q refused: %v", key, v, err)
				}
			})
		}
	}
}
