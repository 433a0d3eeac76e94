package deploycheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each broken copy of a descriptor must be caught: the checks above pass
// on the real files, and these prove they would not pass on wrong ones.

func mutated(t *testing.T, file, old, new string) descriptors {
	t.Helper()
	d := loadDescriptors(t)
	b, err := os.ReadFile(filepath.Join(repoRoot(t), file))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q: update this test", file, old)
	}
	doc, err := parseYAML([]byte(strings.Replace(string(b), old, new, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if file == "s.yaml" {
		d.S = sFunctions(doc)
	} else {
		d.ROS = newROS(doc)
	}
	return d
}

func mustReport(t *testing.T, problems []string, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("no problem mentions %q; got %q", want, problems)
}

func TestCatchesAMissingOrExtraEntry(t *testing.T) {
	d := loadDescriptors(t)
	mustReport(t, checkEntries(append(functionDirs(t), "newfn"), d), "functions/newfn has no resource newfn")
	mustReport(t, checkEntries(append(functionDirs(t), "newfn"), d), "template.yaml: functions/newfn has no ALIYUN::FC3::Function")
	d = mutated(t, "s.yaml", "\n  receipts:\n", "\n  receipt:\n")
	mustReport(t, checkEntries(functionDirs(t), d), "resource receipt has no functions/receipt")
}

func TestCatchesAWrongHandler(t *testing.T) {
	d := mutated(t, "s.yaml", "code: ./dist/send\n      handler: main", "code: ./dist/send\n      handler: bootstrap")
	mustReport(t, checkFunction(t, "send", d), "handler bootstrap, but make build writes the binary \"main\"")
	d = mutated(t, "template.yaml", "Handler: main", "Handler: index.handler")
	mustReport(t, checkFunction(t, "send", d), "Handler index.handler")
}

func TestCatchesAnUndeclaredVariable(t *testing.T) {
	d := mutated(t, "s.yaml", "        SMSFLOW_DYSMS_BACKOFF: 100ms\n", "")
	mustReport(t, checkFunction(t, "send", d), "SMSFLOW_DYSMS_BACKOFF (Dysms.BackoffInitial) is read by the code but not declared")
	d = mutated(t, "s.yaml", "        SMSFLOW_SLS_TIMEOUT: 1s\n", "        SMSFLOW_SLS_TIMEOUT: 1s\n        SMSFLOW_NOT_READ: x\n")
	mustReport(t, checkFunction(t, "send", d), "SMSFLOW_NOT_READ is declared but the code does not read it")
}

func TestCatchesALiteralSecret(t *testing.T) {
	d := mutated(t, "s.yaml", "SMSFLOW_PHONE_HASH_KEY: ${env('SMSFLOW_PHONE_HASH_KEY')}", "SMSFLOW_PHONE_HASH_KEY: hunter2")
	mustReport(t, checkFunction(t, "send", d), "secret SMSFLOW_PHONE_HASH_KEY is a literal")
	d = mutated(t, "template.yaml", "SMSFLOW_PHONE_HASH_KEY: {Ref: PhoneHashKey}", "SMSFLOW_PHONE_HASH_KEY: hunter2")
	mustReport(t, checkFunction(t, "send", d), "secret SMSFLOW_PHONE_HASH_KEY is a literal")
	d = mutated(t, "template.yaml", "  PhoneHashKey:\n    Type: String\n    NoEcho: true\n", "  PhoneHashKey:\n    Type: String\n")
	mustReport(t, checkFunction(t, "send", d), "not NoEcho")
}

// conformance: DEP-06
func TestCatchesAMissingOrUnusedPermission(t *testing.T) {
	d := mutated(t, "template.yaml", "Action: [log:GetLogStoreLogs, log:PostLogStoreLogs]", "Action: [log:PostLogStoreLogs]")
	mustReport(t, checkFunction(t, "alert", d), "the code calls GetLogsV3 but the role does not allow log:GetLogStoreLogs")
	d = mutated(t, "template.yaml", "Action: [dysms:SendSms]", "Action: [dysms:SendSms, dysms:QuerySendDetails]")
	mustReport(t, checkFunction(t, "send", d), "the role allows dysms:QuerySendDetails but nothing in the code calls it")
	d = mutated(t, "template.yaml", "Action: [dysms:SendSms]", "Action: ['dysms:*']")
	mustReport(t, checkFunction(t, "send", d), "wildcard action dysms:*")
}

// Query actions are for the alert function alone: its senders' code does
// not reach them, so granting them fails.
// conformance: DEP-06
func TestQueryActionsOnlyForAlert(t *testing.T) {
	for _, name := range functionDirs(t) {
		req := requiredActions(analyse(t, name))
		_, queries := req["log:GetLogStoreLogs"]
		if queries != (name == "alert") {
			t.Errorf("functions/%s: needs log:GetLogStoreLogs = %v", name, queries)
		}
	}
}

// conformance: DEP-07
func TestCatchesABadCron(t *testing.T) {
	d := mutated(t, "s.yaml", "alertCron: '0 * * * * *'", "alertCron: '* * * *'")
	mustReport(t, checkFunction(t, "alert", d), "cronExpression \"* * * *\"")
	d = mutated(t, "template.yaml", "Default: '0 * * * * *'", "Default: '0 61 * * * *'")
	mustReport(t, checkFunction(t, "alert", d), "cronExpression \"0 61 * * * *\"")
}

// conformance: DEP-02
func TestCatchesSchemaViolations(t *testing.T) {
	cases := map[string][2]string{
		"memory not a multiple of 64": {"memorySize: 256\n      diskSize: 512\n      # 30 s", "memorySize: 250\n      diskSize: 512\n      # 30 s"},
		"unquoted boolean env value":  {"SMSFLOW_ALLOW_LONG_LIVED_KEY: 'false'", "SMSFLOW_ALLOW_LONG_LIVED_KEY: false"},
		"unknown property":            {"      internetAccess: true\n      vpcConfig:", "      internetAcess: true\n      vpcConfig:"},
		"bad auth type":               {"            authType: function", "            authType: signed"},
		"bad region":                  {"region: cn-hangzhou\n", "region: cn-atlantis\n"},
	}
	want := map[string]string{
		"memory not a multiple of 64": "memorySize must be a multiple of 64",
		"unquoted boolean env value":  "environmentVariables.SMSFLOW_ALLOW_LONG_LIVED_KEY must be a string",
		"unknown property":            "unknown property \"internetAcess\"",
		"bad auth type":               "authType: signed is not one of",
		"bad region":                  "region: cn-atlantis is not one of",
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := mutated(t, "s.yaml", c[0], c[1])
			mustReport(t, checkFC3("send", d.S["send"].Props), want[name])
		})
	}
}

