package deploycheck

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/aliyun-log-go-sdk/producer"
)

// sdkActions maps the SDK methods smsflow may call to the RAM action each
// needs. Sources: Alibaba's API reference "RAM authorization" table of each
// API (SLS: PutLogs -> log:PostLogStoreLogs, GetLogs -> log:GetLogStoreLogs,
// GetHistograms -> log:GetLogStoreHistogram, ListShards -> log:ListShards,
// GetCursor/GetCursorTime/PullLogs -> log:GetCursorOrData; Dysmsapi:
// SendSms -> dysms:SendSms, SendBatchSms -> dysms:SendBatchSms,
// QuerySendDetails -> dysms:QuerySendDetails). The producer sends with
// PostLogStoreLogs. A reachable call to any other method of these SDK
// clients fails TestEverySDKCallIsMapped, so the table cannot fall behind.
var sdkActions = map[string]string{
	// FC 3.0 control API through darabonba-openapi's generic CallApi:
	// the action is the wrapper's (shared/release.Client), so the wrappers
	// are mapped and CallApi itself is in sdkGeneric.
	"GetAlias":       "fc:GetAlias",
	"UpdateAlias":    "fc:UpdateAlias",
	"ListVersions":   "fc:ListFunctionVersions",
	"PublishVersion": "fc:PublishFunctionVersion",
	// dysmsapi-20170525/v3 client.Client
	"SendSms":                     "dysms:SendSms",
	"SendSmsWithOptions":          "dysms:SendSms",
	"SendBatchSms":                "dysms:SendBatchSms",
	"SendBatchSmsWithOptions":     "dysms:SendBatchSms",
	"QuerySendDetails":            "dysms:QuerySendDetails",
	"QuerySendDetailsWithOptions": "dysms:QuerySendDetails",
	// aliyun-log-go-sdk ClientInterface / LogStore
	"PutLogs":                    "log:PostLogStoreLogs",
	"PutLogsWithCompressType":    "log:PostLogStoreLogs",
	"PutRawLogWithCompressType":  "log:PostLogStoreLogs",
	"PostLogStoreLogs":           "log:PostLogStoreLogs",
	"PostLogStoreLogsV2":         "log:PostLogStoreLogs",
	"PostRawLogWithCompressType": "log:PostLogStoreLogs",
	"GetLogs":                    "log:GetLogStoreLogs",
	"GetLogsV2":                  "log:GetLogStoreLogs",
	"GetLogsV3":                  "log:GetLogStoreLogs",
	"GetLogLines":                "log:GetLogStoreLogs",
	"GetLogLinesV2":              "log:GetLogStoreLogs",
	"GetLogLinesByNano":          "log:GetLogStoreLogs",
	"GetLogsByNano":              "log:GetLogStoreLogs",
	"GetLogsBytes":               "log:GetLogStoreLogs",
	"GetLogsToCompleted":         "log:GetLogStoreLogs",
	"GetLogsToCompletedV2":       "log:GetLogStoreLogs",
	"GetLogsToCompletedV3":       "log:GetLogStoreLogs",
	"GetHistograms":              "log:GetLogStoreHistogram",
	"GetHistogramsV2":            "log:GetLogStoreHistogram",
	"GetHistogramsToCompleted":   "log:GetLogStoreHistogram",
	"ListShards":                 "log:ListShards",
	"GetCursor":                  "log:GetCursorOrData",
	"GetCursorTime":              "log:GetCursorOrData",
	"GetPrevCursorTime":          "log:GetCursorOrData",
	"PullLogs":                   "log:GetCursorOrData",
	"PullLogsV2":                 "log:GetCursorOrData",
	"PullLogsWithQuery":          "log:GetCursorOrData",
	// producer.Producer
	"SendLog":                 "log:PostLogStoreLogs",
	"SendLogList":             "log:PostLogStoreLogs",
	"SendLogWithCallBack":     "log:PostLogStoreLogs",
	"SendLogListWithCallBack": "log:PostLogStoreLogs",
}

// sdkLocal are SDK client methods that call no API (configuration and
// lifecycle): calling them needs no permission.
var sdkLocal = map[string]bool{
	"Init": true, "SetHTTPClient": true, "SetRetryTimeout": true, "SetUserAgent": true,
	"SetAuthVersion": true, "SetRegion": true, "ResetAccessKeyToken": true, "Close": true,
	"Start": true, "SafeClose": true, "GetEndpoint": true, "CheckConfig": true,
	"GetClientInfo": true, "SetCredentialsProvider": true,
}

// sdkGeneric are SDK methods that call whichever API their caller names
// (CallApi): the permission is the wrapper's, mapped in sdkActions, and
// TestEveryCallApiWrapperIsMapped keeps the wrappers in the table.
var sdkGeneric = map[string]bool{"CallApi": true}

// sdkMethods are the exported methods of the SDK clients smsflow uses.
func sdkMethods() map[string]bool {
	out := map[string]bool{}
	for _, t := range []reflect.Type{
		reflect.TypeFor[*dysmsapi.Client](),
		reflect.TypeFor[sls.ClientInterface](),
		reflect.TypeFor[*sls.LogStore](),
		reflect.TypeFor[*producer.Producer](),
	} {
		for i := 0; i < t.NumMethod(); i++ {
			out[t.Method(i).Name] = true
		}
	}
	return out
}

// requiredActions are the RAM actions a function's reachable calls need.
func requiredActions(fc *functionCode) map[string][]string {
	out := map[string][]string{}
	for call := range fc.Calls {
		if a, ok := sdkActions[call]; ok {
			out[a] = append(out[a], call)
		}
	}
	for _, calls := range out {
		sort.Strings(calls)
	}
	return out
}

