package fcrt

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// Instance is one FC function instance: a child process running the
// function's binary, and the runtime API server it polls.
type Instance struct {
	fn  Function
	id  string // FC_INSTANCE_ID
	cmd *exec.Cmd
	ln  net.Listener
	srv *http.Server

	queue chan *invocation // the invocation waiting for a GET next
	slot  chan struct{}    // held by the one handler invocation an instance runs at a time

	mu        sync.Mutex
	inflight  map[string]*invocation
	frozen    bool
	closing   bool
	exitErr   error
	started   time.Time
	polled    time.Time
	drained   chan struct{} // closed and replaced when inflight becomes empty
	idleSince time.Time     // when inflight last became empty (zero while busy)
	slotFreed func()        // set by a Pool

	exited    chan struct{} // closed when the process has exited
	firstPoll chan struct{} // closed on the first GET next
	pollOnce  sync.Once
}

// Timing is when the instance's process started (the clock read just
// before the emulator creates it, so fork and exec count) and when its
// runtime first polled GET next (zero until it has): the cold-start cost
// of the binary itself.
type Timing struct {
	ProcessStarted time.Time
	FirstPoll      time.Time
}

// StartupLatency is the time from process start to the first next poll.
func (t Timing) StartupLatency() time.Duration {
	if t.FirstPoll.IsZero() {
		return 0
	}
	return t.FirstPoll.Sub(t.ProcessStarted)
}

// Start starts an instance of fn and returns once its runtime is polling
// GET next and, when configured, the initializer hook has succeeded. An
// initializer failure kills the instance and is returned as an error
// wrapping the hook's *FunctionError.
func Start(ctx context.Context, fn Function) (*Instance, error) {
	fn, err := fn.withDefaults()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fcrt: listen for the runtime API of %s: %w", fn.Name, err)
	}
	inst := &Instance{
		fn:        fn,
		id:        newInstanceID(),
		ln:        ln,
		queue:     make(chan *invocation, 1),
		slot:      make(chan struct{}, 1),
		inflight:  map[string]*invocation{},
		drained:   make(chan struct{}),
		exited:    make(chan struct{}),
		firstPoll: make(chan struct{}),
	}
	// No read timeouts: a frozen instance leaves its keep-alive connections
	// idle for as long as it stays frozen, and FC does not drop them either.
	inst.srv = &http.Server{Handler: inst.runtimeAPI()}
	go func() { _ = inst.srv.Serve(ln) }()

	if err := inst.spawn(); err != nil {
		_ = inst.srv.Close()
		return nil, err
	}
	if err := inst.waitReady(ctx); err != nil {
		inst.Kill()
		return nil, err
	}
	if fn.Initializer {
		res, err := inst.dispatch(ctx, typeInitializer, nil, fn.InitializerTimeout, InvokeOptions{})
		if err == nil && res.Error != nil {
			err = res.Error
		}
		if err != nil {
			inst.Kill()
			return nil, fmt.Errorf("fcrt: initializer of %s: %w", fn.Name, err)
		}
	}
	inst.mu.Lock()
	inst.idleSince = time.Now()
	inst.freezeIfIdleLocked()
	inst.mu.Unlock()
	return inst, nil
}

// waitReady waits for the first GET next, the process's exit or ctx.
func (i *Instance) waitReady(ctx context.Context) error {
	select {
	case <-i.firstPoll:
		return nil
	case <-i.exited:
		return fmt.Errorf("fcrt: %s exited before polling the runtime API: %w", i.fn.Name, i.ExitErr())
	case <-ctx.Done():
		return fmt.Errorf("fcrt: waiting for %s to poll the runtime API: %w", i.fn.Name, ctx.Err())
	}
}

// Function is the instance's configuration with defaults applied.
func (i *Instance) Function() Function { return i.fn }

// ID is the instance id (FC_INSTANCE_ID in its environment).
func (i *Instance) ID() string { return i.id }

// Pid is the process id of the instance's process.
func (i *Instance) Pid() int { return i.cmd.Process.Pid }

// RuntimeAPI is the host:port the instance's FC_RUNTIME_API points at.
func (i *Instance) RuntimeAPI() string { return i.ln.Addr().String() }

// Timing reports process start and first poll times, for benchmarks.
func (i *Instance) Timing() Timing {
	i.mu.Lock()
	defer i.mu.Unlock()
	return Timing{ProcessStarted: i.started, FirstPoll: i.polled}
}

// Exited is closed once the process has exited.
func (i *Instance) Exited() <-chan struct{} { return i.exited }

// ExitErr is how the process exited (nil while it runs, or on exit 0).
func (i *Instance) ExitErr() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exitErr
}

// InFlight is the number of handler invocations the instance is running:
// 0 or 1, since an instance of a standard runtime runs one at a time.
func (i *Instance) InFlight() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := 0
	for _, inv := range i.inflight {
		if inv.kind == typeHandler {
			n++
		}
	}
	return n
}

func (i *Instance) isExited() bool {
	select {
	case <-i.exited:
		return true
	default:
		return false
	}
}
