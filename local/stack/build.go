package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot finds the smsflow checkout, so the stack can build functions
// from wherever a test or the launcher runs.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the smsflow module")
	}
	return filepath.Dir(mod), nil
}

// BuildFunction builds functions/<name> for this machine into
// binDir/<name>/main and returns the binary's path. (make build makes the
// linux/amd64 deployables; the local stack runs host binaries.)
func BuildFunction(ctx context.Context, binDir, name string) (string, error) {
	return BuildPackage(ctx, binDir, name, "./functions/"+name)
}

// BuildPackage builds the main package pkg (relative to the module root)
// as BuildFunction builds a function, into binDir/<name>/main.
func BuildPackage(ctx context.Context, binDir, name, pkg string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(binDir, name, "main")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %w\n%s", pkg, err, b)
	}
	return out, nil
}
