package sls

import (
	"context"
	"errors"
	"fmt"
	"sync"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// ingest stores accepted log groups behind PutLogs' answer, as SLS does:
// PutLogs answers once the group is accepted, and the logs become
// searchable "after a short latency" (GetLogs API reference). Storing a
// group (SQLite, the index stamp, the shard sequence) was most of a
// PutLogs round trip, and a function waits for that round trip before it
// may answer its caller, so the emulator would otherwise charge our
// functions for its own storage.
//
// Unlike SLS, the emulator has no query latency: every request other than
// a write first waits for the groups accepted before it (settle), so a test
// or a user reads what it has written. Code that must also work against
// SLS does not rely on that (the alert rules query closed time windows).
type ingest struct {
	mu      sync.Mutex
	settled *sync.Cond // broadcast whenever stored moves or the writer stops
	queue   []pendingGroup
	// accepted and stored count groups; settle waits for stored to reach
	// the accepted count it saw.
	accepted, stored uint64
	// failed is the first storing error: the emulator then refuses writes
	// (500) instead of acknowledging what it can no longer keep.
	failed  error
	closing bool
	wake    chan struct{}
	stopped chan struct{}
}

type pendingGroup struct {
	project, logstore string
	shard             int
	group             *slssdk.LogGroup
}

var errIngestClosed = errors.New("sls: the emulator is closing")

func newIngest() *ingest {
	in := &ingest{wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	in.settled = sync.NewCond(&in.mu)
	return in
}

// accept queues g; the caller answers PutLogs once it returns nil, then
// calls kick: waking the writer's thread is a system call, which need not
// stand between the client and its answer.
func (in *ingest) accept(g pendingGroup) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.failed != nil {
		return fmt.Errorf("an earlier group could not be stored: %w", in.failed)
	}
	if in.closing {
		return errIngestClosed
	}
	in.queue = append(in.queue, g)
	in.accepted++
	return nil
}

// kick wakes the writer for what accept queued.
func (in *ingest) kick() {
	select {
	case in.wake <- struct{}{}:
	default: // the writer is already woken
	}
}

// settle waits until every group accepted before the call is stored, and
// reports a storing failure.
func (in *ingest) settle() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	target := in.accepted
	if in.stored < target {
		in.kick() // in case the write's own kick has not come yet
	}
	for in.stored < target && in.failed == nil {
		in.settled.Wait()
	}
	return in.failed
}

// run stores queued groups in order until close; store is Server.storeGroup.
func (in *ingest) run(store func(context.Context, pendingGroup) error) {
	defer close(in.stopped)
	backgroundPriority()
	for range in.wake {
		in.mu.Lock()
		batch := in.queue
		in.queue = nil
		closing := in.closing
		in.mu.Unlock()
		var err error
		for _, g := range batch {
			if err = store(context.Background(), g); err != nil {
				break
			}
		}
		in.mu.Lock()
		in.stored += uint64(len(batch))
		if err != nil && in.failed == nil {
			in.failed = err
		}
		in.settled.Broadcast()
		in.mu.Unlock()
		if closing {
			return
		}
	}
}

// close stores what was accepted and stops the writer.
func (in *ingest) close() error {
	in.mu.Lock()
	if !in.closing {
		in.closing = true
		select {
		case in.wake <- struct{}{}:
		default:
		}
	}
	in.mu.Unlock()
	<-in.stopped
	return in.failed
}
