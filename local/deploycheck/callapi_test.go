package deploycheck

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"smsflow/shared/release"
)

// Every exported method of the FC control API client calls one action
// through CallApi; a new one must be added to sdkActions, or a function
// reaching it would run with a role that lacks the action.
func TestEveryCallApiWrapperIsMapped(t *testing.T) {
	typ := reflect.TypeFor[*release.Client]()
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; sdkActions[name] == "" {
			t.Errorf("release.Client.%s calls FC through CallApi but has no RAM action in sdkActions", name)
		}
	}
}

// fcTargets say which resource each FC action of the release controller
// must be granted on: the alias (or function) its variables name, never a
// wildcard, so the alert role can move no other alias.
var fcTargets = []struct{ action, suffix string }{
	{"fc:GetAlias", "/aliases/"},
	{"fc:UpdateAlias", "/aliases/"},
	{"fc:ListFunctionVersions", ""},
}

// checkFCResources: template.yaml's role grants the FC actions on the
// released function's alias (SMSFLOW_RELEASE_FUNCTION/ALIAS) only.
func checkFCResources(function string, stmts []statement, props map[string]any) []string {
	env := asMap(props["EnvironmentVariables"])
	var problems []string
	for _, t := range fcTargets {
		want := "acs:fc:${ALIYUN::Region}:${ALIYUN::AccountId}:functions/" + subText(env["SMSFLOW_RELEASE_FUNCTION"])
		if t.suffix != "" {
			want += t.suffix + subText(env["SMSFLOW_RELEASE_ALIAS"])
		}
		for _, s := range stmts {
			if !slices.Contains(s.Actions, t.action) {
				continue
			}
			for _, r := range s.Resources {
				rs, ok := r.(string)
				if !ok {
					rs = str(asMap(r)["Fn::Sub"])
				}
				if rs != want {
					problems = append(problems, fmt.Sprintf("%s: %s is granted on %s, want only %s", function, t.action, rs, want))
				}
			}
		}
	}
	return problems
}

// subText is subValue that also takes an {Fn::Sub: '...'} value as its text.
func subText(v any) string {
	if sub, ok := asMap(v)["Fn::Sub"].(string); ok {
		return sub
	}
	return subValue(v)
}

// conformance: DEP-09
func TestReleaseControllerIsScopedToItsAlias(t *testing.T) {
	d := loadDescriptors(t)
	role, problems := roleOf("alert", d)
	problems = append(problems, checkFCResources("alert", roleStatements(role), d.rosFunction("alert"))...)
	report(t, problems)
	// The check bites: a wildcard resource is refused.
	wide := []statement{{Actions: []string{"fc:UpdateAlias"}, Resources: []any{"*"}}}
	if len(checkFCResources("alert", wide, d.rosFunction("alert"))) == 0 {
		t.Fatal("fc:UpdateAlias on * passed the check")
	}
}
