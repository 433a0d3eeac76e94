package deploycheck

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// The subset of the fc3 component's schema that s.yaml's fields are held
// to. Source: github.com/devsapp/fc3, src/schema.json at commit
// 4ca1c1b8c33e654438bb73b64cfc95a5c9d94f5a (2026-05-28). Written down by
// hand (not copied): the top-level property names; `required` for a
// non-custom runtime (region, functionName, runtime, code, handler);
// IRegion and IRuntime enums; memorySize (integer, multiple of 64,
// 128..32768), timeout (integer 1..86400), instanceConcurrency (integer
// 1..200), cpu (0.05..16), diskSize (512 or 10240); logConfig ("auto" or
// ILogConfig: project and logstore required, boolean metrics flags,
// logBeginRule enum); environmentVariables (IKV: string values only);
// vpcConfig (IVpcConfig: vpcId, vSwitchIds, securityGroupId required);
// triggers (ITrigger: triggerName, triggerType, triggerConfig required;
// ITriggerType enum) with IHttpTriggerConfig (authType, methods required,
// enums), ITimerTriggerConfig (cronExpression, enable required) and
// IEventBridge (triggerEnable, asyncInvocationType, eventRuleFilterPattern,
// eventSourceConfig{eventSourceType, eventSourceParameters},
// eventSinkConfig{deliveryOption}, runOptions required).
// Stricter than the schema: an unknown property is an error (the schema
// allows it, and a typo would silently do nothing).
var fc3Properties = []string{
	"annotations", "asyncInvokeConfig", "code", "concurrencyConfig", "cpu", "customContainerConfig",
	"customDNS", "customRuntimeConfig", "description", "diskSize", "enableLongLiving", "endpoint",
	"environmentVariables", "functionName", "gpuConfig", "handler", "instanceIsolationMode",
	"instanceLifecycleConfig", "internetAccess", "layers", "logConfig", "memorySize", "nasConfig",
	"ossMountConfig", "provisionConfig", "region", "resourceGroupId", "role", "runtime", "scalingConfig",
	"sessionAffinity", "sessionAffinityConfig", "supplement", "tags", "timeout", "instanceConcurrency",
	"tracingConfig", "triggers", "vpcBinding", "vpcConfig",
}

var fc3Regions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-5", "ap-southeast-7", "cn-beijing", "cn-chengdu", "cn-hangzhou", "cn-heyuan-acdr-1",
	"cn-hongkong", "cn-huhehaote", "cn-qingdao", "cn-shanghai", "cn-shanghai-cloudspe", "cn-shanghai-finance-1",
	"cn-shenzhen", "cn-wulanchabu", "cn-zhangjiakou", "eu-central-1", "eu-west-1", "me-central-1", "us-east-1", "us-west-1",
}

var fc3Runtimes = []string{
	"custom", "custom-container", "micro-sandbox", "custom.debian10", "custom.debian11", "custom.debian12",
	"dotnetcore2.1", "dotnetcore3.1", "go1", "java11", "java8", "nodejs10", "nodejs12", "nodejs14", "nodejs16",
	"nodejs18", "nodejs20", "nodejs8", "php7.2", "python2.7", "python3", "python3.10", "python3.12", "python3.9",
}

var (
	fc3TriggerTypes = []string{"cdn_events", "eventbridge", "http", "log", "mns_topic", "oss", "tablestore", "timer"}
	fc3AuthTypes    = []string{"anonymous", "function", "jwt"}
	fc3Methods      = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
	fc3LogBegin     = []string{"DefaultRegex", "None"}
)

