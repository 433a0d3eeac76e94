package deploycheck

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"smsflow/local/stack"
	"smsflow/shared/alert"
)

// descriptors are both files, parsed.
type descriptors struct {
	S   map[string]sFunction
	ROS rosTemplate
}

func loadDescriptors(t testing.TB) descriptors {
	t.Helper()
	return descriptors{S: sFunctions(loadYAML(t, "s.yaml")), ROS: newROS(loadYAML(t, "template.yaml"))}
}

// rosFunctions maps each ALIYUN::FC3::Function to the function directory
// its code comes from (<CodePrefix><name>.zip).
func (d descriptors) rosFunctions() map[string]string {
	out := map[string]string{}
	for id, r := range d.ROS.ofType("ALIYUN::FC3::Function") {
		obj := str(d.ROS.eval(get(r, "Properties", "Code", "OssObjectName")))
		out[strings.TrimSuffix(path.Base(obj), ".zip")] = id
	}
	return out
}

func (d descriptors) rosFunction(name string) map[string]any {
	return asMap(get(d.ROS.Resources[d.rosFunctions()[name]], "Properties"))
}

// build is what make build produces: dist/<name>/<binary>.
type build struct{ Dist, Binary string }

func makeBuild(t testing.TB) build {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	dist := regexp.MustCompile(`(?m)^DIST\s*:?=\s*(\S+)`).FindSubmatch(b)
	bin := regexp.MustCompile(`(?:go|\$\(GO\)) build[^\n]*-o \$\(DIST\)/\$\*/(\S+)`).FindSubmatch(b)
	if dist == nil || bin == nil {
		t.Fatal("Makefile: cannot find DIST or the go build -o $(DIST)/$*/<binary> line")
	}
	return build{Dist: string(dist[1]), Binary: string(bin[1])}
}

func checkEntries(dirs []string, d descriptors) []string {
	var out []string
	have := map[string]bool{}
	for _, n := range dirs {
		have[n] = true
		if _, ok := d.S[n]; !ok {
			out = append(out, "s.yaml: functions/"+n+" has no resource "+n)
		}
		if _, ok := d.rosFunctions()[n]; !ok {
			out = append(out, "template.yaml: functions/"+n+" has no ALIYUN::FC3::Function with code "+n+".zip")
		}
	}
	for n, f := range d.S {
		if f.Component == "fc3" && !have[n] {
			out = append(out, "s.yaml: resource "+n+" has no functions/"+n)
		}
	}
	for n := range d.rosFunctions() {
		if !have[n] {
			out = append(out, "template.yaml: function with code "+n+".zip has no functions/"+n)
		}
	}
	sort.Strings(out)
	return out
}

func checkHandler(name string, b build, d descriptors) []string {
	var out []string
	if f, ok := d.S[name]; ok {
		p := f.Props
		if f.Component != "fc3" {
			out = append(out, fmt.Sprintf("s.yaml %s: component %q, want fc3", name, f.Component))
		}
		if p["handler"] != b.Binary {
			out = append(out, fmt.Sprintf("s.yaml %s: handler %v, but make build writes the binary %q", name, p["handler"], b.Binary))
		}
		if want := "./" + b.Dist + "/" + name; p["code"] != want {
			out = append(out, fmt.Sprintf("s.yaml %s: code %v, but make build writes %s", name, p["code"], want))
		}
		if p["runtime"] != "go1" {
			out = append(out, fmt.Sprintf("s.yaml %s: runtime %v, want go1", name, p["runtime"]))
		}
		if !strings.Contains(fmt.Sprint(f.Actions["pre-deploy"]), "make "+b.Dist+"/"+name+".zip") {
			out = append(out, fmt.Sprintf("s.yaml %s: no pre-deploy action running make %s/%s.zip", name, b.Dist, name))
		}
	}
	if p := d.rosFunction(name); p != nil {
		if p["Handler"] != b.Binary {
			out = append(out, fmt.Sprintf("template.yaml %s: Handler %v, but make build writes the binary %q", name, p["Handler"], b.Binary))
		}
		if p["Runtime"] != "go1" {
			out = append(out, fmt.Sprintf("template.yaml %s: Runtime %v, want go1", name, p["Runtime"]))
		}
	}
	return out
}

var envRef = regexp.MustCompile(`^\$\{env\('([A-Z0-9_]+)'(?:,\s*'')?\)\}$`)

