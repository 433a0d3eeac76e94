package benchmarks

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"smsflow/local/stack"
)

func init() {
	Register(Section{Name: "deployable size", Order: 50, Run: binarySize})
}

const goalSendMB = 25

// binarySize builds send the way `make build` does (linux/amd64, static,
// -s -w) and prints its size.
func binarySize(ctx context.Context, b *Bench) error {
	root, err := stack.ModuleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "smsflow-size-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "main")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/send")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building send: %w\n%s", err, out)
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	mb := float64(st.Size()) / 1e6
	fmt.Fprintf(b.Out, "  send (linux/amd64, static, -s -w)  %.1f MB   goal ≤ %d MB  %s\n", mb, goalSendMB,
		b.CountGoal("send binary size", mb <= goalSendMB, fmt.Sprintf("%.1f MB, goal ≤ %d MB", mb, goalSendMB)))
	return nil
}
