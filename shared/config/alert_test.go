package config

import (
	"strings"
	"testing"
	"time"
)

func TestAlertDefaults(t *testing.T) {
	c, err := Load[Alert]()
	if err != nil {
		t.Fatal(err)
	}
	if c.StateLookback != 48*time.Hour || c.SLSTimeout != 10*time.Second || c.SendTimeout != 10*time.Second ||
		c.StateLogstore != "" || c.QueryLogstore != "" || c.Dysms.Endpoint != "dysmsapi.aliyuncs.com" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestAlertRefusesBadValues(t *testing.T) {
	cases := map[string][][2]string{
		"SMSFLOW_ALERT_STATE_LOOKBACK": {{"SMSFLOW_ALERT_STATE_LOOKBACK", "10m"}},
		"SMSFLOW_ALERT_SLS_TIMEOUT":    {{"SMSFLOW_ALERT_SLS_TIMEOUT", "soon"}},
		"SMSFLOW_ALERT_SEND_TIMEOUT":   {{"SMSFLOW_ALERT_SEND_TIMEOUT", "10ms"}},
		"SMSFLOW_ALERT_RULES_FILE":     {{"SMSFLOW_ALERT_RULES_FILE", "/" + strings.Repeat("x", 300)}},
		"SMSFLOW_DYSMS_PROTOCOL":       {{"SMSFLOW_DYSMS_PROTOCOL", "FTP"}},
	}
	for want, kvs := range cases {
		t.Run(want, func(t *testing.T) {
			for _, kv := range kvs {
				t.Setenv(kv[0], kv[1])
			}
			if _, err := Load[Alert](); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v does not name %s", err, want)
			}
		})
	}
}
