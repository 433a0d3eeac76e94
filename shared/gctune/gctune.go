// Package gctune sizes the Go garbage collector for a Function Compute
// instance.
//
// The runtime's default (GOGC=100, no memory limit) is made for a process
// that shares its machine: it collects whenever the heap doubles, which for
// a function whose live heap is a couple of MB means a collection every few
// dozen invocations, each one landing on some caller's request. An FC
// instance is the opposite case: it runs one invocation at a time (FC 3.0,
// no instance concurrency) and owns the memory the function is configured
// with (FC_FUNCTION_MEMORY_SIZE, in MB). So the collector is paced by that
// memory instead: no proportional trigger, a soft limit at three quarters of
// the instance's memory. The Go GC guide describes this setting for
// programs that own their memory; the limit makes the runtime collect (at
// most half the CPU, so no death spiral) before the instance is killed for
// memory.
//
// An operator who sets GOGC or GOMEMLIMIT in the function's environment
// has decided: the runtime already applied it, and nothing here overrides it.
package gctune

import (
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
)

// LimitShare is the part of the instance's memory the Go heap may grow to;
// the rest is for what the limit does not steer (goroutine stacks in use,
// the kernel's socket buffers, the binary's mapped text).
const LimitShare = 0.75

// minMemoryMB is FC's smallest memory size: below it the environment is not
// an FC instance's and is left alone.
const minMemoryMB = 128

// Setting is what ForInstance decided.
type Setting struct {
	// Apply is false when the runtime's settings stay as they are.
	Apply bool
	// GCPercent and MemoryLimit are the values for debug.SetGCPercent and
	// debug.SetMemoryLimit (bytes) when Apply is true.
	GCPercent   int
	MemoryLimit int64
	// Reason says why, for the instance's start-up log line.
	Reason string
}

// ForInstance decides from the environment (getenv is os.Getenv in a
// function's main).
func ForInstance(getenv func(string) string) Setting {
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v := getenv(k); v != "" {
			return Setting{Reason: fmt.Sprintf("%s=%s is set in the environment: the runtime's settings stand", k, v)}
		}
	}
	raw := strings.TrimSpace(getenv("FC_FUNCTION_MEMORY_SIZE"))
	if raw == "" {
		return Setting{Reason: "not an FC instance (no FC_FUNCTION_MEMORY_SIZE): the runtime's defaults stand"}
	}
	mb, err := strconv.Atoi(raw)
	if err != nil || mb < minMemoryMB {
		return Setting{Reason: fmt.Sprintf("FC_FUNCTION_MEMORY_SIZE=%q is not a memory size FC configures (≥ %d MB): the runtime's defaults stand", raw, minMemoryMB)}
	}
	limit := int64(float64(int64(mb)<<20) * LimitShare)
	return Setting{Apply: true, GCPercent: -1, MemoryLimit: limit,
		Reason: fmt.Sprintf("FC instance with %d MB: GC paced by a soft memory limit of %d MB (GOGC off)", mb, limit>>20)}
}

// Init decides from getenv (os.Getenv in a function's main), applies it,
// and says what it decided in one line on w (stderr: FC collects it into the
// function's logstore, and it costs the cold start no SLS round trip). It is
// the first thing a function's main calls.
func Init(function string, getenv func(string) string, w io.Writer) Setting {
	s := ForInstance(getenv)
	if s.Apply {
		debug.SetGCPercent(s.GCPercent)
		debug.SetMemoryLimit(s.MemoryLimit)
	}
	fmt.Fprintf(w, "%s: gc: %s\n", function, s.Reason)
	return s
}
