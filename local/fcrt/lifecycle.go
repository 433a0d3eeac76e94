package fcrt

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// killWait bounds how long Kill waits for the kernel to reap the process.
const killWait = 5 * time.Second

// Kill destroys the instance at once (SIGKILL), frozen or not, as FC does
// when it recycles an idle frozen instance: no hook runs, and goroutines
// the function left behind never resume. In-flight invocations fail.
func (i *Instance) Kill() {
	_ = i.cmd.Process.Signal(syscall.SIGKILL) // a no-op once the process is reaped
	select {
	case <-i.exited:
	case <-time.After(killWait):
		i.fn.Logger.Error("fc instance did not exit after SIGKILL", "function", i.fn.Name, "instance", i.id)
	}
	_ = i.srv.Close()
}

// Stop retires the instance the way FC does: it stops admitting
// invocations, waits for those in flight (until ctx ends), thaws the
// process, runs the preStop hook when configured (bounded by
// PreStopTimeout), then kills the process. A failed or timed-out preStop
// is returned, but the instance is destroyed regardless.
func (i *Instance) Stop(ctx context.Context) error {
	i.mu.Lock()
	i.closing = true
	i.mu.Unlock()
	defer i.Kill()
	if i.isExited() {
		return nil
	}
	if err := i.drain(ctx); err != nil {
		return err
	}
	if !i.fn.PreStop {
		return nil
	}
	if err := i.Thaw(); err != nil {
		return nil // the process is gone already: nothing to run the hook in
	}
	res, err := i.dispatch(ctx, typePreStop, nil, i.fn.PreStopTimeout, InvokeOptions{})
	if err == nil && res.Error != nil {
		err = res.Error
	}
	if err != nil {
		return fmt.Errorf("fcrt: preStop of %s: %w", i.fn.Name, err)
	}
	return nil
}

// drain waits until no invocation is in flight.
func (i *Instance) drain(ctx context.Context) error {
	for {
		i.mu.Lock()
		n, drained := len(i.inflight), i.drained
		i.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-drained:
		case <-i.exited:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("fcrt: stop %s with %d invocations in flight: %w", i.fn.Name, n, ctx.Err())
		}
	}
}
