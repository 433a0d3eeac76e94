package fcrt

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// InvokeOptions are per-invocation settings a trigger chooses.
type InvokeOptions struct {
	RequestID  string // default: a fresh FC-style id
	RetryCount int    // x-fc-retry-count: how often this event was retried before
	// Async marks an asynchronous invocation (a timer trigger's): at the
	// instance limit a Pool makes it wait for an instance, as FC queues
	// asynchronous invocations, instead of refusing it.
	Async bool
	// Qualifier is the x-fc-qualifier of this invocation (the alias or
	// version the trigger named); "" keeps the function's own.
	Qualifier string
}

// Invoker runs invocations: an *Instance, or a *Pool of them.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error)
}

// invocation is one request handed to the runtime.
type invocation struct {
	id       string
	kind     invocationType
	payload  []byte
	header   http.Header
	admitted time.Time
	timeout  time.Duration
	timer    *time.Timer
	finished bool // guarded by Instance.mu
	result   Result
	done     chan struct{}
}

// Invoke runs one invocation on this instance and waits for its result.
// It waits while the instance runs another invocation (FC 3.0 runs one
// invocation at a time on an instance of a standard runtime such as go1;
// a Pool, like FC, sends the next one to another instance instead), and
// thaws a frozen instance first. The deadline starts when the invocation
// is admitted. Cancelling ctx only stops the waiting: like on FC, the
// invocation runs on (holding the instance) until it answers or times out.
func (i *Instance) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	select {
	case i.slot <- struct{}{}:
	case <-i.exited:
		return Result{}, ErrInstanceExited
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	return i.dispatch(ctx, typeHandler, payload, i.fn.Timeout, opts)
}

// dispatch admits an invocation (a handler invocation already holds the
// instance's slot), queues it for GET next and waits for its result.
func (i *Instance) dispatch(ctx context.Context, kind invocationType, payload []byte, timeout time.Duration, opts InvokeOptions) (Result, error) {
	inv, err := i.admit(kind, payload, timeout, opts)
	if err != nil {
		if kind == typeHandler {
			<-i.slot
		}
		return Result{}, err
	}
	select {
	case i.queue <- inv: // never blocks: admit lets one invocation at a time in
	case <-i.exited:
	}
	select {
	case <-inv.done:
		return inv.result, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func (i *Instance) admit(kind invocationType, payload []byte, timeout time.Duration, opts InvokeOptions) (*invocation, error) {
	id := opts.RequestID
	if id == "" {
		id = newRequestID()
	}
	now := time.Now()
	inv := &invocation{
		id:       id,
		kind:     kind,
		payload:  payload,
		header:   runtimeHeaders(&i.fn, id, kind, now.Add(timeout), timeout, opts.RetryCount),
		admitted: now,
		timeout:  timeout,
		done:     make(chan struct{}),
	}
	if opts.Qualifier != "" {
		inv.header[hdrQualifier] = []string{opts.Qualifier}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.isExited() {
		return nil, ErrInstanceExited
	}
	if i.closing && kind == typeHandler {
		return nil, ErrInstanceClosed
	}
	// One invocation at a time, hooks included (conformance FC-01): the SDK
	// polls next again while it runs one, and that poll must not get a
	// second. The slot and the lifecycle order (initializer before the
	// first handler, preStop after the drain) make this unreachable; the
	// check keeps it so.
	if len(i.inflight) > 0 {
		return nil, fmt.Errorf("fcrt: %s has an invocation in flight: one at a time on a standard runtime", i.id)
	}
	i.inflight[id] = inv
	i.idleSince = time.Time{}
	i.thawLocked()
	inv.timer = time.AfterFunc(timeout, func() { i.expire(inv) })
	return inv, nil
}

// expire ends an invocation that did not answer before its deadline. The
// instance is then killed and must be replaced (a Pool does so): the stuck
// handler would otherwise still own the instance, which runs one
// invocation at a time; FC likewise replaces an instance whose request
// was abandoned.
func (i *Instance) expire(inv *invocation) {
	if !i.finishAndMaybeRetire(inv, Result{Error: timeoutError(inv.timeout)}, true) {
		return
	}
	i.fn.Logger.Warn("fc invocation timed out", "function", i.fn.Name, "instance", i.id,
		"request_id", inv.id, "type", inv.kind.String(), "timeout", inv.timeout)
	i.fn.Logger.Warn("fc instance recycled after a timeout", "function", i.fn.Name, "instance", i.id)
	i.Kill()
}

// finish records an invocation's result once; false if it already had one.
func (i *Instance) finish(inv *invocation, res Result) bool {
	return i.finishAndMaybeRetire(inv, res, false)
}

// finishAndMaybeRetire is finish; with retire, the instance stops
// admitting invocations before the result is delivered, so nobody reuses
// an instance about to be killed.
func (i *Instance) finishAndMaybeRetire(inv *invocation, res Result, retire bool) bool {
	i.mu.Lock()
	if inv.finished {
		i.mu.Unlock()
		return false
	}
	if retire {
		i.closing = true
	}
	inv.finished = true
	inv.timer.Stop()
	delete(i.inflight, inv.id)
	res.RequestID = inv.id
	res.Duration = time.Since(inv.admitted)
	inv.result = res
	if inv.kind == typeHandler {
		<-i.slot
	}
	if len(i.inflight) == 0 {
		close(i.drained)
		i.drained = make(chan struct{})
		i.idleSince = time.Now()
		i.freezeIfIdleLocked()
	}
	slotFreed := i.slotFreed
	i.mu.Unlock()
	close(inv.done)
	if slotFreed != nil && inv.kind == typeHandler {
		slotFreed()
	}
	return true
}

// lookup finds an unanswered invocation by request id.
func (i *Instance) lookup(id string) (*invocation, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	inv, ok := i.inflight[id]
	return inv, ok
}

// setSlotFreed registers f to be called whenever a handler invocation
// ends and frees its slot (a Pool waits on it).
func (i *Instance) setSlotFreed(f func()) {
	i.mu.Lock()
	i.slotFreed = f
	i.mu.Unlock()
}

// idleFor is how long the instance has had nothing in flight (0 while busy).
func (i *Instance) idleFor(now time.Time) time.Duration {
	i.mu.Lock()
	defer i.mu.Unlock()
	if len(i.inflight) > 0 || i.idleSince.IsZero() {
		return 0
	}
	return now.Sub(i.idleSince)
}

// retiring reports whether the instance takes no more invocations.
func (i *Instance) retiring() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.closing || i.isExited()
}