func TestCatchesDisagreeingSizes(t *testing.T) {
	d := mutated(t, "template.yaml", "Timeout: 30", "Timeout: 60")
	mustReport(t, checkFunction(t, "send", d), "s.yaml timeout 30 but template.yaml Timeout 60")
}

// conformance: DEP-02
func TestCatchesACPUMemoryMismatch(t *testing.T) {
	d := mutated(t, "s.yaml", "cpu: 0.25\n      memorySize: 256\n      diskSize: 512\n      # 30 s", "cpu: 2\n      memorySize: 256\n      diskSize: 512\n      # 30 s")
	mustReport(t, checkFunction(t, "send", d), "FC wants 1 to 4 GB per vCPU")
}

// conformance: MNS-07
func TestCatchesALeaseShorterThanTheTimeout(t *testing.T) {
	d := mutated(t, "s.yaml", "SMSFLOW_IDEMPOTENCY_LEASE: 5m", "SMSFLOW_IDEMPOTENCY_LEASE: 1m")
	mustReport(t, checkFunction(t, "dispatch", d), "SMSFLOW_IDEMPOTENCY_LEASE \"1m\" must be above the 120s timeout")
}

// An alert send timeout that, with the SLS timeout, leaves the packaged
// rules' delivery_lease no room for one notification would make the alert
// function refuse to start after the deploy: caught before it.
func TestCatchesAnAlertSendTimeoutTheLeaseCannotHold(t *testing.T) {
	d := mutated(t, "s.yaml", "SMSFLOW_ALERT_SEND_TIMEOUT: 10s", "SMSFLOW_ALERT_SEND_TIMEOUT: 5m")
	mustReport(t, checkFunction(t, "alert", d), "delivery_lease 5m0s cannot hold one notification")
}

