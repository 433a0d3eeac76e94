package fcrt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// testBinary is the test function (testdata/fcfunc) built once for all tests.
var testBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fcrt-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	testBinary = filepath.Join(dir, "main")
	build := exec.Command("go", "build", "-o", testBinary, "./testdata/fcfunc")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build test function:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// testFunction is a Function running the test binary with its state dir.
func testFunction(t *testing.T) Function {
	t.Helper()
	return Function{
		Name:    "fcfunc",
		Binary:  testBinary,
		Timeout: 5 * time.Second,
		Env:     map[string]string{"FCFUNC_STATE": t.TempDir()},
		Output:  testWriter{t},
		Logger:  quietLogger,
	}
}

// startInstance starts fn and stops it when the test ends.
func startInstance(t *testing.T, fn Function) *Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	inst, err := Start(ctx, fn)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = inst.Stop(ctx)
	})
	return inst
}

func invoke(t *testing.T, target Invoker, payload string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := target.Invoke(ctx, []byte(payload), InvokeOptions{})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// testWriter sends the child's output to the test log (shown on failure).
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("function: %s", p)
	return len(p), nil
}

func stateFile(fn Function, name string) string {
	return filepath.Join(fn.Env["FCFUNC_STATE"], name)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}
