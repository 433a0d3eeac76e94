package sls

import (
	"runtime"
	"syscall"
)

// backgroundPriority runs the calling goroutine on a thread of its own at
// the lowest CPU priority (nice 19): SLS indexes on machines of its own, so
// the emulator's storing must not take the CPU from the functions whose
// latency the local stack (and `make bench`) shows. The goroutine keeps the
// thread until it ends.
func backgroundPriority() {
	runtime.LockOSThread()
	// On Linux, setpriority(PRIO_PROCESS, tid) sets one thread's nice value.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