// checkFC3 validates one resource's props against the subset above.
func checkFC3(name string, props map[string]any) []string {
	var p problems
	p.prefix = name + ": "
	for k := range props {
		if !slices.Contains(fc3Properties, k) {
			p.add("unknown property %q", k)
		}
	}
	for _, k := range []string{"region", "functionName", "runtime", "code", "handler"} {
		if _, ok := props[k]; !ok {
			p.add("missing required %s", k)
		}
	}
	p.enum("region", props["region"], fc3Regions)
	p.enum("runtime", props["runtime"], fc3Runtimes)
	for _, k := range []string{"functionName", "handler", "role", "description"} {
		if v, ok := props[k]; ok {
			p.isString(k, v)
		}
	}
	if v, ok := props["code"]; ok {
		p.isString("code", v) // the object form (OSS) is not used here
	}
	p.integer("memorySize", props["memorySize"], 128, 32768, 64)
	p.integer("timeout", props["timeout"], 1, 86400, 1)
	p.integer("instanceConcurrency", props["instanceConcurrency"], 1, 200, 1)
	if v, ok := props["cpu"]; ok {
		if f, ok := number(v); !ok || f < 0.05 || f > 16 {
			p.add("cpu must be a number in 0.05..16, got %v", v)
		}
	}
	if v, ok := props["diskSize"]; ok {
		if f, _ := number(v); f != 512 && f != 10240 {
			p.add("diskSize must be 512 or 10240, got %v", v)
		}
	}
	if v, ok := props["internetAccess"]; ok {
		p.isBool("internetAccess", v)
	}
	switch lc := props["logConfig"].(type) {
	case nil:
	case string:
		if lc != "auto" {
			p.add("logConfig must be \"auto\" or an object, got %q", lc)
		}
	case map[string]any:
		p.required("logConfig", lc, "project", "logstore")
		for _, k := range []string{"enableRequestMetrics", "enableInstanceMetrics", "enableLlmMetrics"} {
			if v, ok := lc[k]; ok {
				p.isBool("logConfig."+k, v)
			}
		}
		if v, ok := lc["logBeginRule"]; ok {
			p.enum("logConfig.logBeginRule", v, fc3LogBegin)
		}
	default:
		p.add("logConfig must be \"auto\" or an object")
	}
	if v, ok := props["environmentVariables"]; ok {
		env, isMap := v.(map[string]any)
		if !isMap {
			p.add("environmentVariables must be a map")
		}
		for k, val := range env {
			if _, ok := val.(string); !ok {
				p.add("environmentVariables.%s must be a string, got %T %v (quote it)", k, val, val)
			}
		}
	}
	if v, ok := props["vpcConfig"]; ok && v != "auto" {
		vc, _ := v.(map[string]any)
		p.required("vpcConfig", vc, "vpcId", "vSwitchIds", "securityGroupId")
		switch ids := vc["vSwitchIds"].(type) {
		case []any, nil:
		case string:
			if ids != "auto" {
				p.add("vpcConfig.vSwitchIds must be a list or \"auto\"")
			}
		default:
			p.add("vpcConfig.vSwitchIds must be a list or \"auto\"")
		}
	}
	triggers, _ := props["triggers"].([]any)
	if _, ok := props["triggers"]; ok && triggers == nil {
		p.add("triggers must be a list")
	}
	for i, tr := range triggers {
		p.trigger(i, asMap(tr))
	}
	return p.list
}

func (p *problems) trigger(i int, tr map[string]any) {
	at := fmt.Sprintf("triggers[%d]", i)
	p.required(at, tr, "triggerName", "triggerType", "triggerConfig")
	p.enum(at+".triggerType", tr["triggerType"], fc3TriggerTypes)
	cfg := asMap(tr["triggerConfig"])
	at += ".triggerConfig"
	switch tr["triggerType"] {
	case "http":
		p.required(at, cfg, "authType", "methods")
		p.enum(at+".authType", cfg["authType"], fc3AuthTypes)
		methods, ok := cfg["methods"].([]any)
		if !ok && cfg["methods"] != nil {
			p.add("%s.methods must be a list", at)
		}
		for _, m := range methods {
			p.enum(at+".methods", m, fc3Methods)
		}
	case "timer":
		p.required(at, cfg, "cronExpression", "enable")
		p.isString(at+".cronExpression", cfg["cronExpression"])
		p.isBool(at+".enable", cfg["enable"])
	case "eventbridge":
		p.required(at, cfg, "triggerEnable", "asyncInvocationType", "eventRuleFilterPattern",
			"eventSourceConfig", "eventSinkConfig", "runOptions")
		p.isBool(at+".triggerEnable", cfg["triggerEnable"])
		p.isBool(at+".asyncInvocationType", cfg["asyncInvocationType"])
		p.isString(at+".eventRuleFilterPattern", cfg["eventRuleFilterPattern"])
		p.required(at+".eventSourceConfig", asMap(cfg["eventSourceConfig"]), "eventSourceType", "eventSourceParameters")
		p.required(at+".eventSinkConfig", asMap(cfg["eventSinkConfig"]), "deliveryOption")
	}
}

type problems struct {
	prefix string
	list   []string
}

func (p *problems) add(format string, a ...any) {
	p.list = append(p.list, p.prefix+fmt.Sprintf(format, a...))
}

func (p *problems) required(at string, m map[string]any, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			p.add("%s: missing required %s", at, k)
		}
	}
}

func (p *problems) enum(at string, v any, allowed []string) {
	s, ok := v.(string)
	if v == nil {
		return
	}
	if !ok || !slices.Contains(allowed, s) {
		p.add("%s: %v is not one of %s", at, v, strings.Join(allowed, ", "))
	}
}

func (p *problems) isString(at string, v any) {
	if _, ok := v.(string); !ok && v != nil {
		p.add("%s must be a string, got %T", at, v)
	}
}

func (p *problems) isBool(at string, v any) {
	if _, ok := v.(bool); !ok && v != nil {
		p.add("%s must be a boolean, got %T %v", at, v, v)
	}
}

func (p *problems) integer(at string, v any, lo, hi, multiple float64) {
	if v == nil {
		return
	}
	f, ok := number(v)
	switch {
	case !ok || f != math.Trunc(f):
		p.add("%s must be an integer, got %v", at, v)
	case f < lo || f > hi:
		p.add("%s must be in %v..%v, got %v", at, lo, hi, f)
	case math.Mod(f, multiple) != 0:
		p.add("%s must be a multiple of %v, got %v", at, multiple, f)
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
