package deploycheck

import (
	"fmt"
	"strings"
	"testing"
)

// standardRuntime reports whether an FC 3.0 runtime is a standard one
// (go1, python3.x, nodejs*, java*, php, dotnet): everything but the custom
// runtimes ("custom", "custom.debian*") and custom containers
// ("custom-container").
func standardRuntime(runtime string) bool { return !strings.HasPrefix(runtime, "custom") }

// checkInstanceConcurrency: FC 3.0 runs one invocation at a time on an
// instance of a standard runtime and supports instance concurrency only
// for custom runtimes and containers; the descriptors must not promise
// more. Code sized for overlapping invocations would be wrong for what FC
// really does (docs/architecture.md, "One invocation per instance").
// conformance: FC-01
func checkInstanceConcurrency(name string, d descriptors) []string {
	var out []string
	check := func(file, runtimeKey, concKey string, props map[string]any) {
		runtime := str(props[runtimeKey])
		if c, ok := number(props[concKey]); ok && c > 1 && standardRuntime(runtime) {
			out = append(out, fmt.Sprintf("%s %s: %s %v on the standard runtime %s: FC 3.0 runs one invocation per instance there", file, name, concKey, c, runtime))
		}
	}
	check("s.yaml", "runtime", "instanceConcurrency", d.S[name].Props)
	check("template.yaml", "Runtime", "InstanceConcurrency", d.rosFunction(name))
	return out
}

func TestNoInstanceConcurrencyOnAStandardRuntime(t *testing.T) {
	d := loadDescriptors(t)
	for _, name := range functionDirs(t) {
		report(t, checkInstanceConcurrency(name, d))
	}
}

// conformance: FC-01
func TestCatchesInstanceConcurrencyOnGo1(t *testing.T) {
	d := mutated(t, "s.yaml", "      role: acs:ram::${vars.accountID}:role/${vars.prefix}-send\n",
		"      instanceConcurrency: 20\n      role: acs:ram::${vars.accountID}:role/${vars.prefix}-send\n")
	mustReport(t, checkFunction(t, "send", d), "s.yaml send: instanceConcurrency 20 on the standard runtime go1")
	d = mutated(t, "template.yaml", "      Runtime: go1\n", "      Runtime: go1\n      InstanceConcurrency: 5\n")
	mustReport(t, checkInstanceConcurrency("send", d), "template.yaml send: InstanceConcurrency 5 on the standard runtime go1")
	// A custom runtime may overlap invocations.
	if !standardRuntime("go1") || standardRuntime("custom.debian10") || standardRuntime("custom-container") {
		t.Error("standardRuntime misclassifies")
	}
}
