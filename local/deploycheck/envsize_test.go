package deploycheck

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// fcEnvLimit is FC's limit on all of one function's environment variables
// together: 4 KB (FC docs, environment variables; platform-facts.md).
const fcEnvLimit = 4096

// envWorstCase is the largest a function's environment can get in one
// descriptor: each variable's value where the descriptor writes it out,
// else (a ${vars.x}, ${env(...)}, Ref or Fn::Sub the operator fills in)
// the documented maximum, its config field's max tag. How FC counts is
// not documented, so the size is the JSON object {"K":"V",...}, which is
// no smaller than names plus values however they are counted.
func envWorstCase(env map[string]any, vars map[string]envVar) (int, []string) {
	var problems []string
	size := 2 // {}
	for k, v := range env {
		limit := vars[k].Max
		val, literal := literalValue(v)
		switch {
		case literal && limit > 0 && len(val) > limit:
			problems = append(problems, fmt.Sprintf("%s is %d bytes, over its maximum %d (config refuses it)", k, len(val), limit))
		case !literal && limit == 0:
			problems = append(problems, fmt.Sprintf("%s has no documented maximum (a max tag in shared/config)", k))
		}
		n := limit
		if literal {
			n = len(val)
		}
		size += len(k) + n + 6 // "k":"v",
	}
	sort.Strings(problems)
	return size, problems
}

// literalValue is a value written out in the descriptor: a string that
// refers to nothing the operator or the stack fills in.
func literalValue(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok && !strings.Contains(s, "${")
}

// checkEnvSize: in both descriptors, the function's worst-case environment
// fits FC's 4 KB, and every variable has a maximum to count it by.
// conformance: DEP-01
func checkEnvSize(name string, vars map[string]envVar, d descriptors) []string {
	var out []string
	for _, file := range []struct {
		name string
		env  map[string]any
	}{{"s.yaml", asMap(d.S[name].Raw["environmentVariables"])}, {"template.yaml", asMap(d.rosFunction(name)["EnvironmentVariables"])}} {
		size, problems := envWorstCase(file.env, vars)
		for _, p := range problems {
			out = append(out, fmt.Sprintf("%s %s: %s", file.name, name, p))
		}
		if size > fcEnvLimit {
			out = append(out, fmt.Sprintf("%s %s: environment variables take up to %d bytes, over FC's %d for a function", file.name, name, size, fcEnvLimit))
		}
	}
	return out
}

// The figures, for the record (go test -v -run TestEnvironmentSizes).
// conformance: DEP-01
func TestEnvironmentSizes(t *testing.T) {
	d := loadDescriptors(t)
	for _, name := range functionDirs(t) {
		vars := functionEnv(t, name)
		s, _ := envWorstCase(asMap(d.S[name].Raw["environmentVariables"]), vars)
		r, _ := envWorstCase(asMap(d.rosFunction(name)["EnvironmentVariables"]), vars)
		t.Logf("%-9s worst case: s.yaml %4d bytes, template.yaml %4d bytes (limit %d)", name, s, r, fcEnvLimit)
		report(t, checkEnvSize(name, vars, d))
	}
}