// SLS authorises per logstore: the right action on the wrong logstore is
// refused at run time just like a missing one.
// conformance: DEP-06, DEP-08
func TestCatchesAnActionOnTheWrongLogstore(t *testing.T) {
	d := mutated(t, "template.yaml",
		"Action: [log:GetLogStoreLogs, log:PostLogStoreLogs]\n                Resource:\n                  - {Fn::Sub: 'acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${LogstoreName}'}",
		"Action: [log:GetLogStoreLogs, log:PostLogStoreLogs]\n                Resource:\n                  - {Fn::Sub: 'acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${AlertStateLogstoreName}'}")
	mustReport(t, checkFunction(t, "alert", d), "log:GetLogStoreLogs is used on acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${LogstoreName}")
	d = mutated(t, "template.yaml",
		"Action: [log:PostLogStoreLogs, log:ListShards, log:GetCursorOrData]\n                Resource:\n                  - {Fn::Sub: 'acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${AlertStateLogstoreName}'}",
		"Action: [log:PostLogStoreLogs, log:ListShards, log:GetCursorOrData]\n                Resource:\n                  - {Fn::Sub: 'acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${LogstoreName}'}")
	mustReport(t, checkFunction(t, "alert", d), "log:GetCursorOrData is used on acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/${SlsProjectName}/logstore/${AlertStateLogstoreName}")
	// FC ships the function's stdout with the function role: its logConfig
	// logstore needs PostLogStoreLogs too.
	d = mutated(t, "template.yaml", "        Project: {Ref: SlsProjectName}\n        Logstore: {Ref: LogstoreName}\n        EnableRequestMetrics: true",
		"        Project: {Ref: SlsProjectName}\n        Logstore: {Ref: AlertStateLogstoreName}\n        EnableRequestMetrics: true")
	mustReport(t, checkFunction(t, "send", d), "(LogConfig.Logstore) but the role does not allow it there")
}

func TestCatchesASettingTheTwoFilesDisagreeOn(t *testing.T) {
	d := mutated(t, "template.yaml", "SMSFLOW_IDEMPOTENCY_LEASE: 2m", "SMSFLOW_IDEMPOTENCY_LEASE: 20s")
	mustReport(t, checkFunction(t, "send", d), `send: SMSFLOW_IDEMPOTENCY_LEASE is "2m" in s.yaml but "20s" in template.yaml`)
	d = mutated(t, "s.yaml", "  alertStateLogstore: sms-alert-state\n", "  alertStateLogstore: alert-state\n")
	mustReport(t, checkFunction(t, "alert", d), `alert: SMSFLOW_ALERT_STATE_LOGSTORE is "alert-state" in s.yaml but "sms-alert-state" in template.yaml`)
}

// conformance: DEP-07
func TestCatchesATimerFCCannotTakeOrTheRulesDoNotExpect(t *testing.T) {
	d := mutated(t, "s.yaml", "alertCron: '0 * * * * *'", "alertCron: '@hourly'")
	mustReport(t, checkFunction(t, "alert", d), "no other descriptor")
	d = mutated(t, "s.yaml", "alertCron: '0 * * * * *'", "alertCron: '30 * * * * *'")
	if p := checkFunction(t, "alert", d); len(p) != 0 {
		t.Errorf("once a minute at :30 is fine: %v", p)
	}
	d = mutated(t, "s.yaml", "alertCron: '0 * * * * *'", "alertCron: '0,30 * * * * *'")
	mustReport(t, checkFunction(t, "alert", d), "fires 30s apart, not a multiple of the rules' interval 1m0s")
	d = mutated(t, "s.yaml", "alertCron: '0 * * * * *'", "alertCron: '@every 90s'")
	mustReport(t, checkFunction(t, "alert", d), "fires 1m30s apart")
}

// conformance: DEP-01
func TestCatchesAnEnvironmentOverFCs4KB(t *testing.T) {
	// A large value written out (a rule file pasted into a variable).
	big := strings.Repeat("x", 1500)
	d := mutated(t, "s.yaml", "        SMSFLOW_TEMPLATE_KINDS: ''\n        # Secondary provider",
		"        SMSFLOW_TEMPLATE_KINDS: '"+big+"'\n        # Secondary provider")
	mustReport(t, checkFunction(t, "send", d), "SMSFLOW_TEMPLATE_KINDS is 1500 bytes, over its maximum 1024")
	d = mutated(t, "template.yaml", "        SMSFLOW_ALERT_SEND_TIMEOUT: 10s\n", "        SMSFLOW_ALERT_SEND_TIMEOUT: 10s\n        SMSFLOW_ALERT_NOTES: '"+big+"'\n")
	mustReport(t, checkFunction(t, "alert", d), "template.yaml alert: environment variables take up to")
	// A variable filled in at deploy time counts at its maximum: one
	// without a maximum cannot be counted, and a large maximum is counted.
	vars := functionEnv(t, "alert")
	env := map[string]any{"SMSFLOW_ALERT_WEBHOOK_URL": "${env('SMSFLOW_ALERT_WEBHOOK_URL')}", "SMSFLOW_NEW": "${vars.x}"}
	if _, p := envWorstCase(env, vars); len(p) != 1 || !strings.Contains(p[0], "SMSFLOW_NEW has no documented maximum") {
		t.Errorf("problems %q", p)
	}
	v := vars["SMSFLOW_ALERT_WEBHOOK_URL"]
	v.Max = 5000
	vars["SMSFLOW_ALERT_WEBHOOK_URL"] = v
	d = loadDescriptors(t)
	mustReport(t, checkEnvSize("alert", vars, d), "s.yaml alert: environment variables take up to")
}