// unmappedCalls are reachable calls to SDK methods missing from the table.
func unmappedCalls(fc *functionCode) []string {
	methods := sdkMethods()
	var out []string
	for call := range fc.Calls {
		if methods[call] && !sdkLocal[call] && !sdkGeneric[call] && sdkActions[call] == "" {
			out = append(out, call)
		}
	}
	sort.Strings(out)
	return out
}

// statement is one Allow statement of a RAM policy.
type statement struct {
	Actions   []string
	Resources []any
}

// roleStatements reads a ROS ALIYUN::RAM::Role's inline policies.
func roleStatements(role map[string]any) []statement {
	var out []statement
	policies, _ := get(role, "Properties", "Policies").([]any)
	for _, p := range policies {
		stmts, _ := get(p, "PolicyDocument", "Statement").([]any)
		for _, s := range stmts {
			if str(get(s, "Effect")) != "Allow" {
				continue
			}
			st := statement{Actions: stringList(get(s, "Action"))}
			switch r := get(s, "Resource").(type) {
			case []any:
				st.Resources = r
			case nil:
			default:
				st.Resources = []any{r}
			}
			out = append(out, st)
		}
	}
	return out
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, str(e))
		}
		return out
	}
	return nil
}

// checkPolicy compares a role's allowed actions with what the code needs,
// both ways, and refuses wildcards: in actions always, in resources for
// SLS (which authorises per logstore).
func checkPolicy(function string, required map[string][]string, stmts []statement) []string {
	var problems []string
	allowed := map[string]bool{}
	for _, s := range stmts {
		for _, a := range s.Actions {
			allowed[a] = true
			if strings.Contains(a, "*") {
				problems = append(problems, function+": wildcard action "+a)
			}
			if strings.HasPrefix(a, "log:") {
				for _, r := range s.Resources {
					if rs, ok := r.(string); ok && strings.Contains(rs, "*") {
						problems = append(problems, function+": "+a+" on a wildcard resource "+rs+": name the logstore")
					}
				}
			}
		}
	}
	for a, calls := range required {
		if !allowed[a] {
			problems = append(problems, function+": the code calls "+strings.Join(calls, ", ")+" but the role does not allow "+a)
		}
	}
	for a := range allowed {
		if _, ok := required[a]; !ok {
			problems = append(problems, function+": the role allows "+a+" but nothing in the code calls it")
		}
	}
	sort.Strings(problems)
	return problems
}

// logTargets say where each SLS action is performed: the function's
// variables (or, for FC's own log shipping, its LogConfig) naming the
// project and logstore. SLS authorises per logstore, so an action granted
// on another logstore than the one the code uses it on is refused at run
// time (e.g. the alert rules' GetLogs on the state logstore: every rule
// unknown, no alert ever).
var logTargets = []struct{ action, project, logstore string }{
	{"log:PostLogStoreLogs", "SMSFLOW_SLS_PROJECT", "SMSFLOW_SLS_LOGSTORE"},
	{"log:PostLogStoreLogs", "LogConfig.Project", "LogConfig.Logstore"},
	{"log:GetLogStoreLogs", "SMSFLOW_ALERT_QUERY_PROJECT", "SMSFLOW_ALERT_QUERY_LOGSTORE"},
	{"log:PostLogStoreLogs", "SMSFLOW_ALERT_STATE_PROJECT", "SMSFLOW_ALERT_STATE_LOGSTORE"},
	{"log:ListShards", "SMSFLOW_ALERT_STATE_PROJECT", "SMSFLOW_ALERT_STATE_LOGSTORE"},
	{"log:GetCursorOrData", "SMSFLOW_ALERT_STATE_PROJECT", "SMSFLOW_ALERT_STATE_LOGSTORE"},
}

// subValue renders a template value as it appears inside an Fn::Sub:
// {Ref: P} is ${P}, a literal is itself.
func subValue(v any) string {
	if ref, ok := asMap(v)["Ref"].(string); ok {
		return "${" + ref + "}"
	}
	return str(v)
}

// checkLogResources: every SLS action the code needs is granted on the
// logstore the function performs it on (template.yaml's role).
func checkLogResources(function string, required map[string][]string, stmts []statement, props map[string]any) []string {
	env := asMap(props["EnvironmentVariables"])
	lookup := func(key string) (any, bool) {
		if k, ok := strings.CutPrefix(key, "LogConfig."); ok {
			v, ok := asMap(props["LogConfig"])[k]
			return v, ok
		}
		v, ok := env[key]
		return v, ok
	}
	var problems []string
	for _, t := range logTargets {
		if _, ok := required[t.action]; !ok && !strings.HasPrefix(t.project, "LogConfig.") {
			continue
		}
		p, okP := lookup(t.project)
		l, okL := lookup(t.logstore)
		if !okP || !okL {
			continue
		}
		want := "acs:log:${ALIYUN::Region}:${ALIYUN::AccountId}:project/" + subValue(p) + "/logstore/" + subValue(l)
		granted := false
		for _, s := range stmts {
			if !slices.Contains(s.Actions, t.action) {
				continue
			}
			for _, r := range s.Resources {
				rs, ok := r.(string)
				if !ok {
					rs = str(asMap(r)["Fn::Sub"])
				}
				granted = granted || rs == want
			}
		}
		if !granted {
			problems = append(problems, fmt.Sprintf("%s: %s is used on %s (%s) but the role does not allow it there", function, t.action, want, t.logstore))
		}
	}
	sort.Strings(problems)
	return problems
}
