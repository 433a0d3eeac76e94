package fcrt

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ticks counts the lines the leaked goroutine has written.
func ticks(t *testing.T, path string) int {
	return strings.Count(readFile(t, path), "tick")
}

// conformance: FC-07
func TestFrozenInstanceRunsNoLeftoverWork(t *testing.T) {
	fn := testFunction(t)
	fn.AutoFreeze = true
	inst := startInstance(t, fn)
	if !inst.Frozen() {
		t.Fatal("idle instance not frozen after Start")
	}
	tickFile := filepath.Join(t.TempDir(), "ticks")

	// The handler answers at once and leaves a goroutine ticking every 5 ms.
	res := invoke(t, inst, `{"op":"leak","file":"`+tickFile+`"}`)
	if res.Failed() {
		t.Fatal(res.Error)
	}
	if !inst.Frozen() {
		t.Fatal("instance not frozen right after its answer")
	}
	frozenAt := ticks(t, tickFile)
	time.Sleep(300 * time.Millisecond)
	if n := ticks(t, tickFile); n != frozenAt {
		t.Fatalf("leftover goroutine progressed while frozen: %d -> %d ticks", frozenAt, n)
	}

	// Thawed, the same goroutine runs: the freeze above was real.
	if err := inst.Thaw(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := inst.Freeze(); err != nil {
		t.Fatal(err)
	}
	thawedTicks := ticks(t, tickFile)
	if thawedTicks <= frozenAt {
		t.Fatalf("goroutine did not run while thawed (%d ticks)", thawedTicks)
	}

	// FC recycles a frozen instance with SIGKILL: the work never resumes.
	inst.Kill()
	select {
	case <-inst.Exited():
	default:
		t.Fatal("Kill returned with the process alive")
	}
	var exitErr *exec.ExitError
	if err := inst.ExitErr(); !errors.As(err, &exitErr) || !strings.Contains(err.Error(), "killed") {
		t.Errorf("exit = %v, want killed", err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := ticks(t, tickFile); n != thawedTicks {
		t.Errorf("work progressed after Kill: %d -> %d", thawedTicks, n)
	}
}

// conformance: FC-07
func TestInvokeThawsAFrozenInstance(t *testing.T) {
	fn := testFunction(t)
	inst := startInstance(t, fn)
	if inst.Frozen() {
		t.Fatal("frozen without AutoFreeze")
	}
	if err := inst.Freeze(); err != nil {
		t.Fatal(err)
	}
	res := invoke(t, inst, `{"op":"echo"}`)
	if res.Failed() {
		t.Fatal(res.Error)
	}
	if inst.Frozen() {
		t.Error("instance frozen after Invoke without AutoFreeze")
	}
}
