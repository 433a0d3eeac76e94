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
// It waits for a free slot when Concurrency invocations are in flight, and
// thaws a frozen instance first. The deadline starts when the invocation
// is admitted. Cancelling ctx only stops the waiting: like on FC, the
// invocation runs on (holding its slot) until it answers or times out.
func (i *Instance) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	select {
	case i.slots <- struct{}{}:
	case <-i.exited:
		return Result{}, ErrInstanceExited
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	return i.dispatch(ctx, typeHandler, payload, i.fn.Timeout, opts)
}

// dispatch admits an invocation (a handler invocation already holds its
// slot), queues it for GET next and waits for its result.
func (i *Instance) dispatch(ctx context.Context, kind invocationType, payload []byte, timeout time.Duration, opts InvokeOptions) (Result, error) {
	inv, err := i.admit(kind, payload, timeout, opts)
	if err != nil {
		if kind == typeHandler {
			<-i.slots
		}
		return Result{}, err
	}
	select {
	case i.queue <- inv: // never blocks long: the queue holds Concurrency+1
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
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.isExited() {
		return nil, ErrInstanceExited
	}
	if i.closing && kind == typeHandler {
		return nil, ErrInstanceClosed
	}
	if _, dup := i.inflight[id]; dup {
		return nil, fmt.Errorf("fcrt: request id %q is already in flight on %s", id, i.id)
	}
	i.inflight[id] = inv
	i.thawLocked()
	inv.timer = time.AfterFunc(timeout, func() { i.expire(inv) })
	return inv, nil
}

// expire ends an invocation that did not answer before its deadline. With
// instance concurrency 1 the instance is then killed and must be replaced
// (a Pool does so), because the stuck handler would otherwise still own
// the instance's only slot; FC likewise replaces a single-concurrency
// instance whose request was abandoned. With higher concurrency the
// instance keeps serving and a late answer is refused.
func (i *Instance) expire(inv *invocation) {
	recycle := i.fn.Concurrency == 1 || inv.kind != typeHandler
	if !i.finishAndMaybeRetire(inv, Result{Error: timeoutError(inv.timeout)}, recycle) {
		return
	}
	i.fn.Logger.Warn("fc invocation timed out", "function", i.fn.Name, "instance", i.id,
		"request_id", inv.id, "type", inv.kind.String(), "timeout", inv.timeout)
	if recycle {
		i.fn.Logger.Warn("fc instance recycled after a timeout", "function", i.fn.Name, "instance", i.id)
		i.Kill()
	}
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
		<-i.slots
	}
	if len(i.inflight) == 0 {
		close(i.drained)
		i.drained = make(chan struct{})
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

// retiring reports whether the instance takes no more invocations.
func (i *Instance) retiring() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.closing || i.isExited()
}