// checkEnv: every variable the code reads is declared in both files, none
// is declared that the code does not read, and secrets are references.
func checkEnv(name string, vars map[string]envVar, d descriptors) []string {
	var out []string
	sEnv := asMap(d.S[name].Props["environmentVariables"])
	rEnv := asMap(d.rosFunction(name)["EnvironmentVariables"])
	for _, file := range []struct {
		name string
		env  map[string]any
	}{{"s.yaml", sEnv}, {"template.yaml", rEnv}} {
		for k, v := range vars {
			val, ok := file.env[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s %s: %s (%s) is read by the code but not declared", file.name, name, k, v.Field))
				continue
			}
			if v.Secret {
				if p := secretProblem(file.name, k, val, d.ROS); p != "" {
					out = append(out, fmt.Sprintf("%s %s: secret %s %s", file.name, name, k, p))
				}
			}
		}
		for k := range file.env {
			if _, ok := vars[k]; !ok {
				out = append(out, fmt.Sprintf("%s %s: %s is declared but the code does not read it", file.name, name, k))
			}
		}
	}
	// The two ways to deploy must deploy the same function: a setting
	// (a lease, a timeout, a logstore name) that differs between them is a
	// behaviour nobody tested. Secrets are references in both, checked above.
	region := fmt.Sprint(d.S[name].Props["region"])
	for k, v := range vars {
		sv, sok := sEnv[k]
		rv, rok := rEnv[k]
		if !sok || !rok || v.Secret {
			continue
		}
		r := strings.ReplaceAll(fmt.Sprint(d.ROS.eval(rv)), "${ALIYUN::Region}", region)
		if fmt.Sprint(sv) != r {
			out = append(out, fmt.Sprintf("%s: %s is %q in s.yaml but %q in template.yaml", name, k, fmt.Sprint(sv), r))
		}
	}
	sort.Strings(out)
	return out
}

func secretProblem(file, name string, val any, ros rosTemplate) string {
	if file == "s.yaml" {
		m := envRef.FindStringSubmatch(str(val))
		switch {
		case m == nil:
			return fmt.Sprintf("is a literal: write ${env('%s')}", name)
		case m[1] != name:
			return fmt.Sprintf("reads ${env('%s')}: use the variable of the same name", m[1])
		}
		return ""
	}
	ref, ok := asMap(val)["Ref"].(string)
	if !ok {
		return "is a literal: use {Ref: <a NoEcho parameter>}"
	}
	p, ok := ros.Parameters[ref]
	switch {
	case !ok:
		return "refers to " + ref + ", which is not a parameter"
	case p["NoEcho"] != true:
		return "comes from parameter " + ref + ", which is not NoEcho"
	case p["Default"] != nil && p["Default"] != "":
		return "has a default value in parameter " + ref
	}
	return ""
}

// roleOf finds the ROS role a function runs as, and checks s.yaml names it.
func roleOf(name string, d descriptors) (map[string]any, []string) {
	att, _ := get(d.rosFunction(name), "Role", "Fn::GetAtt").([]any)
	if len(att) != 2 || att[1] != "Arn" {
		return nil, []string{"template.yaml " + name + ": Role must be {Fn::GetAtt: [<its role>, Arn]}"}
	}
	role := d.ROS.Resources[str(att[0])]
	if role["Type"] != "ALIYUN::RAM::Role" {
		return nil, []string{"template.yaml " + name + ": role " + str(att[0]) + " is not an ALIYUN::RAM::Role"}
	}
	roleName := str(d.ROS.eval(get(role, "Properties", "RoleName")))
	var out []string
	if s := str(d.S[name].Props["role"]); !strings.HasSuffix(s, ":role/"+roleName) {
		out = append(out, fmt.Sprintf("s.yaml %s: role %q is not template.yaml's %s (%s)", name, s, att[0], roleName))
	}
	return role, out
}

var cronParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// checkTriggers: cron expressions parse (FC's six fields, seconds first,
// or @every), timers are enabled, both files declare the same triggers,
// and an anonymous HTTP trigger belongs to code that checks a secret token.
func checkTriggers(name string, vars map[string]envVar, d descriptors) []string {
	var out []string
	sTr := map[string]string{}
	triggers, _ := d.S[name].Props["triggers"].([]any)
	for _, tr := range triggers {
		tn, tt := str(get(tr, "triggerName")), str(get(tr, "triggerType"))
		sTr[tn] = tt
		out = append(out, triggerRules("s.yaml "+name+" trigger "+tn, tt, asMap(get(tr, "triggerConfig")), vars)...)
	}
	rTr := map[string]string{}
	fnID := d.rosFunctions()[name]
	for _, r := range d.ROS.ofType("ALIYUN::FC3::Trigger") {
		p := asMap(r["Properties"])
		att, _ := get(p, "FunctionName", "Fn::GetAtt").([]any)
		if len(att) == 0 || att[0] != fnID {
			continue
		}
		tn, tt := str(p["TriggerName"]), str(p["TriggerType"])
		rTr[tn] = tt
		cfg := asMap(p["TriggerConfig"])
		if tt == "timer" {
			cfg = map[string]any{"cronExpression": d.ROS.eval(cfg["cronExpression"]), "enable": cfg["enable"]}
		}
		out = append(out, triggerRules("template.yaml "+name+" trigger "+tn, tt, cfg, vars)...)
	}
	if fmt.Sprint(sTr) != fmt.Sprint(rTr) {
		out = append(out, fmt.Sprintf("%s: s.yaml triggers %v differ from template.yaml's %v", name, sTr, rTr))
	}
	return out
}

func triggerRules(at, typ string, cfg map[string]any, vars map[string]envVar) []string {
	var out []string
	switch typ {
	case "timer":
		expr := str(cfg["cronExpression"])
		if _, err := cronParser.Parse(expr); err != nil {
			out = append(out, fmt.Sprintf("%s: cronExpression %q: %v", at, expr, err))
		} else if strings.HasPrefix(expr, "@") && !strings.HasPrefix(expr, "@every ") {
			// robfig/cron knows @hourly and friends; FC knows @every only.
			out = append(out, fmt.Sprintf("%s: cronExpression %q: FC takes six cron fields or @every, no other descriptor", at, expr))
		}
		if cfg["enable"] != true {
			out = append(out, at+": the timer is not enabled")
		}
	case "http":
		if cfg["authType"] == "anonymous" && !readsSecretToken(vars) {
			out = append(out, at+": anonymous, but the code reads no secret token to authenticate callers")
		}
	}
	return out
}

func readsSecretToken(vars map[string]envVar) bool {
	for k, v := range vars {
		if v.Secret && strings.Contains(k, "TOKEN") {
			return true
		}
	}
	return false
}

// checkSizing: what both files say about resources agrees, and logs go to
// the bound logstore with request and instance metrics.
func checkSizing(name string, d descriptors) []string {
	var out []string
	s, r := d.S[name].Props, d.rosFunction(name)
	for sk, rk := range map[string]string{"memorySize": "MemorySize", "timeout": "Timeout",
		"instanceConcurrency": "InstanceConcurrency", "cpu": "Cpu", "diskSize": "DiskSize"} {
		if fmt.Sprint(s[sk]) != fmt.Sprint(r[rk]) {
			out = append(out, fmt.Sprintf("%s: s.yaml %s %v but template.yaml %s %v", name, sk, s[sk], rk, r[rk]))
		}
	}
	// FC 3.0: memory (GB) per vCPU between 1 and 4, vCPU in steps of 0.05.
	if cpu, ok := number(s["cpu"]); ok {
		mem, _ := number(s["memorySize"])
		if ratio := mem / 1024 / cpu; ratio < 1 || ratio > 4 {
			out = append(out, fmt.Sprintf("s.yaml %s: %v MB for %v vCPU: FC wants 1 to 4 GB per vCPU", name, mem, cpu))
		}
		if steps := cpu / 0.05; math.Abs(steps-math.Round(steps)) > 1e-9 {
			out = append(out, fmt.Sprintf("s.yaml %s: cpu %v is not a multiple of 0.05", name, cpu))
		}
	}
	lc := asMap(s["logConfig"])
	if lc["enableRequestMetrics"] != true || lc["enableInstanceMetrics"] != true || lc["project"] == nil || lc["logstore"] == nil {
		out = append(out, "s.yaml "+name+": logConfig must name project and logstore with request and instance metrics on")
	}
	rl := asMap(r["LogConfig"])
	if rl["EnableRequestMetrics"] != true || rl["EnableInstanceMetrics"] != true {
		out = append(out, "template.yaml "+name+": LogConfig must turn request and instance metrics on")
	}
	return out
}

