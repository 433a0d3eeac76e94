package fcrt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

const (
	// poolStartTimeout bounds a cold start the pool makes on a caller's behalf.
	poolStartTimeout = 60 * time.Second
	// DefaultIdleTimeout is how long a Pool keeps an instance that runs
	// nothing. FC keeps idle on-demand instances "for a while" and does not
	// document how long (conformance FC-04, unverified); a few minutes is
	// what users report.
	DefaultIdleTimeout = 5 * time.Minute
)

// ErrInstanceLimit: every instance of the function is busy and the pool
// may start no more (FC's per-function instance limit). A synchronous
// invocation is refused with it; the HTTP trigger answers 429
// ResourceExhausted (conformance FC-03).
var ErrInstanceLimit = errors.New("fcrt: the function's instance limit is reached and every instance is busy")

// Pool is FC's scheduler for one function. An instance of a standard
// runtime (go1) runs one invocation at a time (conformance FC-01), so the
// pool sends each invocation to an idle instance, starts a new instance
// (a cold start) when none is idle, up to maxInstances (FC-02), refuses a
// synchronous invocation beyond that (FC-03), replaces instances that
// died or were recycled after a timeout, and stops instances idle for
// longer than the idle timeout (FC-04).
type Pool struct {
	fn           Function
	maxInstances int
	idleTimeout  time.Duration

	mu        sync.Mutex
	instances []*Instance
	starting  int
	closed    bool
	changed   chan struct{} // closed and replaced when an instance frees or the set changes
	onStart   func(*Instance)
	reaping   bool           // the idle reaper runs
	stopped   chan struct{}  // closed by Stop: ends the reaper
	retiring  sync.WaitGroup // instances being stopped by the reaper
}

// PoolOption configures a Pool.
type PoolOption func(*Pool)

// IdleTimeout sets how long an instance may stay idle before the pool
// stops it (preStop hook included). d < 0 keeps idle instances forever;
// 0 means DefaultIdleTimeout.
func IdleTimeout(d time.Duration) PoolOption {
	return func(p *Pool) {
		if d != 0 {
			p.idleTimeout = d
		}
	}
}

// NewPool returns a pool of at most maxInstances instances of fn (at
// least 1): FC's per-function instance limit.
func NewPool(fn Function, maxInstances int, opts ...PoolOption) *Pool {
	p := &Pool{
		fn:           fn,
		maxInstances: max(maxInstances, 1),
		idleTimeout:  DefaultIdleTimeout,
		changed:      make(chan struct{}),
		stopped:      make(chan struct{}),
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// MaxInstances is the pool's instance limit.
func (p *Pool) MaxInstances() int { return p.maxInstances }

// OnStart registers f to be called with every instance the pool starts
// (the bench reads Instance.Timing from it). Call it before the first Invoke.
func (p *Pool) OnStart(f func(*Instance)) {
	p.mu.Lock()
	p.onStart = f
	p.mu.Unlock()
}

// Warm starts an instance now unless one runs, so that a launcher fails
// fast on a broken binary and the first request is not a cold start.
func (p *Pool) Warm(ctx context.Context) error {
	p.mu.Lock()
	p.pruneLocked()
	if len(p.instances)+p.starting > 0 {
		p.mu.Unlock()
		return nil
	}
	p.starting++
	p.mu.Unlock()
	_, err := p.startInstance(ctx, false)
	return err
}

// Instances lists the live instances.
func (p *Pool) Instances() []*Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pruneLocked()
	return append([]*Instance(nil), p.instances...)
}

// Invoke runs one invocation on an idle instance, starting one when none
// is idle; see Instance.Invoke. At the instance limit a synchronous
// invocation fails with ErrInstanceLimit at once, and an asynchronous one
// (opts.Async) waits for an instance, as FC queues asynchronous
// invocations.
func (p *Pool) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return Result{}, ErrInstanceClosed
		}
		p.pruneLocked()
		inst := p.takeIdleLocked()
		if inst == nil && len(p.instances)+p.starting < p.maxInstances {
			p.starting++
			p.mu.Unlock()
			// The new instance is reserved for this invocation: a request
			// arriving meanwhile does not take it from under the cold start.
			startCtx, cancel := context.WithTimeout(context.Background(), poolStartTimeout)
			started, err := p.startInstance(startCtx, true)
			cancel()
			if err != nil {
				return Result{}, err
			}
			inst = started
		} else if inst == nil {
			changed := p.changed
			p.mu.Unlock()
			if !opts.Async {
				return Result{}, fmt.Errorf("%w (%s: %d instances)", ErrInstanceLimit, p.fn.Name, p.maxInstances)
			}
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return Result{}, ctx.Err()
			}
		} else {
			p.mu.Unlock()
		}
		res, err := inst.dispatch(ctx, typeHandler, payload, inst.fn.Timeout, opts)
		if errors.Is(err, ErrInstanceExited) || errors.Is(err, ErrInstanceClosed) {
			continue // it retired between the pick and the admission: pick again
		}
		return res, err
	}
}

// Stop stops every instance (preStop hooks included) and refuses new
// invocations.
func (p *Pool) Stop(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		close(p.stopped)
	}
	p.closed = true
	instances := p.instances
	p.instances = nil
	p.mu.Unlock()
	errs := make(chan error, len(instances))
	for _, inst := range instances {
		go func() { errs <- inst.Stop(ctx) }()
	}
	var all []error
	for range instances {
		all = append(all, <-errs)
	}
	p.retiring.Wait()
	return errors.Join(all...)
}

// startInstance starts one instance; the caller has counted it in
// starting. With reserve, the instance's slot is taken for the caller
// before anyone else can see the instance.
func (p *Pool) startInstance(ctx context.Context, reserve bool) (*Instance, error) {
	inst, err := Start(ctx, p.fn)
	if err == nil && reserve {
		inst.slot <- struct{}{} // a fresh instance: never blocks
	}
	p.mu.Lock()
	p.starting--
	p.notifyLocked()
	closed, onStart := p.closed, p.onStart
	if err == nil && !closed {
		inst.setSlotFreed(p.notify)
		p.instances = append(p.instances, inst)
		p.startReaperLocked()
	}
	p.mu.Unlock()
	switch {
	case err != nil:
		return nil, fmt.Errorf("fcrt: pool of %s: %w", p.fn.Name, err)
	case closed:
		inst.Kill()
		return nil, ErrInstanceClosed
	}
	if onStart != nil {
		onStart(inst)
	}
	return inst, nil
}

// takeIdleLocked reserves the first instance that runs nothing.
func (p *Pool) takeIdleLocked() *Instance {
	for _, inst := range p.instances {
		if p.trySlot(inst) {
			return inst
		}
	}
	return nil
}

func (p *Pool) pruneLocked() {
	live := p.instances[:0]
	for _, inst := range p.instances {
		if !inst.retiring() {
			live = append(live, inst)
		}
	}
	clear(p.instances[len(live):])
	p.instances = live
}

func (p *Pool) notify() {
	p.mu.Lock()
	p.notifyLocked()
	p.mu.Unlock()
}

func (p *Pool) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}
