package fcrt

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Freeze stops the process (SIGSTOP), as FC freezes an instance that has no
// request: none of its goroutines run until Thaw or the next invocation.
// It returns once the kernel reports the process stopped.
func (i *Instance) Freeze() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.isExited() {
		return ErrInstanceExited
	}
	return i.freezeLocked()
}

// Thaw resumes a frozen process (SIGCONT). Invoke thaws by itself.
func (i *Instance) Thaw() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.isExited() {
		return ErrInstanceExited
	}
	i.thawLocked()
	return nil
}

// Frozen reports whether the emulator has frozen the process.
func (i *Instance) Frozen() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.frozen
}

func (i *Instance) freezeLocked() error {
	if i.frozen {
		return nil
	}
	pid := i.cmd.Process.Pid
	// Process.Signal, not syscall.Kill: it knows when the process was
	// reaped (pidfd), so a recycled pid is never signalled.
	if err := i.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("fcrt: freeze %s (pid %d): %w", i.fn.Name, pid, err)
	}
	i.frozen = true
	// SIGSTOP is asynchronous; callers (and tests) rely on "frozen" meaning
	// that no goroutine of the function runs any more.
	waitStopped(pid, time.Second)
	return nil
}

func (i *Instance) thawLocked() {
	if !i.frozen {
		return
	}
	_ = i.cmd.Process.Signal(syscall.SIGCONT)
	i.frozen = false
}

// freezeIfIdleLocked applies AutoFreeze once nothing is in flight.
func (i *Instance) freezeIfIdleLocked() {
	if !i.fn.AutoFreeze || i.closing || len(i.inflight) > 0 || i.isExited() {
		return
	}
	if err := i.freezeLocked(); err != nil {
		i.fn.Logger.Warn("fc instance could not be frozen", "function", i.fn.Name, "instance", i.id, "err", err)
	}
}

// waitStopped polls /proc until the process state is "stopped" (T) or the
// limit passes.
func waitStopped(pid int, limit time.Duration) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		stat, err := os.ReadFile(path)
		if err != nil {
			return
		}
		// The state follows the parenthesised command name: "pid (comm) S ...".
		if k := bytes.LastIndexByte(stat, ')'); k >= 0 && k+2 < len(stat) {
			if s := stat[k+2]; s == 'T' || s == 't' {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
}