// checkFunction runs every per-function check.
func checkFunction(t testing.TB, name string, d descriptors) []string {
	vars := functionEnv(t, name)
	out := checkHandler(name, makeBuild(t), d)
	if _, ok := d.S[name]; !ok || d.rosFunction(name) == nil {
		return out // reported by checkEntries
	}
	out = append(out, checkEnv(name, vars, d)...)
	out = append(out, checkEnvSize(name, vars, d)...)
	role, problems := roleOf(name, d)
	out = append(out, problems...)
	if role != nil {
		required, stmts := requiredActions(analyse(t, name)), roleStatements(role)
		out = append(out, checkPolicy(name, required, stmts)...)
		out = append(out, checkLogResources(name, required, stmts, d.rosFunction(name))...)
	}
	out = append(out, checkTriggers(name, vars, d)...)
	out = append(out, checkTriggerAuth(name, d)...)
	out = append(out, checkSizing(name, d)...)
	out = append(out, checkInstanceConcurrency(name, d)...)
	out = append(out, checkLease(name, d)...)
	out = append(out, checkAlertRules(t, name, vars, d)...)
	out = append(out, checkFC3("s.yaml "+name, d.S[name].Props)...)
	return out
}

func report(t *testing.T, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Error(p)
	}
}

func TestEveryFunctionDirectoryHasEntries(t *testing.T) {
	report(t, checkEntries(functionDirs(t), loadDescriptors(t)))
}

// conformance: DEP-02
func TestEveryFunctionIsDeployableAsWritten(t *testing.T) {
	d := loadDescriptors(t)
	for _, name := range functionDirs(t) {
		t.Run(name, func(t *testing.T) { report(t, checkFunction(t, name, d)) })
	}
}

// conformance: DEP-06
func TestEverySDKCallIsMapped(t *testing.T) {
	for _, name := range functionDirs(t) {
		if calls := unmappedCalls(analyse(t, name)); len(calls) > 0 {
			t.Errorf("functions/%s calls SDK methods with no RAM action in sdkActions: %v", name, calls)
		}
	}
}

// A function that builds alert channels (alert.BuildChannels reachable)
// reads the variables the default rule file's channels name, whether or
// not its config struct lists them.
func TestAlertChannelVariablesAreDeclared(t *testing.T) {
	cfg, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	d := loadDescriptors(t)
	for _, name := range functionDirs(t) {
		if !analyse(t, name).Calls["BuildChannels"] {
			continue
		}
		sEnv := asMap(d.S[name].Props["environmentVariables"])
		rEnv := asMap(d.rosFunction(name)["EnvironmentVariables"])
		for _, ch := range cfg.Channels {
			for _, v := range []string{ch.URLEnv, ch.SecretEnv, ch.PhonesEnv} {
				if v == "" {
					continue
				}
				if _, ok := sEnv[v]; !ok {
					t.Errorf("s.yaml %s: channel %s reads %s, not declared", name, ch.Name, v)
				}
				if _, ok := rEnv[v]; !ok {
					t.Errorf("template.yaml %s: channel %s reads %s, not declared", name, ch.Name, v)
				}
			}
		}
	}
}

// checkTimerPeriod: the alert rules count evaluations (`for`) and cut
// time into slots of settings.interval; a timer whose ticks are not
// multiples of it evaluates slots twice or skips them. The rules are the
// ones make build packs (packagedRules).
func checkTimerPeriod(name string, rules *alert.Config, d descriptors) []string {
	interval := rules.Settings.Interval
	var out []string
	triggers, _ := d.S[name].Props["triggers"].([]any)
	for _, tr := range triggers {
		if str(get(tr, "triggerType")) != "timer" {
			continue
		}
		expr := str(get(tr, "triggerConfig", "cronExpression"))
		sched, err := cronParser.Parse(expr)
		if err != nil {
			continue // reported by triggerRules
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for range 100 {
			next := sched.Next(at)
			if gap := next.Sub(at); gap%interval != 0 && !at.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
				out = append(out, fmt.Sprintf("s.yaml %s trigger %s: cronExpression %q fires %s apart, not a multiple of the rules' interval %s",
					name, str(get(tr, "triggerName")), expr, gap, interval))
				break
			}
			at = next
		}
	}
	return out
}

