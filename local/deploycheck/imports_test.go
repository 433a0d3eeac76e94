package deploycheck

import (
	"os/exec"
	"strings"
	"testing"
)

// What ships (the functions, the operator's tool, shared/) never links the
// local stack: an emulator's shortcut (a published key pair, a loopback
// endpoint) must not be reachable from a deployed binary or from a command
// pointed at Alibaba Cloud.
func TestProductCodeNeverImportsTheLocalStack(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./functions/...", "./cmd/...", "./shared/...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "smsflow/") {
			seen++
		}
		if pkg == "smsflow/local" || strings.HasPrefix(pkg, "smsflow/local/") {
			t.Errorf("%s is linked into product code", pkg)
		}
	}
	if seen < 10 {
		t.Fatalf("go list named %d smsflow packages: the patterns matched nothing to check", seen)
	}
}
