package gctune

import (
	"bytes"
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
		if s := ForInstance(env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": v})); s.Apply {
			t.Errorf("FC_FUNCTION_MEMORY_SIZE=%q: %+v, want defaults", v, s)
		}
	}
}

func TestInitAppliesAndSaysSo(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1) // a negative limit only reads it
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
	var out bytes.Buffer
	s := Init("send", env(map[string]string{"FC_FUNCTION_MEMORY_SIZE": "128"}), &out)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent after Init: %d, want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != s.MemoryLimit || got != 96<<20 {
		t.Errorf("memory limit after Init: %d, want %d", got, 96<<20)
	}
	if !strings.HasPrefix(out.String(), "send: gc: FC instance with 128 MB") {
		t.Errorf("start-up line %q", out.String())
	}
}