// checkAlertRules runs the checks of the function that reads the alert
// rule file (the alert function) against the rules make build packs, read
// once.
func checkAlertRules(t testing.TB, name string, vars map[string]envVar, d descriptors) []string {
	if _, ok := asMap(d.S[name].Props["environmentVariables"])[alert.EnvRulesFile]; !ok {
		return nil
	}
	rules, err := packagedRules(t)
	if err != nil {
		return []string{fmt.Sprintf("%s: the rule file does not load: %v", name, err)}
	}
	return append(checkTimerPeriod(name, rules, d), checkDeliveryLease(name, rules, vars, d)...)
}

// checkDeliveryLease: the packaged rules' delivery_lease must hold one
// notification and its record with the timeouts s.yaml gives the alert
// function (alert.CheckLease, which the function applies at start): the
// function would otherwise refuse to start after the deploy.
func checkDeliveryLease(name string, rules *alert.Config, vars map[string]envVar, d descriptors) []string {
	duration := func(key string) (time.Duration, error) {
		v, ok := asMap(d.S[name].Props["environmentVariables"])[key].(string)
		if !ok {
			v = vars[key].Default
		}
		return time.ParseDuration(v)
	}
	send, err1 := duration("SMSFLOW_ALERT_SEND_TIMEOUT")
	sls, err2 := duration("SMSFLOW_ALERT_SLS_TIMEOUT")
	if err := errors.Join(err1, err2); err != nil {
		return []string{fmt.Sprintf("s.yaml %s: alert timeouts: %v", name, err)}
	}
	if err := alert.CheckLease(rules, send, sls); err != nil {
		return []string{fmt.Sprintf("s.yaml %s: %v", name, err)}
	}
	return nil
}

// packagedRules are the alert rules make build ships next to the alert
// binary: the Makefile's ALERT_RULES default when that file exists, else
// the embedded defaults.
func packagedRules(t testing.TB) (*alert.Config, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ALERT_RULES \?= \$\(wildcard (\S+)\)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("Makefile: no `ALERT_RULES ?= $(wildcard <file>)` line")
	}
	path := filepath.Join(repoRoot(t), string(m[1]))
	if _, err := os.Stat(path); err != nil {
		return alert.Defaults()
	}
	return alert.LoadFile(path)
}

// checkLease: an idempotency claim must outlive the function's timeout
// (shared/config.Idempotency.Lease), or a slow live send is declared dead
// and its outcome unknown.
func checkLease(name string, d descriptors) []string {
	lease, ok := asMap(d.S[name].Props["environmentVariables"])["SMSFLOW_IDEMPOTENCY_LEASE"].(string)
	if !ok {
		return nil
	}
	l, err := time.ParseDuration(lease)
	timeout, _ := number(d.S[name].Props["timeout"])
	if err != nil || l <= time.Duration(timeout)*time.Second {
		return []string{fmt.Sprintf("s.yaml %s: SMSFLOW_IDEMPOTENCY_LEASE %q must be above the %vs timeout", name, lease, timeout)}
	}
	return nil
}

// The local stack runs each function with the memory and the timeout it is
// deployed with: the function sizes its garbage collector by the one and
// fits its retries in the other, so a figure or a test run locally with
// other values would not be the deployed function's.
func TestTheLocalStackRunsEachFunctionAsDeployed(t *testing.T) {
	d := loadDescriptors(t)
	for name, f := range d.S {
		if f.Component != "fc3" {
			continue
		}
		mem, _ := number(f.Props["memorySize"])
		if got, ok := stack.FunctionMemoryMB[name]; !ok || float64(got) != mem {
			t.Errorf("%s: the local stack gives %d MB (listed: %v), s.yaml deploys %v MB", name, got, ok, mem)
		}
		timeout, _ := number(f.Props["timeout"])
		if got, ok := stack.FunctionTimeout[name]; !ok || got != time.Duration(timeout)*time.Second {
			t.Errorf("%s: the local stack's timeout is %v (listed: %v), s.yaml deploys %vs", name, got, ok, timeout)
		}
	}
	for name := range stack.FunctionMemoryMB {
		if _, ok := d.S[name]; !ok {
			t.Errorf("the local stack sizes %q, which s.yaml does not deploy", name)
		}
	}
	for name := range stack.FunctionTimeout {
		if _, ok := d.S[name]; !ok {
			t.Errorf("the local stack times %q, which s.yaml does not deploy", name)
		}
	}
}
