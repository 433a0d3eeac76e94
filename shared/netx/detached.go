package netx

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Detached runs the SDKs' blocking calls, which take no context, off the
// caller's goroutine, so the caller can stop waiting at its deadline while
// the call runs on. Which goroutine matters: a fresh one per call starts
// with a small stack and grows it, copying, down the SDKs' deep call
// chains (HTTP client, retry loop, signing) on every call; profiled under
// `make bench`, that was about a twentieth of a PutLogs. Detached keeps one
// goroutine between calls, so its grown stack is kept too. A call left
// running past its caller's deadline keeps that goroutine busy; the next
// call then gets a fresh goroutine and nothing waits behind the stuck one.
//
// The zero value is ready and safe for concurrent use. The kept goroutine
// lives as long as the process (one per client, and an FC instance has one
// of each).
type Detached struct {
	once sync.Once
	// work holds at most one job: Go sends only after winning idle.
	work chan detachedJob
	// idle is true while the kept goroutine waits for work. It is set
	// before the finished job's channel closes, so a caller that saw its
	// call end and calls again finds the goroutine free, never busy.
	idle chan struct{}
}

type detachedJob struct {
	f    func()
	done chan error
}

// PanicError is a call that panicked. On the caller's goroutine a panic
// is recovered and answered (api, dispatch); on Detached's it would end
// the process, every other invocation of a batch with it, and their
// events. What the call did before it panicked is unknown.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("the call panicked: %v", e.Value) }

// Go runs f and answers a channel that yields nil once f has returned, or
// a *PanicError if it panicked, and is then closed; what f writes before
// it returns is visible to whoever receives from it.
func (d *Detached) Go(f func()) <-chan error {
	d.once.Do(d.start)
	j := detachedJob{f: f, done: make(chan error, 1)}
	select {
	case <-d.idle: // the kept goroutine is ours until it signals idle again
		d.work <- j
	default: // busy with a call someone stopped waiting for, or racing another caller
		go func() { j.done <- run(j.f); close(j.done) }()
	}
	return j.done
}

// run calls f, turning a panic into a *PanicError.
func run(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	f()
	return nil
}

func (d *Detached) start() {
	d.work = make(chan detachedJob, 1)
	d.idle = make(chan struct{}, 1)
	d.idle <- struct{}{}
	go d.serve()
}

func (d *Detached) serve() {
	for j := range d.work {
		err := run(j.f)
		d.idle <- struct{}{}
		j.done <- err
		close(j.done)
	}
}
