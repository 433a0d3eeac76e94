package failover

import (
	"strconv"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/dysms"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/alert"
	"smsflow/shared/dashboard"
	"smsflow/shared/slsclient"
)

// The per-provider rules and the "running on the secondary" rule, as the
// alert function runs them, over the local SLS after a failover: the rule
// fires, and the per-provider failure rate tells the providers apart.
func TestAlertRulesSeeTheSecondary(t *testing.T) {
	s := shared
	reset(s)
	start := time.Now().Add(-time.Second)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	for i := 0; i < 2; i++ {
		if r := send(t, s, otp("1371242000"+strconv.Itoa(i))); r.str("provider") != "tencent" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	}
	s.Dysms.ClearFaults()
	cfg, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]alert.Rule{}
	for _, r := range cfg.Rules {
		rules[r.Name] = r
	}
	client := slsclient.New(s.SLSAddr, sls.NewStaticCredentialsProvider(sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""), 10*time.Second)
	run := func(name string) []map[string]string {
		rows, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore, rules[name].CompiledQuery(), start, time.Now().Add(time.Second), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rows
	}
	rows := run("sms_on_secondary")
	if len(rows) != 1 {
		t.Fatalf("sms_on_secondary rows %v", rows)
	}
	v, _ := strconv.ParseFloat(rows[0]["value"], 64)
	if th := rules["sms_on_secondary"].Threshold; v < 2 || th == nil || v < *th {
		t.Errorf("sms_on_secondary value %v does not fire", rows[0])
	}
	byProvider := map[string]string{}
	for _, r := range run("sms_provider_failure_rate") {
		byProvider[r["provider"]] = r["value"]
	}
	if byProvider["tencent"] == "" || byProvider["tencent"] != "0.0" && byProvider["tencent"] != "0" {
		t.Errorf("per-provider failure rate %v", byProvider)
	}
	if rows := run("sms_provider_call_latency_p99"); len(rows) < 2 {
		t.Errorf("per-provider latency: %v (want a row per provider)", rows)
	}
	// The dashboard's per-provider charts draw a Tencent line.
	for _, c := range dashboard.Charts() {
		if c.Series != "provider" {
			continue
		}
		rows, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore, c.Query, start, time.Now().Add(time.Second), 0)
		if err != nil {
			t.Errorf("chart %s: %v", c.ID, err)
			continue
		}
		tencent := false
		for _, r := range rows {
			tencent = tencent || r["provider"] == "tencent"
		}
		if !tencent && c.ID != "provider_delivery_rate" { // receipts may not be in yet
			t.Errorf("chart %s has no tencent line: %v", c.ID, rows)
		}
	}
}
