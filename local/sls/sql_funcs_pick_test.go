package sls

import (
	"reflect"
	"testing"
)

func TestArbitraryAndMaxBy(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	cases := []struct {
		name, query string
		want        []map[string]string
	}{
		{"arbitrary skips nulls", "* | SELECT arbitrary(CASE WHEN status = 'failed' THEN error_code END) AS e, count(1) AS n",
			[]map[string]string{{"e": "isv.BUSINESS_LIMIT_CONTROL", "n": "5"}}},
		{"arbitrary of nothing is null", "* | SELECT arbitrary(CASE WHEN status = 'nope' THEN error_code END) AS e",
			[]map[string]string{{"e": "null"}}},
		{"max_by", "* | SELECT max_by(template_code, latency_ms) AS slowest, max_by(template_code, cost) AS dearest", []map[string]string{{"slowest": "SMS_A", "dearest": "SMS_B"}}},
		{"max_by grouped", "* | SELECT template_code, max_by(status, latency_ms) AS s GROUP BY template_code ORDER BY template_code",
			[]map[string]string{{"template_code": "SMS_A", "s": "sent"}, {"template_code": "SMS_B", "s": "sent"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := mustGetLogs(t, env.client, base, base+3600, c.query)
			if !reflect.DeepEqual(resp.Logs, c.want) {
				t.Fatalf("got %v, want %v", resp.Logs, c.want)
			}
		})
	}
}
