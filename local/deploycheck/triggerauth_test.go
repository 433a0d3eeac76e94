package deploycheck

import (
	"fmt"
	"strings"
	"testing"
)

// checkTriggerAuth: SMSFLOW_TRIGGER_AUTH=function tells the function that
// FC has verified every caller's signature, so it trusts requests without
// one. Every way in must then authenticate: each HTTP trigger of the
// function in both files, and each custom domain route to it (a custom
// domain has its own auth config). The other way round, an authType
// function trigger in front of a function told "anonymous" lets nobody
// send (FC refuses bearer tokens, the function wants one).
// conformance: AUTH-06
func checkTriggerAuth(name string, d descriptors) []string {
	sMode := str(asMap(d.S[name].Props["environmentVariables"])["SMSFLOW_TRIGGER_AUTH"])
	rMode := str(d.ROS.eval(asMap(d.rosFunction(name)["EnvironmentVariables"])["SMSFLOW_TRIGGER_AUTH"]))
	var out []string
	for _, in := range waysIn(name, d) {
		switch mode := map[string]string{"s.yaml": sMode, "template.yaml": rMode}[in.file]; {
		case mode == "function" && in.auth != "function":
			out = append(out, fmt.Sprintf("%s %s: %s has authType %q, but SMSFLOW_TRIGGER_AUTH is function: the function trusts every request as signed, so this is an open SMS relay",
				in.file, name, in.what, in.auth))
		case mode != "function" && in.auth == "function":
			out = append(out, fmt.Sprintf("%s %s: %s has authType function, but SMSFLOW_TRIGGER_AUTH is %q: FC refuses bearer tokens and the function refuses signed callers, so nobody can send",
				in.file, name, in.what, mode))
		}
	}
	return out
}

// wayIn is an HTTP entrance to a function: a trigger or a custom domain route.
type wayIn struct{ file, what, auth string }

func waysIn(name string, d descriptors) []wayIn {
	var out []wayIn
	triggers, _ := d.S[name].Props["triggers"].([]any)
	for _, tr := range triggers {
		if str(get(tr, "triggerType")) == "http" {
			out = append(out, wayIn{"s.yaml", "HTTP trigger " + str(get(tr, "triggerName")), str(get(tr, "triggerConfig", "authType"))})
		}
	}
	fnName := str(d.S[name].Props["functionName"])
	for key, r := range d.S {
		if r.Component != "fc3-domain" {
			continue
		}
		routes, _ := get(r.Props, "routeConfig", "routes").([]any)
		for _, route := range routes {
			if fn := str(get(route, "functionName")); fn == fnName || strings.Contains(fn, "resources."+name+".") {
				out = append(out, wayIn{"s.yaml", "custom domain " + key + " route " + str(get(route, "path")), str(get(r.Props, "authConfig", "authType"))})
			}
		}
	}
	fnID := d.rosFunctions()[name]
	for id, r := range d.ROS.ofType("ALIYUN::FC3::Trigger") {
		p := asMap(r["Properties"])
		if att, _ := get(p, "FunctionName", "Fn::GetAtt").([]any); len(att) == 0 || att[0] != fnID || str(p["TriggerType"]) != "http" {
			continue
		}
		out = append(out, wayIn{"template.yaml", "HTTP trigger " + id, str(get(p, "TriggerConfig", "authType"))})
	}
	rosName := str(d.ROS.eval(d.rosFunction(name)["FunctionName"]))
	for id, r := range d.ROS.ofType("ALIYUN::FC3::CustomDomain") {
		p := asMap(r["Properties"])
		routes, _ := get(p, "RouteConfig", "Routes").([]any)
		for _, route := range routes {
			fn := get(route, "FunctionName")
			att, _ := get(fn, "Fn::GetAtt").([]any)
			if (len(att) > 0 && att[0] == fnID) || str(d.ROS.eval(fn)) == rosName {
				out = append(out, wayIn{"template.yaml", "custom domain " + id + " route " + str(get(route, "Path")), str(get(p, "AuthConfig", "AuthType"))})
			}
		}
	}
	return out
}

// conformance: AUTH-06
func TestFunctionModeOnlyBehindSignedWaysIn(t *testing.T) {
	d := loadDescriptors(t)
	for _, name := range functionDirs(t) {
		report(t, checkTriggerAuth(name, d))
	}
}

// Issue 9 part 4 and 10.2: an anonymous way in to a function told
// "function" is an open relay, in either file, trigger or custom domain.
// conformance: AUTH-06
func TestCatchesAnOpenRelay(t *testing.T) {
	const relay = "SMSFLOW_TRIGGER_AUTH is function: the function trusts every request as signed"
	d := mutated(t, "s.yaml", "          triggerConfig:\n            authType: function", "          triggerConfig:\n            authType: anonymous")
	mustReport(t, checkFunction(t, "send", d), "s.yaml send: HTTP trigger http has authType \"anonymous\", but "+relay)
	d = mutated(t, "template.yaml", "        authType: function", "        authType: anonymous")
	mustReport(t, checkFunction(t, "send", d), "template.yaml send: HTTP trigger SendHttpTrigger has authType \"anonymous\", but "+relay)

	d = mutated(t, "s.yaml", "\n  receipts:\n", `
  api-domain:
    component: fc3-domain
    props:
      region: ${vars.region}
      domainName: sms.example.com
      protocol: HTTP
      routeConfig:
        routes:
          - path: /v1/*
            functionName: ${resources.send.props.functionName}
      authConfig:
        authType: anonymous

  receipts:
`)
	mustReport(t, checkFunction(t, "send", d), "s.yaml send: custom domain api-domain route /v1/* has authType \"anonymous\", but "+relay)
	d = mutated(t, "template.yaml", "\n  ReceiptsFunction:\n", `
  ApiDomain:
    Type: ALIYUN::FC3::CustomDomain
    Properties:
      DomainName: sms.example.com
      Protocol: HTTP
      RouteConfig:
        Routes:
          - Path: /v1/*
            FunctionName: {Fn::GetAtt: [SendFunction, FunctionName]}
      AuthConfig:
        AuthType: anonymous

  ReceiptsFunction:
`)
	mustReport(t, checkFunction(t, "send", d), "template.yaml send: custom domain ApiDomain route /v1/* has authType \"anonymous\", but "+relay)
}

// conformance: AUTH-06
func TestCatchesASignedTriggerNobodyCanUse(t *testing.T) {
	d := mutated(t, "s.yaml", "        SMSFLOW_TRIGGER_AUTH: function", "        SMSFLOW_TRIGGER_AUTH: anonymous")
	mustReport(t, checkFunction(t, "send", d), "s.yaml send: HTTP trigger http has authType function, but SMSFLOW_TRIGGER_AUTH is \"anonymous\"")
}
