package fcrt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// conformance: FC-05
func TestInitializerRunsOnceBeforeTheFirstInvocation(t *testing.T) {
	fn := testFunction(t)
	fn.Env["FCFUNC_HOOKS"] = "1"
	fn.Initializer = true
	inst := startInstance(t, fn)

	hooks := readFile(t, stateFile(fn, "hooks.log"))
	if strings.Count(hooks, "init ") != 1 {
		t.Fatalf("after Start, hooks.log = %q, want one init", hooks)
	}
	for range 3 {
		res := invoke(t, inst, `{"op":"echo"}`)
		if res.Failed() {
			t.Fatal(res.Error)
		}
		if got := decode[echoReply](t, res.Payload).InitCount; got != 1 {
			t.Fatalf("function saw initCount %d, want 1", got)
		}
	}
	if hooks := readFile(t, stateFile(fn, "hooks.log")); strings.Count(hooks, "init ") != 1 {
		t.Errorf("initializer ran again: %q", hooks)
	}
}

func TestWithoutInitializerNoHookRuns(t *testing.T) {
	fn := testFunction(t)
	fn.Env["FCFUNC_HOOKS"] = "1" // registered in the binary, but not configured
	inst := startInstance(t, fn)
	if got := decode[echoReply](t, invoke(t, inst, `{"op":"echo"}`).Payload).InitCount; got != 0 {
		t.Fatalf("initializer ran although not configured (initCount %d)", got)
	}
	if err := inst.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hooks := readFile(t, stateFile(fn, "hooks.log")); hooks != "" {
		t.Errorf("hooks ran although not configured: %q", hooks)
	}
}

func TestInitializerFailureFailsStart(t *testing.T) {
	fn := testFunction(t)
	fn.Env["FCFUNC_HOOKS"] = "1"
	fn.Env["FCFUNC_INIT_FAIL"] = "1"
	fn.Initializer = true
	_, err := Start(context.Background(), fn)
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Message != "initializer refused to start" {
		t.Fatalf("Start = %v, want the initializer's error", err)
	}
}

// conformance: FC-05
func TestStopRunsPreStopThenKills(t *testing.T) {
	fn := testFunction(t)
	fn.Env["FCFUNC_HOOKS"] = "1"
	fn.PreStop = true
	fn.AutoFreeze = true // preStop must thaw a frozen instance first
	inst := startInstance(t, fn)
	if res := invoke(t, inst, `{"op":"echo"}`); res.Failed() {
		t.Fatal(res.Error)
	}
	if !inst.Frozen() {
		t.Fatal("idle instance not frozen")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := inst.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if hooks := readFile(t, stateFile(fn, "hooks.log")); strings.Count(hooks, "prestop ") != 1 {
		t.Errorf("hooks.log = %q, want one prestop", hooks)
	}
	select {
	case <-inst.Exited():
	default:
		t.Error("process still running after Stop")
	}
	if _, err := inst.Invoke(ctx, []byte(`{"op":"echo"}`), InvokeOptions{}); err == nil {
		t.Error("Invoke after Stop succeeded")
	}
}

func TestStopWaitsForInFlightInvocations(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	done := make(chan Result, 1)
	go func() { done <- invoke(t, inst, `{"op":"sleep","ms":500}`) }()
	for inst.InFlight() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := inst.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := <-done; res.Failed() {
		t.Fatalf("in-flight invocation failed by Stop: %+v", res.Error)
	}
}
