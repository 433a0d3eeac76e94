// Package runtimefit fits the Go runtime to a Function Compute instance:
// the garbage collector's pacing and the number of Ps (GOMAXPROCS).
//
// # The garbage collector
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
// # GOMAXPROCS
//
// The runtime's default is the number of CPUs the process sees (at least 2
// under a cgroup CPU limit). An instance runs one invocation at a time, and
// its work is a sequence of waits (Dysmsapi, SLS, Redis) with short bursts
// of CPU between them; even dispatch's parallel sends are waits side by
// side. A second P runs nothing in parallel then, but it makes every wake-up
// a hand-off between threads (a futex call, a spinning thread, caches on
// the other CPU) and, under a fractional vCPU (send has 0.25), spends the
// instance's CPU quota on threads looking for work. So a function runs
// with one P. Measured in `make bench`'s in-process section in runs
// alternating with two Ps, the handler's own work and the SLS round trip
// came out a tenth to a quarter shorter at the median (docs/benchmarks.md,
// run O).
//
// An operator who sets GOGC, GOMEMLIMIT or GOMAXPROCS in the function's
// environment has decided: the runtime already applied it, and nothing
// here overrides it.
package runtimefit

import (
	"fmt"
	"io"
	"runtime"
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
	// Procs is the GOMAXPROCS to set; 0 leaves the runtime's.
	Procs int
	// ProcsReason says why, for a second start-up line.
	ProcsReason string
}

// instanceProcs is GOMAXPROCS in an FC instance: one invocation at a time.
const instanceProcs = 1

// ForInstance decides from the environment (getenv is os.Getenv in a
// function's main).
func ForInstance(getenv func(string) string) Setting {
	mb, notFC := instanceMemoryMB(getenv)
	if notFC != "" {
		return Setting{Reason: notFC + ": the runtime's defaults stand",
			ProcsReason: "not an FC instance: the runtime's GOMAXPROCS stands"}
	}
	s := Setting{Procs: instanceProcs,
		ProcsReason: fmt.Sprintf("FC instance, one invocation at a time: GOMAXPROCS %d", instanceProcs)}
	if v := getenv("GOMAXPROCS"); v != "" {
		s.Procs, s.ProcsReason = 0, fmt.Sprintf("GOMAXPROCS=%s is set in the environment: it stands", v)
	}
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v := getenv(k); v != "" {
			s.Reason = fmt.Sprintf("%s=%s is set in the environment: the runtime's settings stand", k, v)
			return s
		}
	}
	limit := int64(float64(int64(mb)<<20) * LimitShare)
	s.Apply, s.GCPercent, s.MemoryLimit = true, -1, limit
	s.Reason = fmt.Sprintf("FC instance with %d MB: GC paced by a soft memory limit of %d MB (GOGC off)", mb, limit>>20)
	return s
}

// instanceMemoryMB reads FC_FUNCTION_MEMORY_SIZE; notFC says why the
// environment is not an FC instance's when it is not.
func instanceMemoryMB(getenv func(string) string) (mb int, notFC string) {
	raw := strings.TrimSpace(getenv("FC_FUNCTION_MEMORY_SIZE"))
	if raw == "" {
		return 0, "not an FC instance (no FC_FUNCTION_MEMORY_SIZE)"
	}
	mb, err := strconv.Atoi(raw)
	if err != nil || mb < minMemoryMB {
		return 0, fmt.Sprintf("FC_FUNCTION_MEMORY_SIZE=%q is not a memory size FC configures (≥ %d MB)", raw, minMemoryMB)
	}
	return mb, ""
}

// Init decides from getenv (os.Getenv in a function's main), applies it,
// and says what it decided in two lines on w, gc and procs (stderr: FC collects it into the
// function's logstore, and it costs the cold start no SLS round trip). It is
// the first thing a function's main calls.
func Init(function string, getenv func(string) string, w io.Writer) Setting {
	s := ForInstance(getenv)
	if s.Apply {
		debug.SetGCPercent(s.GCPercent)
		debug.SetMemoryLimit(s.MemoryLimit)
	}
	if s.Procs > 0 {
		runtime.GOMAXPROCS(s.Procs)
	}
	fmt.Fprintf(w, "%s: gc: %s\n%s: procs: %s\n", function, s.Reason, function, s.ProcsReason)
	return s
}
