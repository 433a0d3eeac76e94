package netx

import (
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
	done chan struct{}
}

// Go runs f and answers a channel closed once f has returned; what f
// writes before it returns is visible to whoever receives from it.
func (d *Detached) Go(f func()) <-chan struct{} {
	d.once.Do(d.start)
	j := detachedJob{f: f, done: make(chan struct{})}
	select {
	case <-d.idle: // the kept goroutine is ours until it signals idle again
		d.work <- j
	default: // busy with a call someone stopped waiting for, or racing another caller
		go func() { j.f(); close(j.done) }()
	}
	return j.done
}

func (d *Detached) start() {
	d.work = make(chan detachedJob, 1)
	d.idle = make(chan struct{}, 1)
	d.idle <- struct{}{}
	go d.serve()
}

func (d *Detached) serve() {
	for j := range d.work {
		j.f()
		d.idle <- struct{}{}
		close(j.done)
	}
}
