package fcrt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// poolStartTimeout bounds a cold start the pool makes on a caller's behalf.
const poolStartTimeout = 60 * time.Second

// Pool is FC's scheduler for one function: it starts an instance on the
// first invocation (a cold start), sends each invocation to an instance
// with a free concurrency slot, starts another instance when all are busy
// (up to MaxInstances), and replaces instances that died or were recycled
// after a timeout.
type Pool struct {
	fn           Function
	maxInstances int

	mu        sync.Mutex
	instances []*Instance
	starting  int
	closed    bool
	changed   chan struct{} // closed and replaced when a slot frees or the set changes
	onStart   func(*Instance)
}

// NewPool returns a pool of at most maxInstances instances of fn (at least 1).
func NewPool(fn Function, maxInstances int) *Pool {
	if maxInstances < 1 {
		maxInstances = 1
	}
	return &Pool{fn: fn, maxInstances: maxInstances, changed: make(chan struct{})}
}

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
	return p.startInstance(ctx)
}

// Instances lists the live instances.
func (p *Pool) Instances() []*Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pruneLocked()
	return append([]*Instance(nil), p.instances...)
}

// Invoke runs one invocation on some instance; see Instance.Invoke.
func (p *Pool) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return Result{}, ErrInstanceClosed
		}
		p.pruneLocked()
		if inst := p.takeSlotLocked(); inst != nil {
			p.mu.Unlock()
			res, err := inst.dispatch(ctx, typeHandler, payload, inst.fn.Timeout, opts)
			if errors.Is(err, ErrInstanceExited) || errors.Is(err, ErrInstanceClosed) {
				continue // it retired between the pick and the admission: pick again
			}
			return res, err
		}
		if len(p.instances)+p.starting < p.maxInstances {
			p.starting++
			p.mu.Unlock()
			startCtx, cancel := context.WithTimeout(context.Background(), poolStartTimeout)
			err := p.startInstance(startCtx)
			cancel()
			if err != nil {
				return Result{}, err
			}
			continue
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
}

// Stop stops every instance (preStop hooks included) and refuses new
// invocations.
func (p *Pool) Stop(ctx context.Context) error {
	p.mu.Lock()
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
	return errors.Join(all...)
}

// startInstance starts one instance; the caller has counted it in starting.
func (p *Pool) startInstance(ctx context.Context) error {
	inst, err := Start(ctx, p.fn)
	p.mu.Lock()
	p.starting--
	p.notifyLocked()
	closed, onStart := p.closed, p.onStart
	if err == nil && !closed {
		inst.setSlotFreed(p.notify)
		p.instances = append(p.instances, inst)
	}
	p.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("fcrt: pool of %s: %w", p.fn.Name, err)
	case closed:
		inst.Kill()
		return ErrInstanceClosed
	}
	if onStart != nil {
		onStart(inst)
	}
	return nil
}

// takeSlotLocked reserves a concurrency slot on the first instance that
// has one free.
func (p *Pool) takeSlotLocked() *Instance {
	for _, inst := range p.instances {
		select {
		case inst.slots <- struct{}{}:
			return inst
		default:
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
