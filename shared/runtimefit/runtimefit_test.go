package runtimefit

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestAnFCInstanceIsPacedByItsMemory(t *testing.T) {
	s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "256"}))
	if !s.Apply || s.GCPercent != -1 {
		t.Fatalf("256 MB instance: %+v, want GOGC off", s)
	}
	if want := int64(192 << 20); s.MemoryLimit != want {
		t.Fatalf("limit %d, want %d (three quarters of 256 MB)", s.MemoryLimit, want)
	}
}

func TestTheOperatorsSettingsStand(t *testing.T) {
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "512", k: "200"}))
		if s.Apply || !strings.Contains(s.Reason, k) {
			t.Errorf("%s set: %+v, want the runtime's settings left alone, saying why", k, s)
		}
	}
}

func TestWhatIsNotAnFCMemorySizeChangesNothing(t *testing.T) {
	for _, v := range []string{"", " ", "abc", "0", "-512", "64", "1e9", "99999999999999999999"} {
		if s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": v})); s.Apply || s.Procs != 0 {
			t.Errorf("FC_FUNCTION_MEMORY_SIZE=%q: %+v, want defaults", v, s)
		}
	}
}

// One invocation at a time, its work waits with bursts between: one P.
func TestAnFCInstanceRunsOneP(t *testing.T) {
	s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "256"}))
	if s.Procs != 1 || !strings.Contains(s.ProcsReason, "GOMAXPROCS 1") {
		t.Fatalf("256 MB instance: %+v, want GOMAXPROCS 1", s)
	}
	// The GC settings an operator chose do not change the P count.
	if s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "256", "GOGC": "100"})); s.Procs != 1 || s.Apply {
		t.Errorf("GOGC set: %+v, want GOMAXPROCS 1 and the GC left alone", s)
	}
}

func TestTheOperatorsGOMAXPROCSStands(t *testing.T) {
	s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "2048", "GOMAXPROCS": "2"}))
	if s.Procs != 0 || !strings.Contains(s.ProcsReason, "GOMAXPROCS=2") || !s.Apply {
		t.Errorf("GOMAXPROCS set: %+v, want it left alone, saying why, and the GC still paced", s)
	}
}

func TestInitAppliesAndSaysSo(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1) // a negative limit only reads it
	oldProcs := runtime.GOMAXPROCS(2)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit); runtime.GOMAXPROCS(oldProcs) }()
	var out bytes.Buffer
	s := Init("send", env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "128"}), &out)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent after Init: %d, want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != s.MemoryLimit || got != 96<<20 {
		t.Errorf("memory limit after Init: %d, want %d", got, 96<<20)
	}
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS after Init: %d, want 1", got)
	}
	if !strings.HasPrefix(out.String(), "send: gc: FC instance with 128 MB") ||
		!strings.Contains(out.String(), "\nsend: procs: FC instance, one invocation at a time: GOMAXPROCS 1\n") {
		t.Errorf("start-up lines %q", out.String())
	}
}
